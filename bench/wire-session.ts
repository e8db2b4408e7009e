/**
 * A bare ZooKeeper session over one TCP connection for the benchmarks: connect handshake, then
 * pipelined requests answered in order. It decodes only the 16-byte reply header (and the body
 * when asked), so the load generator spends as little CPU per request as the wire allows and
 * the server, not the client library, dominates what is measured.
 */
import { connect, type Socket } from 'node:net';
import {
  decodeConnectResponse,
  encodeConnectFrame,
  encodeRequest,
  FrameDecoder,
  OpCode,
  type Request,
} from '../protocol/index.js';

/** The err a pending request gets when the connection goes away before its reply. */
export const CONNECTION_LOSS = -4;

/** Called with the reply's err (0 on success) and its payload (header included) when it arrives. */
export type ReplyHandler = (err: number, payload: Uint8Array) => void;

/** Where to connect and how long to wait for the handshake. */
export interface WireSessionOptions {
  readonly host: string;
  readonly port: number;
  /** Bound on TCP connect + ConnectResponse (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Requested session timeout (default 30 s). */
  readonly sessionTimeoutMs?: number;
}

interface Pending {
  readonly xid: number;
  readonly onReply: ReplyHandler;
}

/** One established session; requests are written at once and answered strictly in order. */
export class WireSession {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
  // A FIFO with a head index: the server answers in xid order, so no map is needed.
  #pending: (Pending | undefined)[] = [];
  #head = 0;
  #nextXid = 1;
  #corked = false;
  #closed = false;
  /** The sessionId the server assigned. */
  readonly sessionId: bigint;

  private constructor(socket: Socket, sessionId: bigint) {
    this.#socket = socket;
    this.sessionId = sessionId;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#failAll());
    socket.on('error', () => this.#failAll());
  }

  /** Opens a TCP connection and completes the ConnectRequest/ConnectResponse handshake. */
  static async open(options: WireSessionOptions): Promise<WireSession> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const sessionId = await handshake(socket, options.sessionTimeoutMs ?? 30_000, timeoutMs);
    return new WireSession(socket, sessionId);
  }

  /** Requests sent and not yet answered. */
  get outstanding(): number {
    return this.#pending.length - this.#head;
  }

  /** True once the connection has closed (every pending request then got CONNECTION_LOSS). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Sends `req`; writes within one tick are corked into one syscall. */
  send(req: Request, onReply: ReplyHandler): void {
    if (this.#closed) {
      onReply(CONNECTION_LOSS, new Uint8Array(0));
      return;
    }
    const xid = this.#nextXid;
    this.#nextXid = xid >= 0x7fff_ffff ? 1 : xid + 1;
    this.#pending.push({ xid, onReply });
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(encodeRequest({ xid, type: req.op }, req));
  }

  /**
   * Sends `req` and resolves with its err and payload. With `timeoutMs`, a reply that is late
   * destroys the session, so the promise resolves with CONNECTION_LOSS instead of hanging.
   */
  request(req: Request, timeoutMs?: number): Promise<{ err: number; payload: Uint8Array }> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.destroy(), timeoutMs);
      this.send(req, (err, payload) => {
        clearTimeout(timer);
        resolve({ err, payload });
      });
    });
  }

  /** Sends closeSession and waits (bounded) for its reply, then closes the socket. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return;
    await this.request({ op: OpCode.closeSession }, timeoutMs);
    this.destroy();
  }

  /** Closes the socket at once; pending requests get CONNECTION_LOSS. */
  destroy(): void {
    this.#socket.destroy();
    this.#failAll();
  }

  #onData(chunk: Buffer): void {
    this.#decoder.push(chunk);
    for (;;) {
      const frame = this.#decoder.next();
      if (frame.kind === 'need-more') return;
      if (frame.kind === 'error') {
        this.destroy();
        return;
      }
      this.#onFrame(frame.payload);
    }
  }

  #onFrame(payload: Uint8Array): void {
    if (payload.length < 16) {
      this.destroy();
      return;
    }
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const xid = view.getInt32(0);
    // Watch events (-1) and ping replies (-2, whatever xid the ping had) are not ours to count.
    if (xid === -1 || xid === -2) return;
    const next = this.#pending[this.#head];
    if (next === undefined || next.xid !== xid) {
      // Out-of-order replies break ZooKeeper's contract; count the rest as lost, loudly.
      this.destroy();
      return;
    }
    this.#pending[this.#head] = undefined; // let the handler be collected
    this.#head++;
    if (this.#head > 4096 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    next.onReply(view.getInt32(12), payload);
  }

  #failAll(): void {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending.slice(this.#head);
    this.#pending = [];
    this.#head = 0;
    for (const p of pending) p?.onReply(CONNECTION_LOSS, new Uint8Array(0));
  }
}

/** Writes the ConnectRequest and reads the ConnectResponse; rejects on close or timeout. */
function handshake(socket: Socket, sessionTimeoutMs: number, timeoutMs: number): Promise<bigint> {
  return new Promise<bigint>((resolve, reject) => {
    const decoder = new FrameDecoder();
    const fail = (reason: string): void => {
      cleanup();
      socket.destroy();
      reject(new Error(`connect: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no ConnectResponse within ${timeoutMs} ms`), timeoutMs);
    const onError = (err: Error): void => fail(err.message);
    const onClose = (): void => fail('connection closed during the handshake');
    const onData = (chunk: Buffer): void => {
      decoder.push(chunk);
      const frame = decoder.next();
      if (frame.kind === 'need-more') return;
      if (frame.kind === 'error') return fail(frame.reason);
      const resp = decodeConnectResponse(frame.payload);
      if (!resp.ok) return fail('undecodable ConnectResponse');
      if (resp.value.timeOut <= 0) return fail('the server refused the session');
      cleanup();
      // Bytes after the ConnectResponse (none expected) would be lost; the server sends none.
      resolve(resp.value.sessionId);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(
      encodeConnectFrame({
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: sessionTimeoutMs,
        sessionId: 0n,
        passwd: new Uint8Array(16),
        readOnly: false,
      }),
    );
  });
}
