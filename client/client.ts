/**
 * ZkClient: the promise API over one ZooKeeper session. This is the client's I/O shell: it
 * owns the transport and the real timers, and feeds the pure Session, RequestQueue and
 * WatchRegistry.
 */
import {
  AddWatchMode,
  ErrorCode,
  EventType,
  KeeperState,
  OpCode,
  ProtocolError,
  REPLY_HEADER_BYTES,
  WatcherType,
  Xid,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectFrame,
  encodeRequest,
  zkErrorFromCode,
} from '../protocol/index.js';
import type { Acl, ClientInfo, MultiOp, Request, Response, ReplyHeader, Stat, ZkError } from '../protocol/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Deferred, deferred } from '../util/deferred.js';
import { hex } from '../util/hex.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { type Rng, randomRng } from '../util/rng.js';
import { toClientPath, toServerPath } from './chroot.js';
import { EventStream } from './event-stream.js';
import { HostList, type HostPort, parseConnectString } from './host-list.js';
import {
  type CreateOptions,
  type NodeData,
  type OpResult,
  type ReadResult,
  checkPath,
  createRequest,
  readResults,
  toBytes,
  transactionOutcome,
} from './ops.js';
import { type QueuedRequest, RequestQueue } from './request-queue.js';
import { Session, type SessionState, isConnected, isTerminal } from './session.js';
import { Transaction } from './transaction.js';
import { Transport } from './transport.js';
import { type WatchKind, type WatchListener, type WatchedEvent, WatchRegistry, setWatchesRequests } from './watch-registry.js';

/** Options of a ZkClient; every field has a default. */
export interface ZkClientOptions {
  /** Session timeout asked of the server (it clamps it to its min/max). Default 30 000. */
  readonly sessionTimeoutMs?: number;
  /** How long a request made while disconnected waits for a connection. Default: the session timeout. */
  readonly requestTimeoutMs?: number;
  /** Backoff after every host failed once: from this … */
  readonly backoffMsMin?: number;
  /** … doubling up to this. */
  readonly backoffMsMax?: number;
  /** Requests allowed to wait for a connection at once; more are refused with ConnectionLoss. */
  readonly maxWaitingRequests?: number;
  /** Unread events an async iterator may hold before it fails. */
  readonly maxQueuedEvents?: number;
  /** How often the session timers are checked. Default 100 ms. */
  readonly tickMs?: number;
  /**
   * ZooKeeper's canBeReadOnly: accept a member that lost its quorum and serves reads only
   * (state `connectedReadOnly`; writes fail with NotReadOnly). Default false.
   */
  readonly canBeReadOnly?: boolean;
  readonly log?: Logger;
  readonly rng?: Rng;
  readonly clock?: Clock;
}

/** The persistent watch modes of addWatch (reference §5.4). */
export type AddWatchModeName = 'persistent' | 'persistentRecursive';

/** Which watches removeWatches removes (WatcherType; 3.8 servers know only these three). */
export type WatcherTypeName = 'children' | 'data' | 'any';

/** Options of the reads that can leave a one-shot watch. */
export interface WatchOptions {
  readonly watch?: WatchListener;
}

/** Listener of connection state changes. */
export type StateListener = (state: SessionState) => void;

/** A stored credential, re-sent after every reconnect, with the callers waiting for its next reply. */
interface AuthInfo {
  readonly scheme: string;
  readonly auth: Uint8Array;
  readonly waiters: Deferred<void>[];
}

/** What a pending request does with its reply. */
interface PendingContext {
  /** The client path named in errors. */
  readonly path: string | undefined;
  readonly deferred: Deferred<Response> | undefined;
  /** Runs with the reply's error code before the promise settles (watch registration). */
  readonly onReply: ((err: number) => void) | undefined;
}

const kindsOfWatcherType: Readonly<Record<WatcherTypeName, readonly WatchKind[]>> = {
  children: ['child'],
  data: ['data', 'exist'],
  any: ['data', 'exist', 'child', 'persistent', 'persistentRecursive'],
};

const wireWatcherType: Readonly<Record<WatcherTypeName, number>> = {
  children: WatcherType.Children,
  data: WatcherType.Data,
  any: WatcherType.Any,
};

/** A ZooKeeper client: one session, pipelined requests, watches, connection states. */
export class ZkClient {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #chroot: string | undefined;
  readonly #hosts: HostList;
  readonly #session: Session;
  readonly #queue: RequestQueue<PendingContext>;
  readonly #registry = new WatchRegistry();
  readonly #requestTimeoutMs: number;
  readonly #maxQueuedEvents: number;
  readonly #tickMs: number;
  readonly #auths: AuthInfo[] = [];
  /** One slot per auth packet in flight, in send order: the callers waiting for its reply. */
  readonly #authSlots: Deferred<void>[][] = [];
  readonly #stateListeners = new Set<StateListener>();
  readonly #stateStreams = new Set<EventStream<SessionState>>();
  readonly #watchStreams = new Set<EventStream<WatchedEvent>>();
  #transport: Transport | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #isStarted = false;
  #isClosing = false;
  /** A flush is queued for the end of this tick (see #scheduleFlush). */
  #isFlushScheduled = false;

  constructor(connectString: string, options: ZkClientOptions = {}) {
    const parsed = parseConnectString(connectString);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.#log = (options.log ?? silentLogger()).child({ component: 'client' });
    this.#clock = options.clock ?? systemClock;
    this.#chroot = parsed.chroot;
    this.#hosts = new HostList(parsed.hosts, options.rng ?? randomRng(), {
      backoffMsMin: options.backoffMsMin ?? 100,
      backoffMsMax: options.backoffMsMax ?? 5_000,
    });
    this.#session = new Session({
      clock: this.#clock,
      sessionTimeoutMs,
      hostCount: parsed.hosts.length,
      canBeReadOnly: options.canBeReadOnly ?? false,
    });
    this.#queue = new RequestQueue({ maxWaiting: options.maxWaitingRequests ?? 10_000 });
    this.#requestTimeoutMs = options.requestTimeoutMs ?? sessionTimeoutMs;
    this.#maxQueuedEvents = options.maxQueuedEvents ?? 10_000;
    this.#tickMs = options.tickMs ?? 100;
  }

  /** The current connection state. */
  get state(): SessionState {
    return this.#session.state;
  }

  /** The session id (0n before the first connection). */
  get sessionId(): bigint {
    return this.#session.sessionId;
  }

  /** The session timeout the server granted (0 before the first connection). */
  get negotiatedTimeoutMs(): number {
    return this.#session.negotiatedTimeoutMs;
  }

  /** The highest zxid seen in a reply. */
  get lastZxidSeen(): bigint {
    return this.#session.lastZxidSeen;
  }

  /**
   * Starts connecting and resolves once connected (read-only counts when `canBeReadOnly`);
   * rejects on expiry, auth failure, close or timeout.
   */
  async connect(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (!this.#isStarted) {
      this.#isStarted = true;
      this.#ticker = setInterval(() => this.#onTick(), this.#tickMs);
      this.#connectNext();
    }
    await this.#untilConnected(options.timeoutMs ?? this.#requestTimeoutMs);
  }

  /** Closes the session (closeSession, so its ephemerals go at once) and the connection. */
  async close(): Promise<void> {
    if (this.#session.state === 'closed') return;
    if (isConnected(this.#session.state) && !this.#isClosing) {
      // Set first: the server closes the socket right after its reply, and that must not
      // look like a connection loss to reconnect from.
      this.#isClosing = true;
      try {
        await this.#submit({ op: OpCode.closeSession }, undefined);
      } catch (err) {
        // The session is being abandoned either way; the server expires it if the close was lost.
        this.#log.debug({ err }, 'closeSession failed');
      }
    }
    this.#shutdown('closed');
  }

  /** Drops the connection at once without closeSession (the server expires the session later). */
  destroy(): void {
    if (this.#session.state === 'closed') return;
    this.#shutdown('closed');
  }

  /** Subscribes to connection state changes; returns the unsubscribe function. */
  onState(listener: StateListener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Every later connection state, as an async iterator that ends after a terminal state. */
  states(): AsyncIterableIterator<SessionState> {
    const stream: EventStream<SessionState> = new EventStream<SessionState>({
      maxQueued: this.#maxQueuedEvents,
      onReturn: () => {
        this.#stateStreams.delete(stream);
        return Promise.resolve();
      },
    });
    if (isTerminal(this.#session.state)) stream.end();
    else this.#stateStreams.add(stream);
    return stream;
  }

  /** Creates a znode and returns its actual path (with any sequence suffix). */
  async create(path: string, data?: NodeData, options: CreateOptions = {}): Promise<string> {
    const result = await this.#create(path, data, options, OpCode.create);
    return result.path;
  }

  /** Creates a znode and returns its actual path and Stat (create2). */
  async create2(path: string, data?: NodeData, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const result = await this.#create(path, data, options, OpCode.create2);
    if (result.stat === undefined) throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return { path: result.path, stat: result.stat };
  }

  async #create(
    path: string,
    data: NodeData | undefined,
    options: CreateOptions,
    plainOp: typeof OpCode.create | typeof OpCode.create2,
  ): Promise<{ path: string; stat: Stat | undefined }> {
    const mode = options.mode ?? 'persistent';
    checkPath(path, mode);
    const request = createRequest(this.#serverPath(path), data, options, plainOp, path);
    const res = await this.#submit(request, path);
    if (res.kind === 'create') return { path: this.#clientPath(res.path), stat: undefined };
    if (res.kind === 'create2') return { path: this.#clientPath(res.path), stat: res.stat };
    throw zkErrorFromCode(ErrorCode.MarshallingError, path);
  }

  /** Deletes a znode; `version` -1 matches any version. */
  async delete(path: string, version = -1): Promise<void> {
    checkPath(path);
    await this.#submit({ op: OpCode.delete, path: this.#serverPath(path), version }, path);
  }

  /** The znode's Stat, or null when it does not exist; a watch is set either way. */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    checkPath(path);
    const watch = options.watch;
    const onReply =
      watch === undefined
        ? undefined
        : (err: number): void => {
            // ExistsWatchRegistration: a data watch if the node exists, an exist watch if not.
            if (err === ErrorCode.Ok) this.#registry.add('data', path, watch);
            else if (err === ErrorCode.NoNode) this.#registry.add('exist', path, watch);
          };
    const request: Request = { op: OpCode.exists, path: this.#serverPath(path), watch: watch !== undefined };
    try {
      const res = await this.#submit(request, path, onReply);
      return res.kind === 'stat' ? res.stat : null;
    } catch (err) {
      if (isCode(err, ErrorCode.NoNode)) return null;
      throw err;
    }
  }

  /** The znode's data (null when it was set to null) and Stat. */
  async getData(path: string, options: WatchOptions = {}): Promise<{ data: Uint8Array | null; stat: Stat }> {
    checkPath(path);
    const request: Request = { op: OpCode.getData, path: this.#serverPath(path), watch: options.watch !== undefined };
    const res = await this.#submit(request, path, this.#registerOnOk('data', path, options.watch));
    if (res.kind !== 'getData') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return { data: res.data, stat: res.stat };
  }

  /** Sets the znode's data; `version` -1 matches any version. Returns the new Stat. */
  async setData(path: string, data: NodeData, version = -1): Promise<Stat> {
    checkPath(path);
    const res = await this.#submit({ op: OpCode.setData, path: this.#serverPath(path), data: toBytes(data), version }, path);
    return statOf(res, path);
  }

  /** The znode's ACL and Stat. */
  async getACL(path: string): Promise<{ acl: readonly Acl[]; stat: Stat }> {
    checkPath(path);
    const res = await this.#submit({ op: OpCode.getACL, path: this.#serverPath(path) }, path);
    if (res.kind !== 'getACL') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return { acl: res.acl, stat: res.stat };
  }

  /** Replaces the znode's ACL; `version` is compared with aversion (-1 matches any). */
  async setACL(path: string, acl: readonly Acl[], version = -1): Promise<Stat> {
    checkPath(path);
    const res = await this.#submit({ op: OpCode.setACL, path: this.#serverPath(path), acl, version }, path);
    return statOf(res, path);
  }

  /** The names of the znode's children (unordered). */
  async getChildren(path: string, options: WatchOptions = {}): Promise<string[]> {
    checkPath(path);
    const request: Request = { op: OpCode.getChildren, path: this.#serverPath(path), watch: options.watch !== undefined };
    const res = await this.#submit(request, path, this.#registerOnOk('child', path, options.watch));
    if (res.kind !== 'getChildren') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return [...res.children];
  }

  /** The names of the znode's children and its Stat (getChildren2). */
  async getChildrenWithStat(path: string, options: WatchOptions = {}): Promise<{ children: string[]; stat: Stat }> {
    checkPath(path);
    const request: Request = { op: OpCode.getChildren2, path: this.#serverPath(path), watch: options.watch !== undefined };
    const res = await this.#submit(request, path, this.#registerOnOk('child', path, options.watch));
    if (res.kind !== 'getChildren2') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return { children: [...res.children], stat: res.stat };
  }

  /** Waits until the server this client talks to has caught up with the leader. */
  async sync(path: string): Promise<void> {
    checkPath(path);
    await this.#submit({ op: OpCode.sync, path: this.#serverPath(path) }, path);
  }

  /** Starts a transaction (multi): add ops, then commit() them all or none. */
  transaction(): Transaction {
    return new Transaction({
      toServerPath: (p) => this.#serverPath(p),
      commit: (ops, paths, names) => this.#commit(ops, paths, names),
    });
  }

  async #commit(ops: readonly MultiOp[], paths: readonly string[], names: readonly string[]): Promise<OpResult[]> {
    if (ops.length === 0) return [];
    const res = await this.#submit({ op: OpCode.multi, ops }, undefined);
    if (res.kind !== 'multi') throw zkErrorFromCode(ErrorCode.MarshallingError);
    const outcome = transactionOutcome(res.results, paths, names, (p) => this.#clientPath(p));
    if (!outcome.ok) throw outcome.error;
    return outcome.results;
  }

  /** Several reads in one round trip; each succeeds or fails on its own (multiRead, 3.6+). */
  async multiRead(ops: readonly { readonly op: 'getData' | 'getChildren'; readonly path: string }[]): Promise<ReadResult[]> {
    if (ops.length === 0) return [];
    const wireOps: MultiOp[] = ops.map((o) => {
      checkPath(o.path);
      const op = o.op === 'getData' ? OpCode.getData : OpCode.getChildren;
      return { op, path: this.#serverPath(o.path), watch: false };
    });
    const res = await this.#submit({ op: OpCode.multiRead, ops: wireOps }, undefined);
    if (res.kind !== 'multi') throw zkErrorFromCode(ErrorCode.MarshallingError);
    return readResults(res.results, ops.map((o) => o.path));
  }

  /** Adds a persistent (or persistent recursive) watch that calls `listener` for every event. */
  async addWatch(path: string, mode: AddWatchModeName, listener: WatchListener): Promise<void> {
    checkPath(path);
    const wireMode = mode === 'persistent' ? AddWatchMode.Persistent : AddWatchMode.PersistentRecursive;
    const onReply = (err: number): void => {
      if (err === ErrorCode.Ok) this.#registry.add(mode, path, listener);
    };
    await this.#submit({ op: OpCode.addWatch, path: this.#serverPath(path), mode: wireMode }, path, onReply);
  }

  /**
   * Adds a persistent watch and returns its events as an async iterator; leaving the loop
   * removes the watch. The iterator ends when the session expires or the client closes.
   */
  async watch(path: string, mode: AddWatchModeName): Promise<AsyncIterableIterator<WatchedEvent>> {
    const listener: WatchListener = (event) => {
      if (event.type === EventType.PersistentWatchRemoved) stream.end();
      else stream.push(event);
    };
    const stream = new EventStream<WatchedEvent>({
      maxQueued: this.#maxQueuedEvents,
      onReturn: () => this.#removeIfActive(path, listener),
    });
    await this.addWatch(path, mode, listener);
    this.#watchStreams.add(stream);
    return stream;
  }

  async #removeIfActive(path: string, listener: WatchListener): Promise<void> {
    if (isTerminal(this.#session.state)) return;
    if (!this.#registry.hasListener(path, kindsOfWatcherType.any, listener)) return;
    try {
      await this.removeWatches(path, 'any', { listener });
    } catch (err) {
      // The server may have lost the watch with its connection; the listener must still go.
      if (!isCode(err, ErrorCode.NoWatcher) && !isCode(err, ErrorCode.ConnectionLoss)) throw err;
      await this.removeWatches(path, 'any', { listener, local: true });
    }
  }

  /**
   * Removes watches of `type` at `path` (only `listener`'s when given). Other listeners of the
   * same type keep the server watch, so the server is then only asked checkWatches. Removed
   * listeners receive a local *WatchRemoved event. With `local`, the server is not contacted.
   */
  async removeWatches(
    path: string,
    type: WatcherTypeName,
    options: { readonly listener?: WatchListener; readonly local?: boolean } = {},
  ): Promise<void> {
    checkPath(path);
    const kinds = kindsOfWatcherType[type];
    const { listener } = options;
    const hasMatch =
      listener === undefined ? this.#registry.has(path, kinds) : this.#registry.hasListener(path, kinds, listener);
    if (!hasMatch) throw zkErrorFromCode(ErrorCode.NoWatcher, path);
    if (options.local !== true) {
      const othersRemain = listener !== undefined && this.#registry.has(path, kinds, listener);
      const op = othersRemain ? OpCode.checkWatches : OpCode.removeWatches;
      await this.#submit({ op, path: this.#serverPath(path), type: wireWatcherType[type] }, path);
    }
    for (const removed of this.#registry.remove(path, kinds, listener)) {
      this.#deliver(removed.listener, { type: removed.eventType, state: KeeperState.SyncConnected, path });
    }
  }

  /** The ephemerals this session owns whose paths start with `prefixPath` (default: all). */
  async getEphemerals(prefixPath = '/'): Promise<string[]> {
    const serverPrefix = this.#serverPath(prefixPath);
    const res = await this.#submit({ op: OpCode.getEphemerals, prefixPath: serverPrefix }, prefixPath);
    if (res.kind !== 'ephemerals') throw zkErrorFromCode(ErrorCode.MarshallingError, prefixPath);
    // The server matches by string prefix, so a chroot `/app` would also match `/app2/x`.
    const inChroot = (p: string): boolean =>
      this.#chroot === undefined || p === this.#chroot || p.startsWith(`${this.#chroot}/`);
    return res.ephemerals.filter(inChroot).map((p) => this.#clientPath(p));
  }

  /** The number of all descendants of the znode (the node itself excluded). */
  async getAllChildrenNumber(path: string): Promise<number> {
    checkPath(path);
    const res = await this.#submit({ op: OpCode.getAllChildrenNumber, path: this.#serverPath(path) }, path);
    if (res.kind !== 'allChildrenNumber') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
    return res.totalNumber;
  }

  /** The identities the server has for this connection (one per auth id, including `ip`). */
  async whoAmI(): Promise<ClientInfo[]> {
    const res = await this.#submit({ op: OpCode.whoAmI }, undefined);
    if (res.kind !== 'whoAmI') throw zkErrorFromCode(ErrorCode.MarshallingError);
    return [...res.clientInfo];
  }

  /**
   * Adds a credential (`addAuth('digest', 'user:pass')`); it is kept and re-sent after every
   * reconnect. Resolves when the server accepts it; a rejection ends the session (authFailed).
   */
  async addAuth(scheme: string, auth: string | Uint8Array): Promise<void> {
    const failure = this.#refusal(undefined);
    if (failure !== undefined) throw failure;
    const waiter = deferred<void>();
    const info: AuthInfo = { scheme, auth: typeof auth === 'string' ? new TextEncoder().encode(auth) : auth, waiters: [waiter] };
    this.#auths.push(info);
    if (this.#session.isHandshakeDone) {
      // Requests made before this addAuth (their flush is deferred) must reach the server first.
      this.#flush();
      this.#sendAuth(info);
    }
    await waiter.promise;
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  #serverPath(clientPath: string): string {
    return toServerPath(this.#chroot, clientPath);
  }

  #clientPath(serverPath: string): string {
    return toClientPath(this.#chroot, serverPath);
  }

  #registerOnOk(kind: WatchKind, path: string, watch: WatchListener | undefined): ((err: number) => void) | undefined {
    if (watch === undefined) return undefined;
    return (err) => {
      if (err === ErrorCode.Ok) this.#registry.add(kind, path, watch);
    };
  }

  /** The error a request gets when it cannot be sent at all, by state (ClientCnxn.conLossPacket). */
  #refusal(path: string | undefined): ZkError | undefined {
    switch (this.#session.state) {
      case 'expired':
      case 'closed':
        return zkErrorFromCode(ErrorCode.SessionExpired, path);
      case 'authFailed':
        return zkErrorFromCode(ErrorCode.AuthFailed, path);
      default:
        return this.#isClosing || !this.#isStarted ? zkErrorFromCode(ErrorCode.ConnectionLoss, path) : undefined;
    }
  }

  /** Queues a request (sent at once when connected) and resolves with its decoded response. */
  #submit(request: Request, path: string | undefined, onReply?: (err: number) => void): Promise<Response> {
    const refusal = request.op === OpCode.closeSession ? undefined : this.#refusal(path);
    if (refusal !== undefined) return Promise.reject(refusal);
    const d = deferred<Response>();
    const context: PendingContext = { path, deferred: d, onReply };
    const entry = this.#queue.enqueue(request, context, this.#clock.nowMs() + this.#requestTimeoutMs);
    if (entry === undefined) return Promise.reject(zkErrorFromCode(ErrorCode.ConnectionLoss, path));
    this.#scheduleFlush();
    return d.promise;
  }

  /**
   * Flushes once at the end of this tick, so every request made in the same tick goes out in one
   * socket write. process.nextTick runs after the promise jobs already queued, which is where a
   * pipelined caller issues its next requests as replies resolve.
   */
  #scheduleFlush(): void {
    if (this.#isFlushScheduled) return;
    this.#isFlushScheduled = true;
    process.nextTick(() => {
      this.#isFlushScheduled = false;
      this.#flush();
    });
  }

  /** Sends every waiting request, once the handshake is done. */
  #flush(): void {
    const transport = this.#transport;
    if (transport === undefined || !this.#session.isHandshakeDone) return;
    const entries = this.#queue.takeWaiting();
    if (entries.length === 0) return;
    transport.sendAll(entries.map((entry) => encodeRequest({ xid: entry.xid, type: entry.request.op }, entry.request)));
    this.#session.frameSent();
  }

  #sendAuth(info: AuthInfo): void {
    const transport = this.#transport;
    if (transport === undefined) return;
    const request: Request = { op: OpCode.auth, type: 0, scheme: info.scheme, auth: info.auth };
    this.#authSlots.push(info.waiters.splice(0, info.waiters.length));
    transport.send(encodeRequest({ xid: Xid.auth, type: OpCode.auth }, request));
    this.#session.frameSent();
  }

  // ------------------------------------------------------------------------------------------
  // Connection

  #connectNext(): void {
    if (isTerminal(this.#session.state) || this.#isClosing) return;
    const attempt = this.#hosts.next();
    if (attempt.delayMs === 0) {
      this.#open(attempt.host);
      return;
    }
    this.#log.debug({ delayMs: attempt.delayMs }, 'every host failed; backing off');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open(attempt.host);
    }, attempt.delayMs);
  }

  #open(host: HostPort): void {
    if (isTerminal(this.#session.state) || this.#isClosing) return;
    const log = this.#log.child({ server: `${host.host}:${host.port}` });
    this.#session.attemptStarted();
    const transport: Transport = new Transport(
      { host: host.host, port: host.port, log },
      {
        onOpen: () => this.#onOpen(transport),
        onFrame: (payload) => this.#onFrame(transport, payload),
        onClose: (cause) => this.#onClose(transport, cause),
      },
    );
    this.#transport = transport;
    transport.start();
  }

  #onOpen(transport: Transport): void {
    if (transport !== this.#transport) return;
    transport.send(encodeConnectFrame(this.#session.transportOpened()));
    this.#session.frameSent();
  }

  #onFrame(transport: Transport, payload: Uint8Array): void {
    if (transport !== this.#transport) return;
    if (!this.#session.isHandshakeDone) {
      this.#onConnectResponse(transport, payload);
      return;
    }
    const decoded = decodeReplyHeader(payload);
    if (!decoded.ok) {
      transport.destroy(new ProtocolError(`bad reply header: ${decoded.reason}`));
      return;
    }
    const header = decoded.value;
    const body = payload.subarray(REPLY_HEADER_BYTES);
    this.#session.replyReceived(header);
    if (header.xid === Xid.notification) this.#onNotification(transport, body);
    else if (header.xid === Xid.auth) this.#onAuthReply(header);
    else if (header.xid !== Xid.ping) this.#onReply(transport, header, body);
  }

  #onConnectResponse(transport: Transport, payload: Uint8Array): void {
    const decoded = decodeConnectResponse(payload);
    if (!decoded.ok) {
      transport.destroy(new ProtocolError(`bad ConnectResponse: ${decoded.reason}`));
      return;
    }
    const state = this.#session.connectResponse(decoded.value);
    if (this.#session.state === 'expired') {
      this.#shutdown('expired');
      return;
    }
    this.#hosts.connected();
    this.#log.info(
      { sessionId: hex(this.#session.sessionId), timeoutMs: this.#session.negotiatedTimeoutMs, readOnly: this.#session.isReadOnly },
      'session established',
    );
    this.#prime();
    if (state !== undefined) this.#emitState(state);
  }

  /** After (re)connecting: credentials, then watch re-registration, then waiting requests. */
  #prime(): void {
    for (const info of this.#auths) this.#sendAuth(info);
    const lists = this.#registry.lists();
    const serverLists = {
      data: lists.data.map((p) => this.#serverPath(p)),
      exist: lists.exist.map((p) => this.#serverPath(p)),
      child: lists.child.map((p) => this.#serverPath(p)),
      persistent: lists.persistent.map((p) => this.#serverPath(p)),
      persistentRecursive: lists.persistentRecursive.map((p) => this.#serverPath(p)),
    };
    const batches = setWatchesRequests(serverLists, this.#session.lastZxidSeen);
    // enqueueFirst prepends, so walk backwards to keep the batches in order.
    for (const request of batches.reverse()) {
      this.#queue.enqueueFirst(request, { path: undefined, deferred: undefined, onReply: undefined });
    }
    this.#flush();
  }

  #onNotification(transport: Transport, body: Uint8Array): void {
    const decoded = decodeWatcherEvent(body);
    if (!decoded.ok) {
      transport.destroy(new ProtocolError(`bad watcher event: ${decoded.reason}`));
      return;
    }
    const path = this.#clientPath(decoded.value.path);
    const type = decoded.value.type as EventType;
    const event: WatchedEvent = { type, state: decoded.value.state, path };
    for (const listener of this.#registry.route(type, path)) this.#deliver(listener, event);
  }

  #onAuthReply(header: ReplyHeader): void {
    const waiters = this.#authSlots.shift() ?? [];
    if (header.err === ErrorCode.Ok) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.#log.warn({ err: header.err }, 'authentication failed');
    for (const w of waiters) w.reject(zkErrorFromCode(ErrorCode.AuthFailed));
    this.#shutdown('authFailed');
  }

  #onReply(transport: Transport, header: ReplyHeader, body: Uint8Array): void {
    const match = this.#queue.matchReply(header.xid);
    if (match.kind === 'unexpected') {
      // ClientCnxn treats an out-of-order xid as a broken connection.
      this.#log.warn({ xid: header.xid, expectedXid: match.expectedXid }, 'reply xid out of order; closing');
      transport.destroy(new ProtocolError(`xid ${header.xid} out of order`));
      return;
    }
    const { request, context } = match.entry;
    context.onReply?.(header.err);
    if (header.err !== ErrorCode.Ok) {
      context.deferred?.reject(zkErrorFromCode(header.err, context.path));
      return;
    }
    const decoded = decodeResponse(request.op, body);
    if (!decoded.ok) {
      context.deferred?.reject(zkErrorFromCode(ErrorCode.MarshallingError, context.path));
      transport.destroy(new ProtocolError(`bad response to op ${request.op}: ${decoded.reason}`));
      return;
    }
    context.deferred?.resolve(decoded.value);
  }

  #onClose(transport: Transport, cause: Error | undefined): void {
    if (transport !== this.#transport) return;
    this.#transport = undefined;
    this.#log.debug({ err: cause }, 'connection closed');
    this.#failInFlight(zkErrorFromCode(ErrorCode.ConnectionLoss));
    // While closing, the server's own close after the closeSession reply is expected.
    if (this.#isClosing) return;
    const state = this.#session.transportClosed();
    if (state !== undefined) this.#emitState(state);
    this.#connectNext();
  }

  /** Fails requests and auth replies that were sent on a connection that is gone. */
  #failInFlight(error: ZkError): void {
    for (const entry of this.#queue.takeOutstanding()) this.#reject(entry, error);
    for (const slot of this.#authSlots.splice(0, this.#authSlots.length)) for (const w of slot) w.reject(error);
  }

  #reject(entry: QueuedRequest<PendingContext>, error: ZkError): void {
    const { path } = entry.context;
    entry.context.deferred?.reject(path === undefined ? error : zkErrorFromCode(error.code, path));
  }

  #onTick(): void {
    for (const entry of this.#queue.takeOverdue(this.#clock.nowMs())) {
      this.#reject(entry, zkErrorFromCode(ErrorCode.ConnectionLoss));
    }
    const action = this.#session.tick();
    const transport = this.#transport;
    if (action === undefined || transport === undefined) return;
    if (action.kind === 'sendPing') {
      transport.send(encodeRequest({ xid: Xid.ping, type: OpCode.ping }, { op: OpCode.ping }));
      this.#session.frameSent();
      return;
    }
    this.#log.info({ reason: action.reason }, 'server silent; dropping connection');
    transport.destroy();
  }

  /** Ends the client for good: timers off, connection closed, every waiter failed. */
  #shutdown(state: 'closed' | 'expired' | 'authFailed'): void {
    clearInterval(this.#ticker);
    clearTimeout(this.#reconnectTimer);
    const transport = this.#transport;
    this.#transport = undefined;
    transport?.destroy();
    const changed = state === 'closed' ? this.#session.close() : state === 'authFailed' ? this.#session.authFailed() : state;
    const error = this.#refusal(undefined) ?? zkErrorFromCode(ErrorCode.ConnectionLoss);
    this.#failInFlight(error);
    for (const entry of this.#queue.takeAllWaiting()) this.#reject(entry, error);
    for (const info of this.#auths) for (const w of info.waiters.splice(0, info.waiters.length)) w.reject(error);
    for (const stream of this.#watchStreams) stream.end();
    this.#watchStreams.clear();
    this.#registry.clear();
    if (changed !== undefined) this.#emitState(changed);
  }

  #emitState(state: SessionState): void {
    this.#log.info({ state, sessionId: hex(this.#session.sessionId) }, 'connection state changed');
    for (const listener of [...this.#stateListeners]) {
      try {
        listener(state);
      } catch (err) {
        this.#log.error({ err }, 'state listener threw');
      }
    }
    for (const stream of this.#stateStreams) {
      stream.push(state);
      if (isTerminal(state)) stream.end();
    }
    if (isTerminal(state)) this.#stateStreams.clear();
  }

  #deliver(listener: WatchListener, event: WatchedEvent): void {
    try {
      listener(event);
    } catch (err) {
      this.#log.error({ err, path: event.path }, 'watch listener threw');
    }
  }

  /** Resolves when connected; rejects when the state turns terminal or `timeoutMs` passes. */
  #untilConnected(timeoutMs: number): Promise<void> {
    const settled = (): ZkError | 'connected' | undefined => {
      if (isConnected(this.#session.state)) return 'connected';
      return isTerminal(this.#session.state) ? this.#refusal(undefined) : undefined;
    };
    const now = settled();
    if (now === 'connected') return Promise.resolve();
    if (now !== undefined) return Promise.reject(now);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(zkErrorFromCode(ErrorCode.OperationTimeout));
      }, timeoutMs);
      const unsubscribe = this.onState(() => {
        const outcome = settled();
        if (outcome === undefined) return;
        clearTimeout(timer);
        unsubscribe();
        if (outcome === 'connected') resolve();
        else reject(outcome);
      });
    });
  }
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

function statOf(res: Response, path: string): Stat {
  if (res.kind !== 'stat') throw zkErrorFromCode(ErrorCode.MarshallingError, path);
  return res.stat;
}
