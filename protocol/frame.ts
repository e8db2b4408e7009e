/**
 * Framing (reference §1.1): every message is an i32 length N and N payload bytes. The decoder
 * reassembles frames split across or packed into socket chunks, copying only frames that span
 * chunks. It also recognises four-letter words (reference §9.1).
 */
import { Buffer } from 'node:buffer';
import { JUTE_MAX_BUFFER } from './jute.js';

/** What FrameDecoder.next found. */
export type FrameResult =
  | { readonly kind: 'frame'; readonly payload: Uint8Array }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'error'; readonly reason: string };

/** Options of a FrameDecoder. */
export interface FrameDecoderOptions {
  /** Largest accepted payload length (jute.maxbuffer, default 0xFFFFF). */
  readonly maxFrameBytes?: number;
}

const NEED_MORE: FrameResult = { kind: 'need-more' };

/** Splits a byte stream into frame payloads; after an error it keeps returning that error. */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  // Chunks not yet fully consumed; chunks[head] starts at headOffset. A head index instead of
  // shift() keeps many small chunks O(1) each; the array is compacted once it is drained.
  #chunks: Uint8Array[] = [];
  #head = 0;
  #headOffset = 0;
  #bufferedBytes = 0;
  #error: FrameResult | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameBytes = options.maxFrameBytes ?? JUTE_MAX_BUFFER;
  }

  /** Bytes received and not yet returned in a frame, for the caller's backpressure bound. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Appends bytes received from the peer; the decoder keeps a reference, not a copy. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bufferedBytes += chunk.length;
  }

  /** Returns the next complete frame's payload, need-more, or the (sticky) framing error. */
  next(): FrameResult {
    if (this.#error !== null) return this.#error;
    if (this.#bufferedBytes < 4) return NEED_MORE;
    const length = this.#peekLength();
    if (length < 0 || length > this.#maxFrameBytes) {
      this.#error = { kind: 'error', reason: `frame length ${length} outside 0..${this.#maxFrameBytes}` };
      return this.#error;
    }
    if (this.#bufferedBytes < 4 + length) return NEED_MORE;
    this.#skip(4);
    return { kind: 'frame', payload: this.#take(length) };
  }

  /** The i32 in the first 4 buffered bytes (the caller checked there are 4), without a DataView. */
  #peekLength(): number {
    const head = this.#chunks[this.#head] as Uint8Array;
    const at = this.#headOffset;
    const b = head.length - at >= 4 ? head : (this.peek(4) as Uint8Array);
    const i = b === head ? at : 0;
    return ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number);
  }

  /** The first `n` buffered bytes without consuming them, or null when fewer are buffered. */
  peek(n: number): Uint8Array | null {
    if (this.#bufferedBytes < n) return null;
    const head = this.#chunks[this.#head] as Uint8Array;
    if (head.length - this.#headOffset >= n) return head.subarray(this.#headOffset, this.#headOffset + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let offset = this.#headOffset;
    for (let i = this.#head; filled < n; i++) {
      const chunk = this.#chunks[i] as Uint8Array;
      const count = Math.min(n - filled, chunk.length - offset);
      out.set(chunk.subarray(offset, offset + count), filled);
      filled += count;
      offset = 0;
    }
    return out;
  }

  /** Consumes `n` buffered bytes (the caller knows they are there). */
  #skip(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.#chunks[this.#head] as Uint8Array;
      const available = head.length - this.#headOffset;
      if (available > left) {
        this.#headOffset += left;
        break;
      }
      left -= available;
      this.#dropHead();
    }
    this.#bufferedBytes -= n;
  }

  /** Consumes `n` buffered bytes and returns them: a view when they lie in one chunk. */
  #take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const out = this.peek(n) as Uint8Array;
    this.#skip(n);
    return out;
  }

  /** Drops the fully consumed head chunk, compacting the list once it has drained. */
  #dropHead(): void {
    this.#head++;
    this.#headOffset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** The four-letter words ZooKeeper recognises (reference §9.2), keyed by their i32 value. */
const fourLetterWords: ReadonlyMap<number, string> = new Map(
  ['ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'envi', 'wchs', 'wchc', 'wchp', 'dump', 'isro', 'crst', 'srst', 'dirs', 'gtmk', 'stmk', 'hash'].map(
    (word) => [Buffer.from(word, 'latin1').readInt32BE(0), word],
  ),
);

/** The i32 a telnet client sends on Ctrl-C (IAC IP IAC DO); ZooKeeper just closes. */
const TELNET_CLOSE = 0xfff4fffd | 0;

/**
 * The four-letter word (or 'telnetClose') that the first 4 bytes of a fresh connection spell,
 * or null when they are an ordinary frame length.
 */
export function fourLetterWordOf(first4bytes: Uint8Array): string | null {
  if (first4bytes.length < 4) return null;
  const value = new DataView(first4bytes.buffer, first4bytes.byteOffset, 4).getInt32(0);
  if (value === TELNET_CLOSE) return 'telnetClose';
  return fourLetterWords.get(value) ?? null;
}
