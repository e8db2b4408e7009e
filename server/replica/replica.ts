/**
 * The whole server's logic as one pure state machine (STYLE.md §2): sessions, the write
 * pipeline prep -> log -> commit -> apply -> reply, reads, watches and their events.
 *
 * One write path for every role: a client write becomes a WriteIntent. Standalone, the replica
 * preps it at once and commits it when the shell reports the log durable (`persisted`). In an
 * ensemble, the intent goes through the consensus core to the leader's replica, which preps and
 * proposes it; every member applies committed txns in zxid order, and the member holding the
 * client's connection replies, matched by (sessionId, cxid) as ZooKeeper's CommitProcessor does.
 *
 * Pure: no I/O, no clock, no randomness of its own. Time arrives with each input.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode, Perms } from '../../protocol/opcodes.js';
import type { Acl, ConnectRequest, Id, ReplyHeader, Request, RequestHeader, Response } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import type { Logger } from '../../util/logger.js';
import type { Rng } from '../../util/rng.js';
import { hex } from '../../util/hex.js';
import { RecentSet } from '../../util/recent-set.js';
import type { ConsensusMessage, ConsensusReady, MemberId } from '../consensus/index.js';
import { ConnectionQueue, type QueueKey } from './connection-queue.js';
import type { ConnId, LogEntry, Outbound, Ready, SnapshotRequest } from './ready.js';
import { checkAcl, DataTree } from '../tree/index.js';
import { apply, decodeTxn, replayTxn, encodeTxn, PendingChanges, prep, responseOf, type ApplyResult, type Txn, type TxnHeader } from '../txn/index.js';
import { SessionIdGenerator, SessionTable, checkPassword, negotiateTimeout, sessionPassword } from '../session/index.js';
import { WatchManager } from '../watch/index.js';
import { runLocalRequest } from './requests.js';
import { authenticate } from './auth.js';
import { AuthInfo } from './auth-info.js';
import { decodeTouches, GroupLink } from './group-link.js';
import { decodeWriteIntent, encodeWriteIntent, type WriteIntent } from './write-intent.js';
import { decodeStateImage, encodeStateImage } from './state-image.js';
import type { LearnerCounts, ProposalSizeStats } from './ensemble-stats.js';

/** Monotonic and wall milliseconds, given with every input. */
export interface Now {
  readonly nowMs: number;
  readonly wallMs: number;
}

/** What the replica needs to know about its server; parsed from zoo.cfg by the shell. */
export interface ReplicaOptions {
  readonly serverId: number;
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly snapCount: number;
  readonly extendedTypesEnabled: boolean;
  readonly skipAcl: boolean;
  readonly reconfigEnabled: boolean;
  /** `user:BASE64(SHA1)` of the super user, or null. */
  readonly superDigest: string | null;
  /** How often the container/TTL reaper runs (znode.container.checkIntervalMs). */
  readonly containerCheckIntervalMs: number;
  /** Containers never given a child are reaped after this long; 0 = never. */
  readonly containerMaxNeverUsedIntervalMs: number;
  /** Seeded randomness: where to snapshot within [snapCount/2+1, snapCount]. */
  readonly rng: Rng;
  /** The monotonic time at start. */
  readonly startNowMs: number;
  /**
   * Milliseconds on a clock that keeps running across restarts of this server (ZooKeeper uses
   * System.nanoTime, the time since boot), seeding session ids (reference §2.4); defaults to
   * `startNowMs`. A process-relative clock would restart near 0 and hand out ids again.
   */
  readonly sessionIdSeedMs?: number;
  /** The consensus link of an ensemble member; absent standalone. */
  readonly group?: GroupLink;
  /**
   * zoo.cfg `readonlymode.enabled`: an ensemble member without a quorum keeps serving reads to
   * clients that asked for read-only mode (reference §2.3). Off when absent.
   */
  readonly readOnlyModeEnabled?: boolean;
  readonly log?: Logger;
}

/** State recovered from the latest snapshot (plus, standalone, the log), handed to a new replica. */
export interface RecoveredState {
  readonly tree: DataTree;
  readonly sessions: readonly { readonly sessionId: bigint; readonly timeoutMs: number }[];
  /** The zxid of the last txn the tree reflects. */
  readonly zxid: bigint;
}

/** Per-connection state. */
interface Conn {
  readonly id: ConnId;
  readonly remoteAddress: string;
  sessionId: bigint | null;
  /** 'new' until a ConnectRequest, 'connecting' until its response, then 'open'. */
  phase: 'new' | 'connecting' | 'open' | 'closed';
  /** True when the client sent the optional readOnly byte (reference §2.1). */
  newProtocol: boolean;
  /** True when the session was attached while this member was in read-only mode. */
  isReadOnly: boolean;
  /** The auth ids, kept in the order ZooKeeper iterates them (server/replica/auth-info.ts). */
  readonly authInfo: AuthInfo;
  isSuper: boolean;
  readonly queue: ConnectionQueue;
}

/** A local client request waiting for its txn (or its sync) to come back. */
interface Awaiting {
  readonly conn: ConnId;
  readonly xid: number;
  readonly op: number;
  /** The key of its place in the connection's queue. */
  readonly queueKey: QueueKey;
  /** For sync: the path to echo. */
  readonly path?: string;
}

/** An ensemble member's standing for the four-letter words (reference §9.2/§9.3). */
export interface EnsembleView {
  /** mntr `zk_peer_state`: `leading - broadcast`, `following - synchronization`, ... */
  readonly peerState: string;
  /** mntr `zk_quorum_size`: the voting members. */
  readonly quorumSize: number;
  /** Leader-only numbers; null on other members. */
  readonly leader: (LearnerCounts & { readonly pendingSyncs: number; readonly uptimeMs: number; readonly proposalSizes: ProposalSizeStats }) | null;
}

/** Counters the four-letter words and metrics read. */
export interface ReplicaCounters {
  txnsApplied: number;
  sessionsExpired: number;
  authFailures: number;
}

/** The least time without a quorum before read-only mode starts (QuorumPeer's roZkMgr delay). */
const READ_ONLY_DELAY_MS_MIN = 2_000;

/** Forwarded request ids remembered to drop duplicates (the core may deliver one twice). */
const SEEN_REQUEST_IDS_MAX = 100_000;

/** The server's state machine; see the module comment and server/replica/ready.ts. */
export class Replica {
  readonly #opts: ReplicaOptions;
  readonly #log: Logger | undefined;
  readonly #group: GroupLink | null;
  #tree: DataTree;
  readonly #pending = new PendingChanges();
  readonly sessions: SessionTable;
  readonly watches = new WatchManager();
  readonly #ids: SessionIdGenerator;
  readonly #conns = new Map<ConnId, Conn>();
  readonly #connOfSession = new Map<bigint, ConnId>();
  /** Local requests waiting for their txn, by `sessionId:cxid`, or their sync, by `s:<n>`. */
  readonly #awaitingSyncs = new Map<string, Awaiting>();
  /**
   * Local writes waiting for their txn, by sessionId then cxid. Nested maps rather than one map
   * keyed by a `sessionId:cxid` string: turning the bigint into a string for every write and
   * every applied txn cost ~0.5 us each (measured).
   */
  readonly #awaitingWrites = new Map<bigint, Map<number, Awaiting>>();
  /** Numbers the queue places of writes (syncs use their `s:<n>` key). */
  #writeSeq = 0;
  /** Connections waiting for their createSession txn, by session id. */
  readonly #connecting = new Map<bigint, { conn: ConnId; timeoutMs: number }>();
  /** Standalone: txns prepped and logged, not yet durable, in zxid order. */
  readonly #proposals: Txn[] = [];
  /**
   * Ensemble leader: the txns it proposed, by zxid, with the bytes it proposed, so applying its
   * own commits skips decodeTxn. Used only when the committed entry is those very bytes.
   */
  readonly #proposedTxns = new Map<bigint, { readonly data: Uint8Array; readonly txn: Txn }>();
  /** Ensemble leader: intents waiting for room among the outstanding proposals. */
  readonly #leaderQueue: WriteIntent[] = [];
  readonly #seenRequestIds = new RecentSet<bigint>(SEEN_REQUEST_IDS_MAX);
  /**
   * High bits of this run's request ids: the member id and a random incarnation, so a restarted
   * member's ids never repeat ones a leader that stayed up still remembers (it drops repeats).
   */
  readonly #requestIdBase: bigint;
  #requestSeq = 0n;
  #syncSeq = 0;
  #lastProposedZxid: bigint;
  #lastAppliedZxid: bigint;
  #txnsSinceSnapshot = 0;
  #snapshotAt: number;
  #lastReapMs: number | null = null;
  /** When this member last stopped serving (or started), for the read-only delay. */
  #notServingSinceMs: number;
  #now: Now;
  #persist: LogEntry[] = [];
  #out: Outbound[] = [];
  #closes: ConnId[] = [];
  #snapshot: SnapshotRequest | null = null;
  readonly counters: ReplicaCounters = { txnsApplied: 0, sessionsExpired: 0, authFailures: 0 };

  constructor(options: ReplicaOptions, recovered?: RecoveredState) {
    this.#opts = options;
    this.#log = options.log;
    this.#group = options.group ?? null;
    this.#tree = recovered?.tree ?? new DataTree();
    this.sessions = new SessionTable({ tickMs: options.tickTimeMs });
    this.#ids = new SessionIdGenerator(options.serverId, options.sessionIdSeedMs ?? options.startNowMs);
    this.#lastProposedZxid = recovered?.zxid ?? 0n;
    this.#lastAppliedZxid = this.#lastProposedZxid;
    this.#now = { nowMs: options.startNowMs, wallMs: 0 };
    this.#notServingSinceMs = options.startNowMs;
    for (const s of recovered?.sessions ?? []) this.sessions.add(s.sessionId, s.timeoutMs, options.startNowMs);
    this.#snapshotAt = this.#nextSnapshotPoint();
    const incarnation = BigInt(options.rng.int(0, 0xff_ffff));
    this.#requestIdBase = (BigInt(options.serverId) << 56n) | (incarnation << 32n);
  }

  /** The data tree as of `lastAppliedZxid`. */
  get tree(): DataTree {
    return this.#tree;
  }

  /** The zxid of the last txn applied to the tree. */
  get lastAppliedZxid(): bigint {
    return this.#lastAppliedZxid;
  }

  /** Writes prepped but not yet committed (the `Outstanding` of `srvr`). */
  get outstanding(): number {
    return this.#group === null ? this.#proposals.length : this.#pending.size + this.#leaderQueue.length;
  }

  /** The role ZooKeeper's four-letter words print. */
  get mode(): 'standalone' | 'leader' | 'follower' | 'observer' | 'looking' | 'read-only' {
    if (this.#group === null) return 'standalone';
    const status = this.#group.status;
    if (this.isReadOnly) return 'read-only';
    if (!status.isBroadcasting) return 'looking';
    return status.role === 'leading' ? 'leader' : status.role === 'observing' ? 'observer' : 'follower';
  }

  /** What the four-letter words print about the ensemble; null standalone. */
  ensembleView(): EnsembleView | null {
    const group = this.#group;
    if (group === null) return null;
    const status = group.status;
    const uptimeMs = group.stats.leaderUptimeMs(this.#now.nowMs);
    const pendingSyncs = this.#awaitingSyncs.size;
    return {
      peerState: `${status.role} - ${status.phase}`,
      quorumSize: group.voterCount,
      leader:
        group.isLeader && uptimeMs !== null
          ? { ...group.stats.learnerCounts(), pendingSyncs, uptimeMs, proposalSizes: group.stats.proposalSizes }
          : null,
    };
  }

  /** The ensemble link, or null standalone. */
  get group(): GroupLink | null {
    return this.#group;
  }

  /** True while this server may serve clients (always standalone). */
  get isServing(): boolean {
    return this.#group?.isServing ?? true;
  }

  /**
   * True while this member has had no quorum for a while and serves read-only clients
   * (readonlymode.enabled). Like QuorumPeer's LOOKING state, it waits max(2000 ms, tickTime)
   * first, so a short election does not flip clients to read-only and back.
   */
  get isReadOnly(): boolean {
    if (this.#opts.readOnlyModeEnabled !== true || this.#group === null || this.#group.isServing) return false;
    return this.#now.nowMs - this.#notServingSinceMs >= Math.max(READ_ONLY_DELAY_MS_MIN, this.#opts.tickTimeMs);
  }

  /** A connection was accepted by the shell. */
  connectionOpened(conn: ConnId, info: { remoteAddress: string; remotePort: number }): void {
    assert(!this.#conns.has(conn), 'connection id reused');
    // NIOServerCnxn adds the ip id when the connection is made, before any auth packet.
    const authInfo = new AuthInfo();
    authInfo.add({ scheme: 'ip', id: info.remoteAddress });
    this.#conns.set(conn, {
      id: conn,
      remoteAddress: info.remoteAddress,
      sessionId: null,
      phase: 'new',
      newProtocol: true,
      isReadOnly: false,
      authInfo,
      isSuper: false,
      queue: new ConnectionQueue(),
    });
  }

  /** The connection's first frame (reference §2.3). */
  connectRequest(connId: ConnId, req: ConnectRequest, now: Now): void {
    this.#now = now;
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'new') return;
    conn.newProtocol = req.readOnly !== null;
    if (this.isReadOnly) {
      this.#connectReadOnly(conn, req, now);
      return;
    }
    if (!this.isServing) {
      // Not in a broadcasting group: the client must try another server (as ZooKeeper does).
      this.#close(conn);
      return;
    }
    if (req.lastZxidSeen > this.#lastAppliedZxid) {
      // The client has seen a newer state than ours: it must try another server (§2.3 step 3).
      this.#log?.info({ conn: connId, lastZxidSeen: hex(req.lastZxidSeen) }, 'client ahead of server; closing');
      this.#close(conn);
      return;
    }
    const timeoutMs = negotiateTimeout(req.timeOut, this.#opts.minSessionTimeoutMs, this.#opts.maxSessionTimeoutMs);
    conn.phase = 'connecting';
    if (req.sessionId !== 0n) {
      this.#reattach(conn, req, timeoutMs, now);
      return;
    }
    const sessionId = this.#ids.next();
    this.#connecting.set(sessionId, { conn: connId, timeoutMs });
    this.#submit({ kind: 'createSession', requestId: this.#nextRequestId(), sessionId, timeoutMs });
    this.#pumpGroup();
  }

  /**
   * A ConnectRequest while in read-only mode, as ZooKeeper 3.8's ReadOnlyZooKeeperServer answers
   * it (observed on a 3.8.0 ensemble without local sessions): a client that did not ask for
   * read-only is closed without a reply (§2.3 step 2); a new session cannot be created (its
   * createSession is a write: ReadOnlyRequestProcessor replies NOTREADONLY with xid 0 instead of
   * a ConnectResponse, then the connection closes); an existing session re-attaches read-only.
   */
  #connectReadOnly(conn: Conn, req: ConnectRequest, now: Now): void {
    if (req.readOnly !== true || req.lastZxidSeen > this.#lastAppliedZxid) {
      this.#close(conn);
      return;
    }
    if (req.sessionId === 0n) {
      this.#emit({ conn: conn.id, kind: 'reply', header: { xid: 0, zxid: this.#lastAppliedZxid, err: ErrorCode.NotReadOnly }, response: null });
      this.#close(conn);
      return;
    }
    conn.phase = 'connecting';
    conn.isReadOnly = true;
    const timeoutMs = negotiateTimeout(req.timeOut, this.#opts.minSessionTimeoutMs, this.#opts.maxSessionTimeoutMs);
    this.#reattach(conn, req, timeoutMs, now);
  }

  /** Re-attaches an existing session to a new connection (§2.3 step 7). */
  #reattach(conn: Conn, req: ConnectRequest, timeoutMs: number, now: Now): void {
    const previous = this.#connOfSession.get(req.sessionId);
    if (previous !== undefined && previous !== conn.id) {
      const old = this.#conns.get(previous);
      if (old !== undefined) this.#close(old);
    }
    const session = this.sessions.get(req.sessionId);
    const valid = session !== undefined && !session.closing && req.passwd !== null && checkPassword(req.sessionId, req.passwd);
    if (!valid) {
      const zero = { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: this.#ro(conn) };
      this.#emit({ conn: conn.id, kind: 'connect', response: zero });
      this.#close(conn);
      return;
    }
    this.sessions.touch(req.sessionId, timeoutMs, now.nowMs);
    this.#group?.touch(req.sessionId);
    this.#bindSession(conn, req.sessionId);
    this.#emit({
      conn: conn.id,
      kind: 'connect',
      response: { protocolVersion: 0, timeOut: timeoutMs, sessionId: req.sessionId, passwd: sessionPassword(req.sessionId), readOnly: this.#ro(conn) },
    });
  }

  #ro(conn: Conn): boolean | null {
    return conn.newProtocol ? conn.isReadOnly : null;
  }

  #bindSession(conn: Conn, sessionId: bigint): void {
    conn.sessionId = sessionId;
    conn.phase = 'open';
    this.#connOfSession.set(sessionId, conn.id);
  }

  /** A decoded request on an open connection. */
  request(connId: ConnId, header: RequestHeader, request: Request, now: Now): void {
    this.#now = now;
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'open' || conn.sessionId === null) return;
    const sessionId = conn.sessionId;
    if (request.op === OpCode.auth) {
      this.#auth(conn, header, request);
      return;
    }
    if (!this.#admit(conn, sessionId, header, now)) return;
    if (isWrite(request.op)) {
      this.#write(conn, sessionId, header, request);
      this.#pumpGroup();
      return;
    }
    if (request.op === OpCode.sync && this.#group !== null) {
      this.#groupSync(conn, header, request.path);
      this.#pumpGroup();
      return;
    }
    const run = (): readonly Outbound[] =>
      runLocalRequest(
        {
          tree: this.#tree,
          watches: this.watches,
          conn: conn.id,
          sessionId,
          authIds: conn.authInfo.ids,
          isSuper: conn.isSuper,
          skipAcl: this.#opts.skipAcl,
          zxid: this.#lastAppliedZxid,
        },
        header,
        request,
      );
    if (conn.queue.isEmpty) this.#emitAll(run());
    else conn.queue.push({ kind: 'deferred', run });
  }

  /**
   * Checks the session of a request and keeps it alive; answers SESSIONEXPIRED, or NOTREADONLY
   * for a change (or sync) on a read-only connection, and returns false when it did.
   */
  #admit(conn: Conn, sessionId: bigint, header: RequestHeader, now: Now): boolean {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.closing) {
      this.#replyInOrder(conn, header.xid, ErrorCode.SessionExpired, null);
      return false;
    }
    this.sessions.touch(sessionId, undefined, now.nowMs);
    this.#group?.touch(sessionId);
    if (conn.isReadOnly && (isWrite(header.type) || header.type === OpCode.sync)) {
      // ReadOnlyRequestProcessor: every change (and sync) answers NOTREADONLY at the last zxid.
      this.#replyInOrder(conn, header.xid, ErrorCode.NotReadOnly, null);
      return false;
    }
    return true;
  }

  /** A request whose body could not be decoded, or whose opcode is not accepted. */
  badRequest(connId: ConnId, header: RequestHeader, code: number, now: Now): void {
    this.#now = now;
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'open') return;
    if (code === ErrorCode.MarshallingError && isTxnBodyOp(header.type) && conn.sessionId !== null) {
      // PrepRequestProcessor makes the txn header (taking a zxid) before it deserializes a
      // write's body, so an undecodable write is an error txn answered at its own zxid, and the
      // connection stays open (observed on 3.8.0: a multi mixing read and write ops).
      if (!this.#admit(conn, conn.sessionId, header, now)) return;
      this.#write(conn, conn.sessionId, header, null);
      this.#pumpGroup();
      return;
    }
    if (code === ErrorCode.Unimplemented) {
      // Unknown opcodes get zxid -1 and a close (observed, reference §4 last paragraph).
      const frame: Outbound = { conn: conn.id, kind: 'reply', header: { xid: header.xid, zxid: -1n, err: code }, response: null };
      conn.queue.push({ kind: 'done', frames: [frame], closeAfter: true });
      this.#drain(conn);
      return;
    }
    this.#replyInOrder(conn, header.xid, code, null);
  }

  /** The shell lost the socket. Watches belong to the connection and go with it (§7.1). */
  connectionClosed(connId: ConnId): void {
    const conn = this.#conns.get(connId);
    if (conn === undefined) return;
    conn.phase = 'closed';
    conn.queue.clear();
    this.watches.removeConnection(connId);
    if (conn.sessionId !== null && this.#connOfSession.get(conn.sessionId) === connId) {
      this.#connOfSession.delete(conn.sessionId);
    }
    for (const [key, awaiting] of this.#awaitingSyncs) if (awaiting.conn === connId) this.#awaitingSyncs.delete(key);
    for (const [sessionId, bySession] of this.#awaitingWrites) {
      for (const [cxid, awaiting] of bySession) if (awaiting.conn === connId) bySession.delete(cxid);
      if (bySession.size === 0) this.#awaitingWrites.delete(sessionId);
    }
    this.#conns.delete(connId);
  }

  /** Time passes: the leader (or the standalone server) expires sessions and reaps containers. */
  tick(now: Now): void {
    this.#now = now;
    if (this.#preps) {
      this.#expireSessions(now);
      if (this.#lastReapMs === null) this.#lastReapMs = now.nowMs;
      if (now.nowMs - this.#lastReapMs >= this.#opts.containerCheckIntervalMs) {
        this.#lastReapMs = now.nowMs;
        this.#reap(now);
      }
    }
    this.#pumpGroup();
  }

  /** A connection with a peer closed (ensemble only). */
  peerDisconnected(from: MemberId, now: Now): void {
    this.#now = now;
    this.#group?.peerDisconnected(from);
    this.#pumpGroup();
  }

  /** One consensus tick (ensemble only): the shell calls it GROUP_TICKS_PER_TICK_TIME times per tickTime. */
  groupTick(now: Now): void {
    this.#now = now;
    this.#group?.tick();
    this.#pumpGroup();
  }

  /** A consensus message from a peer (ensemble only). */
  peerMessage(from: MemberId, msg: ConsensusMessage, now: Now): void {
    this.#now = now;
    this.#group?.message(from, msg);
    this.#pumpGroup();
  }

  /** The shell made the group's persist batches up to `seq` durable (ensemble only). */
  groupPersisted(seq: number, now: Now): void {
    this.#now = now;
    this.#group?.core.persisted(seq);
    this.#pumpGroup();
  }

  /** True when this member preps writes: standalone, or the broadcasting leader. */
  get #preps(): boolean {
    return this.#group === null || this.#group.isLeader;
  }

  #expireSessions(now: Now): void {
    for (const sessionId of this.sessions.expired(now.nowMs)) {
      this.counters.sessionsExpired++;
      this.#log?.info({ sessionId: hex(sessionId) }, 'session expired');
      const conn = this.#connOf(sessionId);
      if (conn !== undefined) this.#close(conn);
      this.#prepIntent(this.#internalIntent(sessionId, { op: OpCode.closeSession }));
    }
  }

  /** Issues deleteContainer txns for empty containers and expired TTL nodes (§6.5). */
  #reap(now: Now): void {
    const containers = this.#tree.containerCandidates({
      wallMs: now.wallMs,
      maxNeverUsedIntervalMs: this.#opts.containerMaxNeverUsedIntervalMs,
    });
    for (const path of [...containers, ...this.#tree.expiredTtlNodes(now.wallMs)]) {
      // A reaped node that gained a child meanwhile becomes an error txn, as in ZooKeeper.
      this.#prepIntent(this.#internalIntent(0n, { op: OpCode.deleteContainer, path }));
    }
  }

  #internalIntent(sessionId: bigint, request: Request): WriteIntent {
    return { kind: 'request', requestId: this.#nextRequestId(), sessionId, cxid: 0, request, authIds: [], isSuper: true };
  }

  #nextRequestId(): bigint {
    // The low 32 bits wrap after 4G requests, long after the leader forgot the early ones.
    this.#requestSeq = (this.#requestSeq + 1n) & 0xffff_ffffn;
    return BigInt.asIntN(64, this.#requestIdBase | this.#requestSeq);
  }

  /** Queues a write for its reply and submits it; `request` null is a body that did not decode. */
  #write(conn: Conn, sessionId: bigint, header: RequestHeader, request: Request | null): void {
    if (request?.op === OpCode.closeSession) this.sessions.setClosing(sessionId);
    const queueKey = ++this.#writeSeq;
    conn.queue.push({ kind: 'waiting', key: queueKey });
    let bySession = this.#awaitingWrites.get(sessionId);
    if (bySession === undefined) this.#awaitingWrites.set(sessionId, (bySession = new Map()));
    bySession.set(header.xid, { conn: conn.id, xid: header.xid, op: header.type, queueKey });
    const requestId = this.#nextRequestId();
    const cxid = header.xid;
    if (request === null) {
      this.#submit({ kind: 'undecodable', requestId, sessionId, cxid, op: header.type });
      return;
    }
    this.#submit({ kind: 'request', requestId, sessionId, cxid, request, authIds: conn.authInfo.ids, isSuper: conn.isSuper });
  }

  /** Sends a write where it is prepped: here standalone, else through the group to the leader. */
  #submit(intent: WriteIntent): void {
    if (this.#group === null) {
      this.#prepIntent(intent);
      return;
    }
    if (!this.#group.core.request(new Uint8Array(0), encodeWriteIntent(intent))) {
      // The group stopped broadcasting: every client connection is being closed.
      this.#log?.debug({ sessionId: hex(intent.sessionId) }, 'write dropped: not broadcasting');
    }
  }

  /** Preps an intent into a txn and logs (standalone) or proposes (leader) it. */
  #prepIntent(intent: WriteIntent): void {
    const zxid = this.#group === null ? this.#lastProposedZxid + 1n : this.#group.core.nextProposalZxid();
    if (zxid === null) {
      this.#leaderQueue.push(intent);
      return;
    }
    const cxid = intent.kind === 'createSession' ? 0 : intent.cxid;
    const header: TxnHeader = { sessionId: intent.sessionId, cxid, zxid, timeMs: this.#now.wallMs };
    const txn = this.#prep(intent, header);
    this.#pending.add(txn);
    const data = encodeTxn(txn);
    if (this.#group === null) {
      assert(zxid === this.#lastProposedZxid + 1n, 'zxids are proposed in order without gaps');
      this.#lastProposedZxid = zxid;
      this.#proposals.push(txn);
      this.#persist.push({ zxid, data });
      return;
    }
    const proposed = this.#group.core.propose(data);
    assert(proposed === zxid, 'the core proposes at the zxid it announced');
    this.#group.stats.proposed(data.length);
    this.#proposedTxns.set(zxid, { data, txn });
  }

  #prep(intent: WriteIntent, header: TxnHeader): Txn {
    if (intent.kind === 'createSession') {
      return prep({ op: OpCode.createSession, timeoutMs: intent.timeoutMs }, this.#prepContext(header, [], true));
    }
    if (intent.kind === 'undecodable') return { kind: 'error', header, err: ErrorCode.MarshallingError };
    if (intent.request.op === OpCode.reconfig) {
      // Reconfig is disabled by default (RECONFIGDISABLED); a standalone server with it enabled
      // answers Unimplemented (reference §4). Either way it is an error txn using a zxid.
      const err = this.#opts.reconfigEnabled && this.#group === null ? ErrorCode.Unimplemented : ErrorCode.ReconfigDisabled;
      return { kind: 'error', header, err };
    }
    return prep(intent.request, this.#prepContext(header, intent.authIds, intent.isSuper));
  }

  #prepContext(header: TxnHeader, authIds: readonly Id[], isSuper: boolean) {
    return {
      tree: this.#tree,
      pending: this.#pending,
      header,
      authIds,
      isSuper,
      extendedTypesEnabled: this.#opts.extendedTypesEnabled,
      skipAcl: this.#opts.skipAcl,
    };
  }

  /** Standalone: the shell made every txn up to `zxid` durable; commit and apply them. */
  persisted(zxid: bigint): void {
    const touched = new Set<Conn>();
    while (this.#proposals.length > 0 && (this.#proposals[0] as Txn).header.zxid <= zxid) {
      this.#applyTxn(this.#proposals.shift() as Txn, touched);
    }
    for (const conn of touched) this.#drain(conn);
  }

  /** Applies one committed txn: tree, sessions, watches, then the local client's reply. */
  #applyTxn(txn: Txn, touched: Set<Conn>): void {
    const zxid = txn.header.zxid;
    assert(zxid > this.#lastAppliedZxid, 'txns are applied in zxid order');
    const result = apply(txn, this.#tree);
    this.#lastAppliedZxid = zxid;
    if (zxid > this.#lastProposedZxid) this.#lastProposedZxid = zxid;
    this.#pending.applied(zxid);
    this.counters.txnsApplied++;
    const awaiting = this.#takeAwaitingWrite(txn.header.sessionId, txn.header.cxid);
    this.#updateSessions(txn, awaiting);
    this.#fireWatches(result);
    if (txn.kind === 'createSession') this.#finishConnect(txn.header.sessionId);
    else if (awaiting !== undefined) this.#completeWrite(awaiting, zxid, result, touched);
    this.#maybeSnapshot();
  }

  /** The local write waiting for the txn of (`sessionId`, `cxid`), removed; undefined if none. */
  #takeAwaitingWrite(sessionId: bigint, cxid: number): Awaiting | undefined {
    const bySession = this.#awaitingWrites.get(sessionId);
    const awaiting = bySession?.get(cxid);
    if (bySession === undefined || awaiting === undefined) return undefined;
    bySession.delete(cxid);
    if (bySession.size === 0) this.#awaitingWrites.delete(sessionId);
    return awaiting;
  }

  #completeWrite(awaiting: Awaiting, zxid: bigint, result: ApplyResult, touched: Set<Conn>): void {
    const conn = this.#conns.get(awaiting.conn);
    if (conn === undefined) return;
    const reply: Outbound = {
      conn: conn.id,
      kind: 'reply',
      header: { xid: awaiting.xid, zxid, err: result.err },
      response: responseOf(awaiting.op, result),
    };
    conn.queue.complete(awaiting.queueKey, [reply], awaiting.op === OpCode.closeSession);
    touched.add(conn);
  }

  /** Keeps the session table in step with session txns. */
  #updateSessions(txn: Txn, awaiting: Awaiting | undefined): void {
    if (txn.kind === 'createSession') {
      this.sessions.add(txn.header.sessionId, txn.timeoutMs, this.#now.nowMs);
    } else if (txn.kind === 'closeSession') {
      this.sessions.remove(txn.header.sessionId);
      // A client's own close closes after its reply; any other close (expiry) closes now.
      const conn = this.#connOf(txn.header.sessionId);
      if (conn !== undefined && awaiting === undefined) this.#close(conn);
    }
  }

  #connOf(sessionId: bigint): Conn | undefined {
    const connId = this.#connOfSession.get(sessionId);
    return connId === undefined ? undefined : this.#conns.get(connId);
  }

  #finishConnect(sessionId: bigint): void {
    const waiting = this.#connecting.get(sessionId);
    if (waiting === undefined) return;
    this.#connecting.delete(sessionId);
    const conn = this.#conns.get(waiting.conn);
    // The client may have left before its session was made: the session will expire on its own.
    if (conn === undefined || conn.phase !== 'connecting') return;
    this.#bindSession(conn, sessionId);
    this.#emit({
      conn: conn.id,
      kind: 'connect',
      response: { protocolVersion: 0, timeOut: waiting.timeoutMs, sessionId, passwd: sessionPassword(sessionId), readOnly: this.#ro(conn) },
    });
  }

  /**
   * Sends each triggered event to its watchers, before any later reply (§7.4). A watcher without
   * READ on the trigger's ACL does not get the event, and its standard watch is consumed all the
   * same; persistent ones stay (ZOOKEEPER-4799: WatchManager.triggerWatch removes the watch, then
   * ServerCnxn.process drops the event after the same checkACL that reads use).
   */
  #fireWatches(result: ApplyResult): void {
    for (const trigger of result.triggers) {
      for (const connId of this.watches.trigger(trigger.path, trigger.type)) {
        const conn = this.#conns.get(connId);
        if (conn !== undefined && !this.#mayRead(conn, trigger.acl)) continue;
        this.#emit({ conn: connId, kind: 'event', event: { type: trigger.type, state: 3, path: trigger.path } });
      }
    }
  }

  #mayRead(conn: Conn, acl: readonly Acl[]): boolean {
    return checkAcl(acl, Perms.Read, { authIds: conn.authInfo.ids, isSuper: conn.isSuper, skipAcl: this.#opts.skipAcl });
  }

  /** Ensemble `sync`: answered once the leader's commit point is applied here (§8). */
  #groupSync(conn: Conn, header: RequestHeader, path: string): void {
    const key = `s:${++this.#syncSeq}`;
    conn.queue.push({ kind: 'waiting', key });
    this.#awaitingSyncs.set(key, { conn: conn.id, xid: header.xid, op: OpCode.sync, queueKey: key, path });
    this.#group?.core.sync(new TextEncoder().encode(key));
  }

  /** Takes everything the consensus core produced and acts on it, until it is quiet. */
  #pumpGroup(): void {
    const group = this.#group;
    if (group === null) return;
    const touched = new Set<Conn>();
    for (let round = 0; round < 1_000; round++) {
      const wasServing = group.isServing;
      const wasLeader = group.isLeader;
      const rd = group.take();
      if (rd.status !== null) this.#onGroupStatus(wasServing, wasLeader);
      if (rd.persist?.snapshot) this.#installImage(rd.persist.snapshot.zxid, rd.persist.snapshot.data);
      for (const entry of rd.applyCommitted) this.#applyTxn(this.#committedTxn(entry), touched);
      for (const origin of rd.syncsDone) this.#finishSync(new TextDecoder().decode(origin), touched);
      for (const ping of rd.pingData) this.#touchFromLearner(ping.data);
      if (rd.isSnapshotNeeded) group.core.snapshotProvided({ zxid: this.#lastAppliedZxid, data: this.#stateImage() });
      this.#prepForwarded(rd);
      if (!hasWork(rd) && !this.#canDrainLeaderQueue()) break;
    }
    for (const conn of touched) this.#drain(conn);
  }

  /** The txn of a committed entry: the one this leader prepped for those bytes, else decoded. */
  #committedTxn(entry: LogEntry): Txn {
    const proposed = this.#proposedTxns.get(entry.zxid);
    if (proposed === undefined) return decodeTxn(entry.data);
    this.#proposedTxns.delete(entry.zxid);
    return proposed.data === entry.data ? proposed.txn : decodeTxn(entry.data);
  }

  #prepForwarded(rd: ConsensusReady): void {
    if (!this.#group?.isLeader) return;
    while (this.#canDrainLeaderQueue()) this.#prepIntent(this.#leaderQueue.shift() as WriteIntent);
    for (const forwarded of rd.requests) {
      const intent = decodeWriteIntent(forwarded.data);
      if (!this.#seenRequestIds.add(intent.requestId)) continue;
      this.#prepIntent(intent);
    }
  }

  #canDrainLeaderQueue(): boolean {
    return this.#leaderQueue.length > 0 && this.#group?.core.nextProposalZxid() != null;
  }

  #finishSync(key: string, touched: Set<Conn>): void {
    const awaiting = this.#awaitingSyncs.get(key);
    if (awaiting === undefined) return;
    this.#awaitingSyncs.delete(key);
    const conn = this.#conns.get(awaiting.conn);
    if (conn === undefined) return;
    const reply: Outbound = {
      conn: conn.id,
      kind: 'reply',
      header: { xid: awaiting.xid, zxid: this.#lastAppliedZxid, err: ErrorCode.Ok },
      response: { kind: 'path', path: awaiting.path ?? '' },
    };
    conn.queue.complete(key, [reply], false);
    touched.add(conn);
  }

  /** The leader keeps alive the sessions a learner's clients used. */
  #touchFromLearner(data: Uint8Array): void {
    if (!this.#group?.isLeader) return;
    for (const sessionId of decodeTouches(data)) this.sessions.touch(sessionId, undefined, this.#now.nowMs);
  }

  /** Role changes: stop serving clients when the group stops broadcasting; a new leader starts fresh. */
  #onGroupStatus(wasServing: boolean, wasLeader: boolean): void {
    const group = this.#group as GroupLink;
    const status = group.status;
    this.#log?.info({ role: status.role, phase: status.phase, leader: status.leader, epoch: status.epoch, serving: status.isBroadcasting }, 'group status');
    group.stats.roleChanged(group.isLeader, this.#now.nowMs);
    if (wasServing && !group.isServing) this.#notServingSinceMs = this.#now.nowMs;
    if (wasServing !== group.isServing) {
      // Losing the quorum drops every client; regaining it drops the read-only ones, which
      // look for a read-write server again (ZooKeeper shuts its ReadOnlyZooKeeperServer down).
      for (const conn of [...this.#conns.values()]) if (!group.isServing || conn.isReadOnly) this.#close(conn);
    }
    if (wasLeader !== group.isLeader) {
      // Outstanding changes belong to the old leader's term (ZooKeeper clears them likewise).
      this.#pending.clear();
      this.#leaderQueue.length = 0;
      this.#proposedTxns.clear();
      if (group.isLeader) {
        for (const { sessionId, timeoutMs } of this.sessions.sessions()) this.sessions.touch(sessionId, timeoutMs, this.#now.nowMs);
      }
    }
  }

  /** The applied state as one image for a SNAP sync: sessions, then the tree's chunks. */
  #stateImage(): Uint8Array {
    return encodeStateImage(this.sessions.sessions(), this.#tree, this.#lastAppliedZxid);
  }

  /** Replaces the state with a leader's image (SNAP sync). */
  #installImage(zxid: bigint, data: Uint8Array): void {
    const image = decodeStateImage(data);
    this.#tree = image.tree;
    for (const { sessionId } of this.sessions.sessions()) this.sessions.remove(sessionId);
    for (const s of image.sessions) this.sessions.add(s.sessionId, s.timeoutMs, this.#now.nowMs);
    this.#pending.clear();
    this.#lastAppliedZxid = zxid;
    this.#lastProposedZxid = zxid;
    this.#log?.info({ zxid: hex(zxid), nodes: this.#tree.nodeCount }, 'state installed from leader snapshot');
  }

  /** Answers an auth packet at once (the Java server does not queue it, §3.3). */
  #auth(conn: Conn, header: RequestHeader, request: Request & { op: typeof OpCode.auth }): void {
    const outcome = authenticate(request, this.#opts.superDigest);
    const err = outcome.ok ? ErrorCode.Ok : ErrorCode.AuthFailed;
    this.#emit({ conn: conn.id, kind: 'reply', header: { xid: header.xid, zxid: 0n, err }, response: null });
    if (!outcome.ok) {
      this.counters.authFailures++;
      this.#close(conn);
      return;
    }
    for (const id of outcome.ids) conn.authInfo.add(id);
    if (outcome.isSuper) conn.isSuper = true;
  }

  #replyInOrder(conn: Conn, xid: number, err: number, response: Response | null): void {
    const header: ReplyHeader = { xid, zxid: this.#lastAppliedZxid, err };
    const frame: Outbound = { conn: conn.id, kind: 'reply', header, response };
    if (conn.queue.isEmpty) this.#emit(frame);
    else conn.queue.push({ kind: 'done', frames: [frame], closeAfter: false });
  }

  #drain(conn: Conn): void {
    const mustClose = conn.queue.drain((frames) => this.#emitAll(frames));
    if (mustClose) this.#close(conn);
  }

  #emit(frame: Outbound): void {
    this.#out.push(frame);
  }

  #emitAll(frames: readonly Outbound[]): void {
    for (const frame of frames) this.#out.push(frame);
  }

  /** Asks the shell to close a connection; the replica forgets it when told it closed. */
  #close(conn: Conn): void {
    if (conn.phase === 'closed') return;
    conn.phase = 'closed';
    conn.queue.clear();
    this.#closes.push(conn.id);
  }

  #nextSnapshotPoint(): number {
    const half = Math.floor(this.#opts.snapCount / 2);
    return this.#opts.rng.int(half + 1, Math.max(half + 1, this.#opts.snapCount));
  }

  #maybeSnapshot(): void {
    this.#txnsSinceSnapshot++;
    if (this.#txnsSinceSnapshot < this.#snapshotAt) return;
    this.#txnsSinceSnapshot = 0;
    this.#snapshotAt = this.#nextSnapshotPoint();
    this.#snapshot = { zxid: this.#lastAppliedZxid };
  }

  /** Standalone start: replays a durable txn from the log (the same apply as live commits). */
  replay(entry: LogEntry): void {
    if (entry.zxid <= this.#lastAppliedZxid) return;
    const txn = decodeTxn(entry.data);
    assert(txn.header.zxid === entry.zxid, 'log entry zxid matches its txn');
    replayTxn(txn, this.#tree);
    if (txn.kind === 'createSession') this.sessions.add(txn.header.sessionId, txn.timeoutMs, this.#opts.startNowMs);
    if (txn.kind === 'closeSession') this.sessions.remove(txn.header.sessionId);
    this.#lastAppliedZxid = entry.zxid;
    this.#lastProposedZxid = entry.zxid;
  }

  /** Everything the shell must do now; see server/replica/ready.ts. */
  ready(): Ready {
    return {
      persist: this.#persist,
      out: this.#out,
      closes: this.#closes,
      snapshot: this.#snapshot,
      group: this.#group?.drain() ?? null,
    };
  }

  /** The shell took `ready()`; start collecting the next batch. */
  advance(): void {
    this.#persist = [];
    this.#out = [];
    this.#closes = [];
    this.#snapshot = null;
  }

  /** Sessions with their timeouts, for snapshots. */
  sessionList(): { sessionId: bigint; timeoutMs: number }[] {
    return this.sessions.sessions();
  }

  /** The session of a connection, for the four-letter words. */
  connectionSession(conn: ConnId): bigint | null {
    return this.#conns.get(conn)?.sessionId ?? null;
  }
}

function hasWork(rd: ConsensusReady): boolean {
  return (
    rd.requests.length > 0 ||
    rd.applyCommitted.length > 0 ||
    rd.syncsDone.length > 0 ||
    rd.pingData.length > 0 ||
    rd.isSnapshotNeeded ||
    rd.status !== null ||
    rd.send.length > 0 ||
    rd.persist !== null
  );
}

/**
 * True for the writes whose body PrepRequestProcessor deserializes after it made the txn header:
 * every write but reconfig (deserialized first) and closeSession (no body).
 */
function isTxnBodyOp(op: number): boolean {
  return isWrite(op) && op !== OpCode.reconfig && op !== OpCode.closeSession;
}

/** True for ops that become transactions (reference §4 class W, plus closeSession). */
export function isWrite(op: number): boolean {
  switch (op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
    case OpCode.delete:
    case OpCode.deleteContainer:
    case OpCode.setData:
    case OpCode.setACL:
    case OpCode.check:
    case OpCode.multi:
    case OpCode.reconfig:
    case OpCode.closeSession:
      return true;
    default:
      return false;
  }
}
