import { connect, type Socket } from 'node:net';

/** A ConnectResponse as decoded from the wire (reference §2.2). */
export interface ConnectReply {
  /** Payload length in bytes (37 with the readOnly byte). */
  readonly sizeBytes: number;
  readonly protocolVersion: number;
  readonly timeOutMs: number;
  readonly sessionId: bigint;
  readonly passwd: Buffer;
  readonly readOnly: boolean;
}

/** A ReplyHeader plus whatever body bytes followed it (reference §3.1). */
export interface ReplyFrame {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
  readonly body: Buffer;
}

/** Encodes one frame: an i32 length and the payload. */
export function frame(payload: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(payload.length);
  return Buffer.concat([length, payload]);
}

/** Encodes a ConnectRequest frame (44 bytes + the readOnly byte). */
export function connectRequest(options: { sessionId?: bigint; passwd?: Buffer; timeOutMs?: number; lastZxidSeen?: bigint } = {}): Buffer {
  const payload = Buffer.alloc(45);
  payload.writeInt32BE(0, 0);
  payload.writeBigInt64BE(options.lastZxidSeen ?? 0n, 4);
  payload.writeInt32BE(options.timeOutMs ?? 30_000, 12);
  payload.writeBigInt64BE(options.sessionId ?? 0n, 16);
  payload.writeInt32BE(16, 24);
  (options.passwd ?? Buffer.alloc(16)).copy(payload, 28, 0, 16);
  payload.writeUInt8(0, 44);
  return frame(payload);
}

/** Encodes a request frame: RequestHeader(xid, type) followed by `body`. */
export function requestFrame(xid: number, type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(xid, 0);
  header.writeInt32BE(type, 4);
  return frame(Buffer.concat([header, body]));
}

/**
 * A bare TCP connection to a server that sends raw bytes and reads length-prefixed frames, for
 * checks a well-behaved client library cannot make (unknown opcodes, oversized frames, bad
 * passwords).
 */
export class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#notify();
    });
    // A reset by the peer is one of the outcomes under test; it counts as "closed".
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** Opens a connection to `host:port`. */
  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Opens a connection and establishes a new session; resolves with both. */
  static async session(host: string, port: number): Promise<{ conn: RawConnection; reply: ConnectReply }> {
    const conn = await RawConnection.open(host, port);
    conn.send(connectRequest());
    const reply = await conn.readConnectReply();
    return { conn, reply };
  }

  /** True once the server has closed the connection and every received byte was read. */
  get isClosed(): boolean {
    return this.#closed && this.#buffer.length === 0;
  }

  /** Writes raw bytes. */
  send(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves with the next frame's payload, or null if the connection closes first. */
  async readFrame(timeoutMs = 10_000): Promise<Buffer | null> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#buffer.length >= 4) {
        const length = this.#buffer.readInt32BE(0);
        if (this.#buffer.length >= 4 + length) {
          const payload = this.#buffer.subarray(4, 4 + length);
          this.#buffer = this.#buffer.subarray(4 + length);
          return payload;
        }
      }
      if (this.#closed) return null;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`raw socket: no frame within ${timeoutMs} ms`);
      await this.#waitForData(left);
    }
  }

  /** Reads and decodes a ConnectResponse; throws if the connection closes first. */
  async readConnectReply(timeoutMs = 10_000): Promise<ConnectReply> {
    const payload = await this.readFrame(timeoutMs);
    if (payload === null) throw new Error('raw socket: closed before the ConnectResponse');
    return {
      sizeBytes: payload.length,
      protocolVersion: payload.readInt32BE(0),
      timeOutMs: payload.readInt32BE(4),
      sessionId: payload.readBigInt64BE(8),
      passwd: Buffer.from(payload.subarray(20, 20 + payload.readInt32BE(16))),
      readOnly: payload.length > 36 && payload.readUInt8(36) !== 0,
    };
  }

  /** Reads and decodes a reply frame; throws if the connection closes first. */
  async readReply(timeoutMs = 10_000): Promise<ReplyFrame> {
    const payload = await this.readFrame(timeoutMs);
    if (payload === null) throw new Error('raw socket: closed before the reply');
    return {
      xid: payload.readInt32BE(0),
      zxid: payload.readBigInt64BE(4),
      err: payload.readInt32BE(12),
      body: Buffer.from(payload.subarray(16)),
    };
  }

  /** Resolves true once the server closed the connection (within `timeoutMs`), false otherwise. */
  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.#closed) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.#waitForData(left);
    }
    return true;
  }

  /** Closes our side. */
  destroy(): void {
    this.#socket.destroy();
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
