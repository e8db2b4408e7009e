/**
 * One TCP connection to one server: whole frames in, whole frames out. The only client module
 * that touches `node:net`; it knows nothing about sessions or requests.
 */
import { Socket } from 'node:net';
import { FrameDecoder, ProtocolError } from '../protocol/index.js';
import type { Logger } from '../util/logger.js';

/** What a transport reports to its owner. */
export interface TransportHandlers {
  /** The TCP connection is up. */
  onOpen(): void;
  /** One frame payload (length prefix removed). */
  onFrame(payload: Uint8Array): void;
  /** The connection is gone; called exactly once, with the cause when there was one. */
  onClose(cause: Error | undefined): void;
}

/** Where to connect. */
export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
}

/** A socket to one host:port that frames and unframes ZooKeeper packets. */
export class Transport {
  readonly #options: TransportOptions;
  readonly #handlers: TransportHandlers;
  readonly #decoder = new FrameDecoder();
  #socket: Socket | undefined;
  #isClosed = false;

  constructor(options: TransportOptions, handlers: TransportHandlers) {
    this.#options = options;
    this.#handlers = handlers;
  }

  /** Opens the connection; idempotent. */
  start(): void {
    if (this.#socket !== undefined || this.#isClosed) return;
    const socket = new Socket();
    this.#socket = socket;
    // Requests are small and latency-bound; Nagle would delay pipelined frames.
    socket.setNoDelay(true);
    socket.on('connect', () => this.#handlers.onOpen());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err: Error) => this.#finish(err));
    socket.on('close', () => this.#finish(undefined));
    socket.connect({ host: this.#options.host, port: this.#options.port });
  }

  /** Writes one complete frame (already length-prefixed). */
  send(frame: Uint8Array): void {
    if (this.#isClosed || this.#socket === undefined) return;
    this.#socket.write(frame);
  }

  /**
   * Writes complete frames in order as one socket write: each write is a syscall, which cost
   * more than the whole rest of a pipelined getData (bench/client-overhead.ts profile).
   */
  sendAll(frames: readonly Uint8Array[]): void {
    if (this.#isClosed || this.#socket === undefined || frames.length === 0) return;
    this.#socket.write(frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames));
  }

  /** Closes gracefully after pending writes are flushed. */
  close(): void {
    if (this.#socket === undefined || this.#isClosed) return;
    this.#socket.end();
  }

  /** Closes at once; the owner hears onClose with `cause`. */
  destroy(cause?: Error): void {
    if (this.#socket === undefined) {
      this.#finish(cause);
      return;
    }
    this.#socket.destroy();
    this.#finish(cause);
  }

  #onData(chunk: Buffer): void {
    if (this.#isClosed) return;
    this.#decoder.push(chunk);
    for (;;) {
      const next = this.#decoder.next();
      if (next.kind === 'need-more') return;
      if (next.kind === 'error') {
        this.#options.log.warn({ host: this.#options.host, port: this.#options.port, reason: next.reason }, 'bad frame from server; closing');
        this.destroy(new ProtocolError(next.reason));
        return;
      }
      this.#handlers.onFrame(next.payload);
      if (this.#isClosed) return;
    }
  }

  #finish(cause: Error | undefined): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#socket?.destroy();
    this.#handlers.onClose(cause);
  }
}
