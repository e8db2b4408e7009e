/**
 * The whole server's logic as one pure state machine (STYLE.md §2): sessions, the write
 * pipeline prep -> log -> commit -> apply -> reply, reads, watches and their events.
 * Today it runs as a one-member group (standalone): a write commits once the local log has
 * made it durable, which the shell reports through `persisted(zxid)`.
 *
 * Pure: no I/O, no clock, no randomness of its own. Time arrives with each input.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode } from '../../protocol/opcodes.js';
import type {
  ConnectRequest,
  Id,
  ReplyHeader,
  Request,
  RequestHeader,
  Response,
} from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import type { Logger } from '../../util/logger.js';
import type { Rng } from '../../util/rng.js';
import { hex } from '../../util/hex.js';
import { ConnectionQueue } from './connection-queue.js';
import type { ConnId, LogEntry, Outbound, Ready, SnapshotRequest } from './ready.js';
import { DataTree } from '../tree/index.js';
import {
  apply,
  decodeTxn,
  encodeTxn,
  PendingChanges,
  prep,
  responseOf,
  type ApplyResult,
  type Txn,
  type TxnHeader,
} from '../txn/index.js';
import {
  SessionIdGenerator,
  SessionTable,
  checkPassword,
  negotiateTimeout,
  sessionPassword,
} from '../session/index.js';
import { WatchManager } from '../watch/index.js';
import { runLocalRequest } from './requests.js';
import { authenticate } from './auth.js';

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
  /** The monotonic time at start, seeding session ids (reference §2.4). */
  readonly startNowMs: number;
  readonly log?: Logger;
}

/** State recovered from the latest snapshot plus the log, handed to a new replica. */
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
  readonly authIds: Id[];
  isSuper: boolean;
  readonly queue: ConnectionQueue;
}

/** Where a committed txn's outcome must go. */
type Origin =
  | { readonly kind: 'request'; readonly conn: ConnId; readonly xid: number; readonly op: number }
  | { readonly kind: 'connect'; readonly conn: ConnId; readonly timeoutMs: number }
  | { readonly kind: 'internal' };

interface Proposal {
  readonly zxid: bigint;
  readonly txn: Txn;
  readonly origin: Origin;
}

/** Counters the four-letter words and metrics read. */
export interface ReplicaCounters {
  txnsApplied: number;
  sessionsExpired: number;
  authFailures: number;
}

/** The server's state machine; see the module comment and server/replica/ready.ts. */
export class Replica {
  readonly #opts: ReplicaOptions;
  readonly #log: Logger | undefined;
  readonly tree: DataTree;
  readonly #pending = new PendingChanges();
  readonly sessions: SessionTable;
  readonly watches = new WatchManager();
  readonly #ids: SessionIdGenerator;
  readonly #conns = new Map<ConnId, Conn>();
  readonly #connOfSession = new Map<bigint, ConnId>();
  /** Proposed, not yet durable, in zxid order. */
  readonly #proposals: Proposal[] = [];
  /** The last zxid given out. */
  #lastProposedZxid: bigint;
  /** The last zxid applied to the tree. */
  #lastAppliedZxid: bigint;
  #txnsSinceSnapshot = 0;
  #snapshotAt: number;
  #lastReapMs: number | null = null;
  #persist: LogEntry[] = [];
  #out: Outbound[] = [];
  #closes: ConnId[] = [];
  #snapshot: SnapshotRequest | null = null;
  readonly counters: ReplicaCounters = { txnsApplied: 0, sessionsExpired: 0, authFailures: 0 };

  constructor(options: ReplicaOptions, recovered?: RecoveredState) {
    this.#opts = options;
    this.#log = options.log;
    this.tree = recovered?.tree ?? new DataTree();
    this.sessions = new SessionTable({ tickMs: options.tickTimeMs });
    this.#ids = new SessionIdGenerator(options.serverId, options.startNowMs);
    this.#lastProposedZxid = recovered?.zxid ?? 0n;
    this.#lastAppliedZxid = this.#lastProposedZxid;
    for (const s of recovered?.sessions ?? []) {
      this.sessions.add(s.sessionId, s.timeoutMs, options.startNowMs);
    }
    this.#snapshotAt = this.#nextSnapshotPoint();
  }

  /** The zxid of the last txn applied to the tree. */
  get lastAppliedZxid(): bigint {
    return this.#lastAppliedZxid;
  }

  /** Requests prepped but not yet committed (the `Outstanding` of `srvr`). */
  get outstanding(): number {
    return this.#proposals.length;
  }

  /** A connection was accepted by the shell. */
  connectionOpened(conn: ConnId, info: { remoteAddress: string; remotePort: number }): void {
    assert(!this.#conns.has(conn), 'connection id reused');
    this.#conns.set(conn, {
      id: conn,
      remoteAddress: info.remoteAddress,
      sessionId: null,
      phase: 'new',
      newProtocol: true,
      authIds: [{ scheme: 'ip', id: info.remoteAddress }],
      isSuper: false,
      queue: new ConnectionQueue(),
    });
  }

  /** The connection's first frame (reference §2.3). */
  connectRequest(connId: ConnId, req: ConnectRequest, now: Now): void {
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'new') return;
    conn.newProtocol = req.readOnly !== null;
    if (req.lastZxidSeen > this.#lastAppliedZxid) {
      // The client has seen a newer state than ours: it must try another server (§2.3 step 3).
      this.#log?.info({ conn: connId, lastZxidSeen: hex(req.lastZxidSeen) }, 'client ahead of server; closing');
      this.#close(conn);
      return;
    }
    const timeoutMs = negotiateTimeout(req.timeOut, this.#opts.minSessionTimeoutMs, this.#opts.maxSessionTimeoutMs);
    conn.phase = 'connecting';
    if (req.sessionId === 0n) {
      const sessionId = this.#ids.next();
      const header = this.#header(sessionId, 0, now);
      const txn = prep({ op: OpCode.createSession, timeoutMs }, this.#prepContext(header, [], true));
      this.#proposeTxn(txn, { kind: 'connect', conn: connId, timeoutMs });
      return;
    }
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
    const valid =
      session !== undefined && !session.closing && req.passwd !== null && checkPassword(req.sessionId, req.passwd);
    if (!valid) {
      this.#emit({
        conn: conn.id,
        kind: 'connect',
        response: { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: this.#ro(conn) },
      });
      this.#close(conn);
      return;
    }
    this.sessions.touch(req.sessionId, timeoutMs, now.nowMs);
    this.#bindSession(conn, req.sessionId);
    this.#emit({
      conn: conn.id,
      kind: 'connect',
      response: {
        protocolVersion: 0,
        timeOut: timeoutMs,
        sessionId: req.sessionId,
        passwd: sessionPassword(req.sessionId),
        readOnly: this.#ro(conn),
      },
    });
  }

  #ro(conn: Conn): boolean | null {
    return conn.newProtocol ? false : null;
  }

  #bindSession(conn: Conn, sessionId: bigint): void {
    conn.sessionId = sessionId;
    conn.phase = 'open';
    this.#connOfSession.set(sessionId, conn.id);
  }

  /** A decoded request on an open connection. */
  request(connId: ConnId, header: RequestHeader, request: Request, now: Now): void {
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'open' || conn.sessionId === null) return;
    const sessionId = conn.sessionId;
    if (request.op === OpCode.auth) {
      this.#auth(conn, header, request);
      return;
    }
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.closing) {
      this.#replyInOrder(conn, header.xid, ErrorCode.SessionExpired, null);
      return;
    }
    this.sessions.touch(sessionId, undefined, now.nowMs);
    if (isWrite(request.op)) {
      this.#write(conn, sessionId, header, request, now);
      return;
    }
    const run = (): readonly Outbound[] =>
      runLocalRequest(
        {
          tree: this.tree,
          watches: this.watches,
          conn: conn.id,
          sessionId,
          authIds: conn.authIds,
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

  /** A request whose body could not be decoded, or whose opcode is not accepted. */
  badRequest(connId: ConnId, header: RequestHeader, code: number): void {
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'open') return;
    if (code === ErrorCode.Unimplemented) {
      // Unknown opcodes get zxid -1 and a close (observed, reference §4 last paragraph).
      conn.queue.push({
        kind: 'done',
        frames: [{ conn: conn.id, kind: 'reply', header: { xid: header.xid, zxid: -1n, err: code }, response: null }],
        closeAfter: true,
      });
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
    this.#conns.delete(connId);
  }

  /** Time passes: expire sessions and reap containers and TTL nodes. */
  tick(now: Now): void {
    this.#lastNowMs = now.nowMs;
    for (const sessionId of this.sessions.expired(now.nowMs)) {
      this.counters.sessionsExpired++;
      this.#log?.info({ sessionId: hex(sessionId) }, 'session expired');
      const connId = this.#connOfSession.get(sessionId);
      const conn = connId === undefined ? undefined : this.#conns.get(connId);
      if (conn !== undefined) this.#close(conn);
      const header = this.#header(sessionId, 0, now);
      this.#proposeTxn(prep({ op: OpCode.closeSession }, this.#prepContext(header, [], true)), { kind: 'internal' });
    }
    if (this.#lastReapMs === null) this.#lastReapMs = now.nowMs;
    if (now.nowMs - this.#lastReapMs >= this.#opts.containerCheckIntervalMs) {
      this.#lastReapMs = now.nowMs;
      this.#reap(now);
    }
  }

  /** Issues deleteContainer txns for empty containers and expired TTL nodes (§6.5). */
  #reap(now: Now): void {
    const containers = this.tree.containerCandidates({
      wallMs: now.wallMs,
      maxNeverUsedIntervalMs: this.#opts.containerMaxNeverUsedIntervalMs,
    });
    const paths = [...containers, ...this.tree.expiredTtlNodes(now.wallMs)];
    for (const path of paths) {
      const header = this.#header(0n, 0, now);
      // A reaped node that gained a child meanwhile becomes an error txn, as in ZooKeeper.
      this.#proposeTxn(prep({ op: OpCode.deleteContainer, path }, this.#prepContext(header, [], true)), {
        kind: 'internal',
      });
    }
  }

  /** The shell made every txn up to `zxid` durable: commit and apply them in order. */
  persisted(zxid: bigint): void {
    const touched = new Set<Conn>();
    while (this.#proposals.length > 0 && (this.#proposals[0] as Proposal).zxid <= zxid) {
      const proposal = this.#proposals.shift() as Proposal;
      this.#commit(proposal, touched);
    }
    for (const conn of touched) this.#drain(conn);
  }

  #commit(proposal: Proposal, touched: Set<Conn>): void {
    assert(proposal.zxid === this.#lastAppliedZxid + 1n, 'commits are applied in zxid order');
    const result = apply(proposal.txn, this.tree);
    this.#lastAppliedZxid = proposal.zxid;
    this.#pending.applied(proposal.zxid);
    this.counters.txnsApplied++;
    this.#afterApply(proposal);
    this.#fireWatches(result);
    const origin = proposal.origin;
    if (origin.kind === 'connect') {
      this.#finishConnect(origin.conn, proposal.txn.header.sessionId, origin.timeoutMs, proposal.zxid);
    } else if (origin.kind === 'request') {
      const conn = this.#conns.get(origin.conn);
      if (conn !== undefined) {
        const header = { xid: origin.xid, zxid: proposal.zxid, err: result.err };
        const reply: Outbound = { conn: conn.id, kind: 'reply', header, response: responseOf(origin.op, result) };
        conn.queue.complete(proposal.zxid, [reply], origin.op === OpCode.closeSession);
        touched.add(conn);
      }
    }
    this.#maybeSnapshot();
  }

  /** Keeps the session table in step with session txns. */
  #afterApply(proposal: Proposal): void {
    const txn = proposal.txn;
    if (txn.kind === 'createSession') {
      this.sessions.add(txn.header.sessionId, txn.timeoutMs, this.#lastNowMs);
    } else if (txn.kind === 'closeSession') {
      this.sessions.remove(txn.header.sessionId);
      const connId = this.#connOfSession.get(txn.header.sessionId);
      // Expiry already closed the connection; an explicit close closes after its reply.
      if (connId !== undefined && proposal.origin.kind === 'internal') {
        const conn = this.#conns.get(connId);
        if (conn !== undefined) this.#close(conn);
      }
    }
  }

  /** The latest monotonic time an input carried; stamps sessions created by commits. */
  #lastNowMs = 0;

  #finishConnect(connId: ConnId, sessionId: bigint, timeoutMs: number, zxid: bigint): void {
    const conn = this.#conns.get(connId);
    if (conn === undefined || conn.phase !== 'connecting') {
      // The client left before its session was made: the session will expire on its own.
      return;
    }
    this.#bindSession(conn, sessionId);
    void zxid;
    this.#emit({
      conn: conn.id,
      kind: 'connect',
      response: {
        protocolVersion: 0,
        timeOut: timeoutMs,
        sessionId,
        passwd: sessionPassword(sessionId),
        readOnly: this.#ro(conn),
      },
    });
  }

  /** Sends each triggered event to its watchers, before any later reply (§7.4). */
  #fireWatches(result: ApplyResult): void {
    for (const trigger of result.triggers) {
      for (const conn of this.watches.trigger(trigger.path, trigger.type)) {
        this.#emit({
          conn,
          kind: 'event',
          event: { type: trigger.type, state: 3, path: trigger.path },
        });
      }
    }
  }

  #write(conn: Conn, sessionId: bigint, header: RequestHeader, request: Request, now: Now): void {
    if (request.op === OpCode.closeSession) this.sessions.setClosing(sessionId);
    const txnHeader = this.#header(sessionId, header.xid, now);
    const txn = this.#prepWrite(conn, txnHeader, request);
    conn.queue.push({ kind: 'waiting', zxid: txnHeader.zxid });
    this.#proposeTxn(txn, { kind: 'request', conn: conn.id, xid: header.xid, op: request.op });
  }

  #prepWrite(conn: Conn, header: TxnHeader, request: Request): Txn {
    if (request.op === OpCode.reconfig) {
      // Reconfig is disabled by default; standalone with it enabled answers Unimplemented (§4).
      const err = this.#opts.reconfigEnabled ? ErrorCode.Unimplemented : ErrorCode.ReconfigDisabled;
      return { kind: 'error', header, err };
    }
    return prep(request, this.#prepContext(header, conn.authIds, conn.isSuper));
  }

  #prepContext(header: TxnHeader, authIds: readonly Id[], isSuper: boolean) {
    return {
      tree: this.tree,
      pending: this.#pending,
      header,
      authIds,
      isSuper,
      extendedTypesEnabled: this.#opts.extendedTypesEnabled,
      skipAcl: this.#opts.skipAcl,
    };
  }

  /** Assigns the next zxid and stamps the txn header. */
  #header(sessionId: bigint, cxid: number, now: Now): TxnHeader {
    this.#lastNowMs = now.nowMs;
    return { sessionId, cxid, zxid: this.#lastProposedZxid + 1n, timeMs: now.wallMs };
  }

  #proposeTxn(txn: Txn, origin: Origin): void {
    const zxid = txn.header.zxid;
    assert(zxid === this.#lastProposedZxid + 1n, 'zxids are proposed in order without gaps');
    this.#lastProposedZxid = zxid;
    this.#pending.add(txn);
    this.#proposals.push({ zxid, txn, origin });
    this.#persist.push({ zxid, data: encodeTxn(txn) });
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
    if (!conn.authIds.some((id) => id.scheme === outcome.id.scheme && id.id === outcome.id.id)) {
      // The implicit ip id stays last, as whoAmI lists it (observed, reference §5.4).
      conn.authIds.splice(conn.authIds.length - 1, 0, outcome.id);
    }
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

  /** Replays a txn from the log at startup (the same apply as live commits). */
  replay(entry: LogEntry): void {
    if (entry.zxid <= this.#lastAppliedZxid) return;
    const txn = decodeTxn(entry.data);
    assert(txn.header.zxid === entry.zxid, 'log entry zxid matches its txn');
    apply(txn, this.tree);
    if (txn.kind === 'createSession') this.sessions.add(txn.header.sessionId, txn.timeoutMs, this.#opts.startNowMs);
    if (txn.kind === 'closeSession') this.sessions.remove(txn.header.sessionId);
    this.#lastAppliedZxid = entry.zxid;
    this.#lastProposedZxid = entry.zxid;
  }

  /** Everything the shell must do now; see server/replica/ready.ts. */
  ready(): Ready {
    return { persist: this.#persist, out: this.#out, closes: this.#closes, snapshot: this.#snapshot };
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

  /** Connection info for the four-letter words. */
  connectionSession(conn: ConnId): bigint | null {
    return this.#conns.get(conn)?.sessionId ?? null;
  }
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
