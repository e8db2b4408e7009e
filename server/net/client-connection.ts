/**
 * The protocol state of one client connection, without the socket: it takes bytes and yields
 * what the listener must do with them (answer a four-letter word, hand a ConnectRequest or a
 * request to the replica, or close). It also owns the rules that gate reading: no frame is handed
 * on while a ConnectResponse is pending (reference §2.3 step 5), nor while the connection has
 * `maxOutstanding` requests without a reply (STYLE.md §6). Pure: times come in as arguments.
 */
import {
  decodeConnectRequest,
  decodeRequest,
  decodeRequestHeader,
  ErrorCode,
  FrameDecoder,
  fourLetterWordOf,
  maxFieldBytesFor,
  REQUEST_HEADER_BYTES,
  type ConnectRequest,
  type Request,
  type RequestHeader,
} from '../../protocol/index.js';
import { isFourLetterWord, type FourLetterWord } from './four-letter-words.js';

/** What the listener must do next for a connection. */
export type ConnectionEvent =
  | { readonly kind: 'fourLetterWord'; readonly word: FourLetterWord; readonly mask: bigint | null }
  | { readonly kind: 'telnetClose' }
  | { readonly kind: 'connect'; readonly request: ConnectRequest }
  | { readonly kind: 'request'; readonly header: RequestHeader; readonly request: Request }
  | { readonly kind: 'badRequest'; readonly header: RequestHeader; readonly code: ErrorCode; readonly reason: string }
  | { readonly kind: 'protocolError'; readonly reason: string };

/** A request handed to the replica and not yet answered. */
export interface PendingRequest {
  readonly xid: number;
  readonly op: number;
  readonly receivedMs: number;
}

type Phase = 'fresh' | 'awaitingConnect' | 'connectPending' | 'connected' | 'closing';

// `stmk` is followed by an 8-byte mask (reference §9.1), so its trigger needs 12 bytes.
const stmkBytes = 12;

/** Per-connection protocol state: framing, the four-letter-word check, gating and pending requests. */
export class ClientConnection {
  readonly #decoder: FrameDecoder;
  readonly #maxFieldBytes: number;
  readonly #maxOutstanding: number;
  #phase: Phase = 'fresh';
  #head: Uint8Array = new Uint8Array(0);
  #outstanding = 0;
  #connectReceivedMs = 0;
  readonly #pending: PendingRequest[] = [];

  constructor(options: { readonly maxFrameBytes: number; readonly maxOutstanding: number }) {
    this.#decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes });
    // ZooKeeper's per-field check follows jute.maxbuffer (the frame limit here).
    this.#maxFieldBytes = maxFieldBytesFor(options.maxFrameBytes);
    this.#maxOutstanding = options.maxOutstanding;
  }

  /** Requests with a positive xid handed on and not yet answered (`queued` in `cons`). */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** True once the connection has sent a ConnectRequest (a client, not a four-letter word). */
  get hasConnectRequest(): boolean {
    return this.#phase === 'connectPending' || this.#phase === 'connected';
  }

  /** Whether more input may be handed on now; the listener pauses the socket when false. */
  get isReadable(): boolean {
    if (this.#phase === 'connectPending' || this.#phase === 'closing') return false;
    return this.#outstanding < this.#maxOutstanding;
  }

  /** Appends bytes read from the socket. */
  push(chunk: Uint8Array): void {
    if (this.#phase === 'closing') return;
    if (this.#phase === 'fresh') {
      this.#head = concat(this.#head, chunk);
      return;
    }
    this.#decoder.push(chunk);
  }

  /** The next event, or null when more bytes are needed or input is gated. */
  next(nowMs: number): ConnectionEvent | null {
    if (this.#phase === 'fresh') return this.#nextFresh(nowMs);
    if (!this.isReadable) return null;
    const frame = this.#decoder.next();
    if (frame.kind === 'need-more') return null;
    if (frame.kind === 'error') return this.#fail(frame.reason);
    if (this.#phase === 'awaitingConnect') return this.#onConnectFrame(frame.payload, nowMs);
    return this.#onRequestFrame(frame.payload, nowMs);
  }

  /** The ConnectResponse went out: frames buffered behind it may flow (reference §2.3 step 8). */
  connectResponseDelivered(): { readonly receivedMs: number } | null {
    if (this.#phase !== 'connectPending') return null;
    this.#phase = 'connected';
    return { receivedMs: this.#connectReceivedMs };
  }

  /** A reply with `xid` went out; returns the request it answers, if it was pending. */
  replyDelivered(xid: number): PendingRequest | null {
    const index = this.#pending.findIndex((p) => p.xid === xid);
    if (index < 0) return null;
    const [request] = this.#pending.splice(index, 1);
    // Only positive xids count toward the limit (reference §3.2: xids <= 0 are not throttled).
    if (request !== undefined && request.xid > 0) this.#outstanding--;
    return request ?? null;
  }

  #nextFresh(nowMs: number): ConnectionEvent | null {
    if (this.#head.length < 4) return null;
    const word = fourLetterWordOf(this.#head.subarray(0, 4));
    if (word === 'telnetClose') return this.#finish({ kind: 'telnetClose' });
    if (word !== null && isFourLetterWord(word)) {
      if (word !== 'stmk') return this.#finish({ kind: 'fourLetterWord', word, mask: null });
      if (this.#head.length < stmkBytes) return null;
      const mask = new DataView(this.#head.buffer, this.#head.byteOffset + 4, 8).getBigInt64(0);
      return this.#finish({ kind: 'fourLetterWord', word, mask });
    }
    this.#phase = 'awaitingConnect';
    const head = this.#head;
    this.#head = new Uint8Array(0);
    this.#decoder.push(head);
    return this.next(nowMs);
  }

  #onConnectFrame(payload: Uint8Array, nowMs: number): ConnectionEvent {
    const decoded = decodeConnectRequest(payload);
    if (!decoded.ok) return this.#fail(`undecodable ConnectRequest: ${decoded.reason}`);
    this.#phase = 'connectPending';
    this.#connectReceivedMs = nowMs;
    return { kind: 'connect', request: decoded.value };
  }

  #onRequestFrame(payload: Uint8Array, nowMs: number): ConnectionEvent {
    const decodedHeader = decodeRequestHeader(payload);
    if (!decodedHeader.ok) return this.#fail(`undecodable RequestHeader: ${decodedHeader.reason}`);
    const header = decodedHeader.value;
    this.#track(header, nowMs);
    const decoded = decodeRequest(header.type, payload.subarray(REQUEST_HEADER_BYTES), { maxFieldBytes: this.#maxFieldBytes });
    if (decoded.ok) return { kind: 'request', header, request: decoded.value };
    // The replica answers an unknown op with Unimplemented and closes (reference Appendix B);
    // nothing after it may reach the replica.
    if (decoded.code === ErrorCode.Unimplemented) this.#phase = 'closing';
    return { kind: 'badRequest', header, code: decoded.code, reason: decoded.reason };
  }

  #track(header: RequestHeader, nowMs: number): void {
    this.#pending.push({ xid: header.xid, op: header.type, receivedMs: nowMs });
    if (header.xid > 0) this.#outstanding++;
  }

  #fail(reason: string): ConnectionEvent {
    return this.#finish({ kind: 'protocolError', reason });
  }

  #finish(event: ConnectionEvent): ConnectionEvent {
    this.#phase = 'closing';
    this.#head = new Uint8Array(0);
    return event;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
