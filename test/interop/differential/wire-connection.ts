import { connect, type Socket } from 'node:net';
import {
  type ConnectResponse,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeWatcherEvent,
  encodeConnectFrame,
  FrameDecoder,
  type ReplyHeader,
  type WatcherEvent,
} from '../../../protocol/index.js';

/** One frame a server sent after the ConnectResponse: a notification or a reply. */
export type ServerFrame =
  | { readonly kind: 'event'; readonly event: WatcherEvent }
  | { readonly kind: 'reply'; readonly header: ReplyHeader; readonly body: Uint8Array };

/** How long any single wait for a server frame may take before the run is declared stuck. */
const FRAME_TIMEOUT_MS = 10_000;

/**
 * A client connection over a raw socket that speaks only through protocol/'s codec: it writes
 * encoded frames and hands back decoded server frames one at a time, so that the differential
 * runner sees every event and reply in the order the server sent them.
 */
export class WireConnection {
  readonly #socket: Socket;
  readonly #decoder = new FrameDecoder();
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.push(chunk);
      this.#notify();
    });
    // A reset by the server is an outcome the runner records as "closed".
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** Opens a TCP connection to `host:port`. */
  static open(host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new WireConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** True once the server closed the connection and every buffered frame was read. */
  get isClosed(): boolean {
    return this.#closed && this.#decoder.bufferedBytes === 0;
  }

  /** Writes already encoded bytes (a whole frame). */
  send(bytes: Uint8Array): void {
    if (!this.#closed) this.#socket.write(bytes);
  }

  /** Sends a ConnectRequest and reads the ConnectResponse, or null if the server closed first. */
  async handshake(options: { sessionId: bigint; passwd: Uint8Array; timeOutMs: number }): Promise<ConnectResponse | null> {
    this.send(
      encodeConnectFrame({
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: options.timeOutMs,
        sessionId: options.sessionId,
        passwd: options.passwd,
        readOnly: false,
      }),
    );
    const payload = await this.#nextPayload();
    if (payload === null) return null;
    const decoded = decodeConnectResponse(payload);
    if (!decoded.ok) throw new Error(`undecodable ConnectResponse: ${decoded.reason}`);
    return decoded.value;
  }

  /** The next frame after the handshake, or null once the server has closed the connection. */
  async next(): Promise<ServerFrame | null> {
    const payload = await this.#nextPayload();
    if (payload === null) return null;
    const header = decodeReplyHeader(payload);
    if (!header.ok) throw new Error(`undecodable ReplyHeader: ${header.reason}`);
    const body = payload.subarray(16);
    if (header.value.xid !== -1) return { kind: 'reply', header: header.value, body: Uint8Array.from(body) };
    const event = decodeWatcherEvent(body);
    if (!event.ok) throw new Error(`undecodable WatcherEvent: ${event.reason}`);
    return { kind: 'event', event: event.value };
  }

  /** Closes our side without a closeSession (the session stays alive on the server). */
  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  async #nextPayload(): Promise<Uint8Array | null> {
    const deadline = performance.now() + FRAME_TIMEOUT_MS;
    for (;;) {
      const result = this.#decoder.next();
      if (result.kind === 'frame') return Uint8Array.from(result.payload);
      if (result.kind === 'error') throw new Error(`framing error from server: ${result.reason}`);
      if (this.#closed) return null;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no frame from the server within ${FRAME_TIMEOUT_MS} ms`);
      await this.#waitForData(left);
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #waitForData(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
