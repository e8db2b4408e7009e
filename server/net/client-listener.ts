/**
 * The client listener: the TCP shell between sockets and the replica. It accepts connections
 * (refusing those over the per-IP limit), feeds decoded input to the replica, answers
 * four-letter words, and writes the frames the run loop hands back with `deliver`. It never
 * drains the replica itself: after feeding input it calls `onInput` so the run loop can.
 */
import { Buffer } from 'node:buffer';
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { deferred } from '../../util/deferred.js';
import { hex } from '../../util/hex.js';
import {
  encodeConnectResponseFrame,
  encodeEventFrame,
  encodeReplyFrame,
  FRAME_PREFIX_BYTES,
  opShortName,
  type ConnectRequest,
  type Request,
  type RequestHeader,
} from '../../protocol/index.js';
import type { ConnId, Outbound } from '../replica/ready.js';
import { ClientConnection, type ConnectionEvent } from './client-connection.js';
import { ConnectionLimiter, normalizeAddress } from './connection-limiter.js';
import type { FourLetterWordHandler, ListenerStats } from './four-letter-word-handler.js';
import type { ConnectionStatsView, FourLetterWord } from './four-letter-words.js';
import { ConnectionStats, ServerStats } from './net-stats.js';

/** Monotonic and wall ms, as the replica takes them. */
export interface Now {
  readonly nowMs: number;
  readonly wallMs: number;
}

/** The replica's inputs the listener drives; `Replica` (server/replica/replica.ts) satisfies it. */
export interface ReplicaInput {
  connectionOpened(conn: ConnId, info: { remoteAddress: string; remotePort: number }): void;
  connectRequest(conn: ConnId, req: ConnectRequest, now: Now): void;
  request(conn: ConnId, header: RequestHeader, request: Request, now: Now): void;
  badRequest(conn: ConnId, header: RequestHeader, code: number, now: Now): void;
  connectionClosed(conn: ConnId): void;
}

/** Constructor options of ClientListener. */
export interface ClientListenerOptions {
  readonly host: string;
  /** 0 lets the OS choose; `start()` reports the bound port. */
  readonly port: number;
  /** Connections allowed per remote IP; 0 = unlimited (zoo.cfg maxClientCnxns). */
  readonly maxClientCnxns: number;
  /** Largest accepted frame payload (jute.maxbuffer). */
  readonly maxFrameBytes: number;
  /** Requests without a reply after which a connection's socket stops being read. */
  readonly maxOutstandingPerConnection: number;
  /**
   * True while the server as a whole has more requests in flight than globalOutstandingLimit;
   * then no socket is read until it is false again (ZooKeeper's request throttling).
   */
  readonly isOverloaded?: () => boolean;
  readonly fourLetterWords: FourLetterWordHandler;
  readonly replica: ReplicaInput;
  /** Called after input was fed to the replica, so the run loop can schedule a drain. */
  readonly onInput: () => void;
  readonly log: Logger;
  readonly clock: Clock;
}

/** The session a delivered ConnectResponse established on a connection. */
interface SessionInfo {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
  readonly establishedWallMs: number;
}

/** One accepted socket and its protocol state. */
interface Connection {
  readonly id: ConnId;
  readonly socket: Socket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly peer: string;
  readonly state: ClientConnection;
  readonly stats: ConnectionStats;
  session: SessionInfo | null;
  isKnownToReplica: boolean;
  isClosing: boolean;
  isWriteBlocked: boolean;
  isPaused: boolean;
}

// A closing socket whose peer never answers our FIN is destroyed after this long.
const closeLingerMs = 2_000;

/** Accepts client connections and moves bytes between them and the replica. */
export class ClientListener {
  readonly #options: ClientListenerOptions;
  readonly #log: Logger;
  readonly #limiter: ConnectionLimiter;
  readonly #connections = new Map<ConnId, Connection>();
  readonly #serverStats = new ServerStats();
  #server: Server | null = null;
  #started: Promise<{ host: string; port: number }> | null = null;
  #nextConnId: ConnId = 1;
  #isShuttingDown = false;
  /** Set while every socket is paused for globalOutstandingLimit. */
  #isThrottled = false;

  constructor(options: ClientListenerOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'server.net' });
    this.#limiter = new ConnectionLimiter({ maxClientCnxns: options.maxClientCnxns });
  }

  /** Binds and listens; resolves with the bound address. Idempotent. */
  start(): Promise<{ host: string; port: number }> {
    this.#started ??= this.#listen();
    return this.#started;
  }

  /** Stops accepting and closes every connection without telling the replica (it is stopping too). */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    this.#isShuttingDown = true;
    const closed = deferred<void>();
    server.close(() => closed.resolve());
    for (const conn of this.#connections.values()) conn.socket.destroy();
    await closed.promise;
  }

  /** Open connections, four-letter-word connections included. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Encodes and writes the frames of one drain, one socket write per connection, then closes the
   * connections in `closes` once their frames are flushed.
   */
  deliver(out: readonly Outbound[], closes: readonly ConnId[]): void {
    const batches = new Map<Connection, Uint8Array[]>();
    for (const o of out) {
      const conn = this.#connections.get(o.conn);
      if (conn === undefined || conn.isClosing) continue;
      const frame = this.#encode(conn, o);
      const batch = batches.get(conn);
      if (batch === undefined) batches.set(conn, [frame]);
      else batch.push(frame);
    }
    for (const [conn, frames] of batches) this.#write(conn, frames);
    for (const id of closes) {
      const conn = this.#connections.get(id);
      if (conn !== undefined) this.#closeGracefully(conn, { byReplica: true });
    }
    // Replies may have lowered a connection under its limit or released a ConnectResponse gate.
    for (const conn of batches.keys()) this.#pump(conn);
    if (this.#isThrottled && !this.#isOverloaded()) {
      this.#isThrottled = false;
      this.#log.debug({}, 'request throttle released');
      for (const conn of this.#connections.values()) this.#pump(conn);
    }
  }

  /** The counters and connection list `stat`, `cons`, `mntr`, `crst` and `srst` read. */
  stats(): ListenerStats {
    return {
      serverStats: () => this.#serverStats.view({ connectionCount: this.#connections.size, outstandingRequests: this.#outstanding() }),
      connections: () => [...this.#connections.values()].map((c) => this.#connectionView(c)),
      resetConnectionStats: () => {
        for (const c of this.#connections.values()) c.stats.reset();
      },
      resetServerStats: () => this.#serverStats.reset(),
    };
  }

  #listen(): Promise<{ host: string; port: number }> {
    const listening = deferred<{ host: string; port: number }>();
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    server.once('error', (err) => listening.reject(err));
    server.listen(this.#options.port, this.#options.host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        listening.reject(new Error(`unexpected listen address ${String(address)}`));
        return;
      }
      server.on('error', (err) => this.#log.error({ err }, 'client listener error'));
      this.#log.info({ host: address.address, port: address.port }, 'listening for clients');
      listening.resolve({ host: address.address, port: address.port });
    });
    this.#server = server;
    return listening.promise;
  }

  #accept(socket: Socket): void {
    const remoteAddress = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const remotePort = socket.remotePort ?? 0;
    const peer = `${remoteAddress}:${remotePort}`;
    if (!this.#limiter.tryAcquire(remoteAddress)) {
      this.#log.warn({ peer, maxClientCnxns: this.#options.maxClientCnxns }, 'too many connections from one address; refusing');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn: Connection = {
      id: this.#nextConnId++,
      socket,
      remoteAddress,
      remotePort,
      peer,
      state: new ClientConnection({ maxFrameBytes: this.#options.maxFrameBytes, maxOutstanding: this.#options.maxOutstandingPerConnection }),
      stats: new ConnectionStats(),
      session: null,
      isKnownToReplica: false,
      isClosing: false,
      isWriteBlocked: false,
      isPaused: false,
    };
    this.#connections.set(conn.id, conn);
    socket.on('data', (chunk: Buffer) => {
      conn.state.push(chunk);
      this.#pump(conn);
    });
    socket.on('drain', () => {
      conn.isWriteBlocked = false;
      this.#pump(conn);
    });
    socket.on('error', (err) => this.#log.debug({ peer, err }, 'connection error'));
    socket.on('close', () => this.#closed(conn));
  }

  /** Hands every event the connection's state allows now to the replica, then adjusts reading. */
  #pump(conn: Connection): void {
    let isInputFed = false;
    while (!conn.isClosing) {
      const event = conn.state.next(this.#options.clock.nowMs());
      if (event === null) break;
      isInputFed = this.#handle(conn, event) || isInputFed;
    }
    if (isInputFed && !this.#isThrottled && this.#isOverloaded()) {
      this.#isThrottled = true;
      this.#log.debug({}, 'too many requests in flight; pausing reads');
      for (const other of this.#connections.values()) this.#updateReading(other);
    }
    this.#updateReading(conn);
    if (isInputFed) this.#options.onInput();
  }

  /** Acts on one event; true when the replica was given input. */
  #handle(conn: Connection, event: ConnectionEvent): boolean {
    const { replica } = this.#options;
    if (event.kind !== 'protocolError' && event.kind !== 'telnetClose') this.#countReceived(conn);
    switch (event.kind) {
      case 'fourLetterWord':
        // Stop reading first, so that `cons`/`stat` show this connection as ZooKeeper does ([0]).
        this.#updateReading(conn);
        this.#answerFourLetterWord(conn, event.word, event.mask);
        return false;
      case 'telnetClose':
        this.#closeGracefully(conn, { byReplica: false });
        return false;
      case 'protocolError':
        this.#log.warn({ peer: conn.peer, reason: event.reason }, 'bad frame; closing connection');
        this.#closeGracefully(conn, { byReplica: false });
        return false;
      case 'connect':
        conn.isKnownToReplica = true;
        replica.connectionOpened(conn.id, { remoteAddress: conn.remoteAddress, remotePort: conn.remotePort });
        replica.connectRequest(conn.id, event.request, this.#now());
        return true;
      case 'request':
        this.#log.debug({ conn: conn.id, xid: event.header.xid, op: event.header.type }, 'request');
        replica.request(conn.id, event.header, event.request, this.#now());
        return true;
      case 'badRequest':
        this.#log.debug({ conn: conn.id, xid: event.header.xid, op: event.header.type, reason: event.reason }, 'undecodable request');
        replica.badRequest(conn.id, event.header, event.code, this.#now());
        return true;
    }
  }

  #answerFourLetterWord(conn: Connection, word: FourLetterWord, mask: bigint | null): void {
    this.#options.fourLetterWords.respond(word, mask, this.stats()).then(
      (text) => {
        if (conn.socket.destroyed) return;
        this.#serverStats.packetsSent++;
        conn.socket.write(text, 'latin1');
        this.#closeGracefully(conn, { byReplica: false });
      },
      (err: unknown) => {
        this.#log.error({ peer: conn.peer, word, err }, 'four-letter word failed');
        conn.socket.destroy();
      },
    );
  }

  #encode(conn: Connection, o: Outbound): Uint8Array {
    const nowMs = this.#options.clock.nowMs();
    conn.stats.sent++;
    this.#serverStats.packetsSent++;
    switch (o.kind) {
      case 'connect': {
        const gate = conn.state.connectResponseDelivered();
        if (o.response.timeOut > 0 && o.response.sessionId !== 0n) {
          conn.session = { sessionId: o.response.sessionId, timeoutMs: o.response.timeOut, establishedWallMs: this.#options.clock.wallMs() };
        }
        if (gate !== null) this.#recordLatency(conn, { op: 'SESS', cxid: conn.stats.lastCxid, zxid: conn.stats.lastZxid, receivedMs: gate.receivedMs, nowMs });
        return encodeConnectResponseFrame(o.response);
      }
      case 'reply': {
        const frame = encodeReplyFrame(o.header, o.response);
        const pending = conn.state.replyDelivered(o.header.xid);
        const op = pending === null ? 'NA' : (opShortName[pending.op] ?? 'NA');
        if (pending !== null) this.#recordLatency(conn, { op, cxid: o.header.xid, zxid: o.header.zxid, receivedMs: pending.receivedMs, nowMs });
        this.#serverStats.recordResponseSize(frame.length - FRAME_PREFIX_BYTES);
        return frame;
      }
      case 'event': {
        const frame = encodeEventFrame(o.event);
        this.#serverStats.recordResponseSize(frame.length - FRAME_PREFIX_BYTES);
        return frame;
      }
    }
  }

  #recordLatency(conn: Connection, args: { op: string; cxid: number; zxid: bigint; receivedMs: number; nowMs: number }): void {
    conn.stats.recordResponse(args);
    this.#serverStats.latency.record(conn.stats.lastLatencyMs);
  }

  /**
   * Writes one drain's frames for a connection with one socket write: the frames are copied
   * into one buffer first, which costs less than the stream's per-chunk bookkeeping of a
   * corked writev (one write request and callback per frame; measured under write load).
   */
  #write(conn: Connection, frames: readonly Uint8Array[]): void {
    const { socket } = conn;
    const isFlushed = socket.write(frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames));
    // A client that does not read its replies must not make us buffer without bound.
    if (!isFlushed) conn.isWriteBlocked = true;
  }

  #updateReading(conn: Connection): void {
    const shouldRead = !conn.isClosing && !conn.isWriteBlocked && !this.#isThrottled && conn.state.isReadable;
    if (shouldRead && conn.isPaused) conn.socket.resume();
    if (!shouldRead && !conn.isPaused && !conn.isClosing) conn.socket.pause();
    conn.isPaused = !shouldRead;
  }

  /**
   * Half-closes after the queued frames are flushed, then discards whatever the peer still sends
   * until it closes too, so our last frames are not lost to a reset; bounded by closeLingerMs.
   */
  #closeGracefully(conn: Connection, options: { readonly byReplica: boolean }): void {
    if (conn.isClosing) return;
    conn.isClosing = true;
    this.#log.debug({ conn: conn.id, peer: conn.peer, byReplica: options.byReplica }, 'closing connection');
    const { socket } = conn;
    socket.removeAllListeners('data');
    socket.on('data', () => undefined);
    socket.resume();
    socket.end();
    setTimeout(() => socket.destroy(), closeLingerMs).unref();
  }

  #closed(conn: Connection): void {
    this.#connections.delete(conn.id);
    this.#limiter.release(conn.remoteAddress);
    this.#log.debug({ conn: conn.id, peer: conn.peer, sessionId: conn.session === null ? undefined : hex(conn.session.sessionId) }, 'connection closed');
    // Also after a close the replica asked for: it forgets the connection only when told here.
    if (!conn.isKnownToReplica || this.#isShuttingDown) return;
    conn.isKnownToReplica = false;
    this.#options.replica.connectionClosed(conn.id);
    this.#options.onInput();
  }

  #countReceived(conn: Connection): void {
    conn.stats.recved++;
    this.#serverStats.packetsReceived++;
  }

  #isOverloaded(): boolean {
    return this.#options.isOverloaded?.() ?? false;
  }

  #outstanding(): number {
    let total = 0;
    for (const c of this.#connections.values()) total += c.state.outstanding;
    return total;
  }

  #now(): Now {
    return { nowMs: this.#options.clock.nowMs(), wallMs: this.#options.clock.wallMs() };
  }

  #connectionView(conn: Connection): ConnectionStatsView {
    const isWriting = conn.isWriteBlocked || conn.socket.writableLength > 0;
    return {
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      interestOps: (conn.isPaused || conn.isClosing ? 0 : 1) | (isWriting ? 4 : 0),
      queued: conn.state.outstanding,
      recved: conn.stats.recved,
      sent: conn.stats.sent,
      session: conn.session === null ? null : conn.stats.sessionView(conn.session),
    };
  }
}
