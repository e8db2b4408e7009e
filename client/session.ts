/**
 * The client session as a pure state machine (reference §2, §2.5): identity kept across
 * reconnects (sessionId, passwd, lastZxidSeen), the negotiated timeout, and the timers derived
 * from it, all driven by the time an injected Clock reports. No sockets, no timers.
 */
import type { ConnectRequest, ConnectResponse, ReplyHeader } from '../protocol/records.js';
import { assert } from '../util/assert.js';
import type { Clock } from '../util/clock.js';

/** The connection states a client reports, after ZooKeeper's KeeperState. */
export type SessionState =
  | 'connecting'
  | 'connected'
  | 'connectedReadOnly'
  | 'disconnected'
  | 'expired'
  | 'authFailed'
  | 'closed';

/** What the shell must do after a tick. */
export type SessionAction =
  | { readonly kind: 'sendPing' }
  | { readonly kind: 'dropConnection'; readonly reason: 'readTimeout' | 'connectTimeout' };

/** Options of a Session. */
export interface SessionOptions {
  readonly clock: Clock;
  /** The timeout asked for in every ConnectRequest. */
  readonly sessionTimeoutMs: number;
  /** How many hosts the connect string names (the connect timeout is T / hosts). */
  readonly hostCount: number;
  /**
   * ZooKeeper's canBeReadOnly: ask in every ConnectRequest to be served by a member that lost
   * its quorum (read-only mode). Default false: such a member then closes the connection.
   */
  readonly canBeReadOnly?: boolean;
}

/** ClientCnxn.MAX_SEND_PING_INTERVAL: ping at least this often even with long timeouts. */
export const maxSendPingIntervalMs = 10_000;

const passwdBytes = 16;

/** Whether the session has a live connection (read-write or read-only). */
export function isConnected(state: SessionState): boolean {
  return state === 'connected' || state === 'connectedReadOnly';
}

/** Whether a state can never change again except to `closed`. */
export function isTerminal(state: SessionState): boolean {
  return state === 'expired' || state === 'authFailed' || state === 'closed';
}

/**
 * One client session. The shell reports transport events and frames; the session answers
 * with the ConnectRequest to send and, on tick(), pings and connection drops that are due.
 * State changes are returned (or undefined when nothing changed) so the shell can emit them.
 */
export class Session {
  readonly #clock: Clock;
  readonly #sessionTimeoutMs: number;
  readonly #hostCount: number;
  readonly #canBeReadOnly: boolean;
  /**
   * ClientCnxn.seenRwServerBefore: until a read-write server answered, the session id is one a
   * read-only member made up (ZooKeeper's local session), so every ConnectRequest asks for a new
   * session (id 0) rather than presenting it; a read-write server then makes the real one.
   */
  #hasSeenRwServer = false;
  #isReadOnly = false;
  #state: SessionState = 'connecting';
  #sessionId = 0n;
  #passwd: Uint8Array = new Uint8Array(passwdBytes);
  #lastZxidSeen = 0n;
  #negotiatedTimeoutMs = 0;
  #hasTransport = false;
  #isHandshakeDone = false;
  #attemptStartMs = 0;
  #lastReceiveMs = 0;
  #lastSendMs = 0;

  constructor(options: SessionOptions) {
    assert(options.sessionTimeoutMs > 0, 'sessionTimeoutMs must be positive');
    assert(options.hostCount > 0, 'hostCount must be positive');
    this.#clock = options.clock;
    this.#sessionTimeoutMs = options.sessionTimeoutMs;
    this.#hostCount = options.hostCount;
    this.#canBeReadOnly = options.canBeReadOnly ?? false;
  }

  /** The current state. */
  get state(): SessionState {
    return this.#state;
  }

  /** The session id, 0n until the first ConnectResponse. */
  get sessionId(): bigint {
    return this.#sessionId;
  }

  /** The session password (16 zero bytes until the first ConnectResponse). */
  get passwd(): Uint8Array {
    return this.#passwd;
  }

  /** The highest zxid seen in a normal reply (reference §3.3). */
  get lastZxidSeen(): bigint {
    return this.#lastZxidSeen;
  }

  /** The timeout the server granted, 0 before the first ConnectResponse. */
  get negotiatedTimeoutMs(): number {
    return this.#negotiatedTimeoutMs;
  }

  /** Whether the current connection is to a read-only member (ConnectResponse readOnly=1). */
  get isReadOnly(): boolean {
    return this.#isReadOnly;
  }

  /** Whether the current transport has completed its handshake. */
  get isHandshakeDone(): boolean {
    return this.#isHandshakeDone;
  }

  /** ClientCnxn's readTimeout: 2T/3 of the negotiated timeout (of the requested one before). */
  get readTimeoutMs(): number {
    return Math.floor((this.#timeoutMs() * 2) / 3);
  }

  /** Ping after this much send-idleness: T/3, at most 10 s (ClientCnxn.SendThread.run). */
  get pingIntervalMs(): number {
    return Math.min(Math.floor(this.readTimeoutMs / 2), maxSendPingIntervalMs);
  }

  /** ClientCnxn's connectTimeout: T divided by the number of hosts. */
  get connectTimeoutMs(): number {
    return Math.floor(this.#timeoutMs() / this.#hostCount);
  }

  /** The shell began connecting to a host; the connect timeout runs from now. */
  attemptStarted(): void {
    assert(!isTerminal(this.#state), `attemptStarted in state ${this.#state}`);
    this.#hasTransport = true;
    this.#isHandshakeDone = false;
    this.#attemptStartMs = this.#clock.nowMs();
  }

  /** The TCP connection is up: returns the ConnectRequest to send first. */
  transportOpened(): ConnectRequest {
    assert(this.#hasTransport && !this.#isHandshakeDone, 'transportOpened outside an attempt');
    const now = this.#clock.nowMs();
    this.#lastReceiveMs = now;
    this.#lastSendMs = now;
    return {
      protocolVersion: 0,
      lastZxidSeen: this.#lastZxidSeen,
      timeOut: this.#sessionTimeoutMs,
      sessionId: this.#hasSeenRwServer ? this.#sessionId : 0n,
      passwd: this.#passwd,
      readOnly: this.#canBeReadOnly,
    };
  }

  /** The server's ConnectResponse arrived; `timeOut <= 0` means the session is gone. */
  connectResponse(response: ConnectResponse): SessionState | undefined {
    assert(this.#hasTransport && !this.#isHandshakeDone, 'connectResponse outside a handshake');
    this.#lastReceiveMs = this.#clock.nowMs();
    if (response.timeOut <= 0) return this.#become('expired');
    this.#isHandshakeDone = true;
    this.#negotiatedTimeoutMs = response.timeOut;
    this.#sessionId = response.sessionId;
    this.#passwd = response.passwd ?? new Uint8Array(passwdBytes);
    this.#isReadOnly = response.readOnly === true;
    if (!this.#isReadOnly) this.#hasSeenRwServer = true;
    return this.#become(this.#isReadOnly ? 'connectedReadOnly' : 'connected');
  }

  /** A reply arrived; normal replies with zxid > 0 advance lastZxidSeen (pings and events do not). */
  replyReceived(header: ReplyHeader): void {
    this.#lastReceiveMs = this.#clock.nowMs();
    if (header.xid > 0 && header.zxid > this.#lastZxidSeen) this.#lastZxidSeen = header.zxid;
  }

  /** Something was written to the transport (resets the ping timer). */
  frameSent(): void {
    this.#lastSendMs = this.#clock.nowMs();
  }

  /** The server rejected an auth packet (it closes the connection next). */
  authFailed(): SessionState | undefined {
    return this.#become('authFailed');
  }

  /** The transport closed or failed; a connected session becomes disconnected. */
  transportClosed(): SessionState | undefined {
    const wasConnected = this.#isHandshakeDone;
    this.#hasTransport = false;
    this.#isHandshakeDone = false;
    this.#isReadOnly = false;
    if (wasConnected && isConnected(this.#state)) return this.#become('disconnected');
    return undefined;
  }

  /** The user closed the client. */
  close(): SessionState | undefined {
    this.#hasTransport = false;
    this.#isHandshakeDone = false;
    return this.#become('closed');
  }

  /** Checks the timers: a ping when send-idle, a drop when the server went quiet. */
  tick(): SessionAction | undefined {
    if (!this.#hasTransport || isTerminal(this.#state)) return undefined;
    const now = this.#clock.nowMs();
    if (!this.#isHandshakeDone) {
      if (now - this.#attemptStartMs >= this.connectTimeoutMs) return { kind: 'dropConnection', reason: 'connectTimeout' };
      return undefined;
    }
    if (now - this.#lastReceiveMs >= this.readTimeoutMs) return { kind: 'dropConnection', reason: 'readTimeout' };
    if (now - this.#lastSendMs >= this.pingIntervalMs) return { kind: 'sendPing' };
    return undefined;
  }

  #timeoutMs(): number {
    return this.#negotiatedTimeoutMs > 0 ? this.#negotiatedTimeoutMs : this.#sessionTimeoutMs;
  }

  #become(next: SessionState): SessionState | undefined {
    if (this.#state === next) return undefined;
    if (this.#state === 'closed') return undefined;
    if (isTerminal(this.#state) && next !== 'closed') return undefined;
    this.#state = next;
    return next;
  }
}
