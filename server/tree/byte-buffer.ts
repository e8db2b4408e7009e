/**
 * A growable big-endian byte writer and a bounds-checked reader, shared by the snapshot chunk
 * format and the txn encoding. Numbers that hold zxids or times are written as float64, which is
 * exact for every safe integer. Strings go through Buffer's native UTF-8 and latin1 paths:
 * TextDecoder is several times slower on the short strings (paths) a snapshot is made of.
 */
import { Buffer, isUtf8 } from 'node:buffer';

/**
 * Size of the slab small copies share. Allocating an ArrayBuffer costs about 1.3 us in Node 20,
 * a view into a slab about 0.2 us, and encodeTxn copies once per write (measured). A live copy
 * keeps its whole slab alive, which is fine for txns: they are dropped in zxid order once logged
 * or committed, so at most about one slab is held beyond the live copies themselves.
 */
const SLAB_BYTES = 64 * 1024;
/** Copies above this size get their own buffer, so one slab holds at least eight of them. */
const SLAB_COPY_BYTES_MAX = SLAB_BYTES / 8;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** Appends big-endian fields to a buffer that grows by doubling. */
export class ByteWriter {
  #bytes: Buffer;
  #view: DataView;
  #length = 0;

  constructor(initialBytes = 4096) {
    this.#bytes = Buffer.alloc(Math.max(16, initialBytes));
    this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
  }

  /** The number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Makes room for `n` bytes and returns their offset. It may replace the buffer, so callers
   * take the offset before touching `#bytes` or `#view`.
   */
  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#bytes.length) {
      let size = this.#bytes.length * 2;
      while (size < at + n) size *= 2;
      const next = Buffer.alloc(size);
      this.#bytes.copy(next, 0, 0, at);
      this.#bytes = next;
      this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    }
    this.#length = at + n;
    return at;
  }

  /** Writes an unsigned byte. */
  u8(value: number): void {
    const at = this.#reserve(1);
    this.#view.setUint8(at, value);
  }

  /** Writes a signed 32-bit integer. */
  i32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setInt32(at, value);
  }

  /** Writes an unsigned 32-bit integer. */
  u32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value);
  }

  /** Writes a float64; exact for safe integers such as zxids kept as numbers. */
  f64(value: number): void {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value);
  }

  /** Writes a signed 64-bit integer. */
  i64(value: bigint): void {
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, BigInt.asIntN(64, value));
  }

  /** Writes a UTF-8 string with a u32 byte length. */
  string(value: string): void {
    const size = Buffer.byteLength(value, 'utf8');
    this.u32(size);
    const at = this.#reserve(size);
    this.#bytes.write(value, at, size, 'utf8');
  }

  /** Writes a byte array with an i32 length; null is written as length -1. */
  buffer(value: Uint8Array | null): void {
    if (value === null) {
      this.i32(-1);
      return;
    }
    this.i32(value.length);
    const at = this.#reserve(value.length);
    this.#bytes.set(value, at);
  }

  /** Writes bytes kept one per char (node-data.ts) like `buffer`: i32 length, -1 for null. */
  latin1(value: string | null): void {
    if (value === null) {
      this.i32(-1);
      return;
    }
    this.i32(value.length);
    const at = this.#reserve(value.length);
    this.#bytes.write(value, at, value.length, 'latin1');
  }

  /** Forgets what was written and keeps the buffer, so one writer can encode many records. */
  reset(): void {
    this.#length = 0;
  }

  /**
   * A copy of the bytes written, as a plain Uint8Array. Small copies are carved out of a shared
   * slab (see `SLAB_BYTES`); larger ones get their own buffer.
   */
  toBytes(): Uint8Array {
    const length = this.#length;
    if (length > SLAB_COPY_BYTES_MAX) return new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, length).slice();
    if (slabUsed + length > SLAB_BYTES) {
      slab = new Uint8Array(SLAB_BYTES);
      slabUsed = 0;
    }
    const out = slab.subarray(slabUsed, slabUsed + length);
    this.#bytes.copy(out, 0, 0, length);
    slabUsed += length;
    return out;
  }
}

/** Whether `bytes[from, to)` are all below 0x80 (ASCII reads the same as latin1 and UTF-8). */
function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

/** Reads big-endian fields; every read past the end or malformed value throws `fail(reason)`. */
export class ByteReader {
  readonly #bytes: Buffer;
  readonly #view: DataView;
  readonly #fail: (reason: string) => Error;
  #offset = 0;

  constructor(bytes: Uint8Array, fail: (reason: string) => Error) {
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#fail = fail;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number): number {
    if (n < 0 || this.#offset + n > this.#bytes.length) {
      throw this.#fail(`truncated at byte ${this.#offset} (need ${n})`);
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /** Reads an unsigned byte. */
  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }

  /** Reads a signed 32-bit integer. */
  i32(): number {
    return this.#view.getInt32(this.#need(4));
  }

  /** Reads an unsigned 32-bit integer. */
  u32(): number {
    return this.#view.getUint32(this.#need(4));
  }

  /** Reads a float64 that must hold a safe integer (zxids, times). */
  safeInt(): number {
    const value = this.#view.getFloat64(this.#need(8));
    if (!Number.isSafeInteger(value)) throw this.#fail(`not a safe integer: ${value}`);
    return value;
  }

  /** Reads a signed 64-bit integer. */
  i64(): bigint {
    return this.#view.getBigInt64(this.#need(8));
  }

  /** Reads a UTF-8 string with a u32 byte length; invalid UTF-8 fails. */
  string(): string {
    const n = this.u32();
    const at = this.#need(n);
    // Paths are short and nearly always ASCII: decode those without a view, validation or UTF-8.
    if (n <= 256 && isAscii(this.#bytes, at, at + n)) return this.#bytes.toString('latin1', at, at + n);
    const bytes = this.#bytes.subarray(at, at + n);
    if (!isUtf8(bytes)) throw this.#fail(`invalid UTF-8 at byte ${at}`);
    return bytes.toString('utf8');
  }

  /** Reads a byte array with an i32 length (-1 is null); the result is a copy. */
  buffer(): Uint8Array | null {
    return this.bufferView()?.slice() ?? null;
  }

  /**
   * Like `buffer`, but the result is a view of the bytes being read, not a copy: for a reader
   * whose bytes are never written again (a decoded txn's data, which the tree copies anyway).
   */
  bufferView(): Uint8Array | null {
    const n = this.#length();
    if (n === -1) return null;
    const at = this.#need(n);
    return new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset + at, n);
  }

  /**
   * Reads bytes written by ByteWriter.latin1 into the one-char-per-byte form, and also where they
   * sit in `view` (offset -1 for null), so that a caller can hash them in place instead of
   * reading the string again.
   */
  latin1At(): { readonly data: string | null; readonly offset: number; readonly length: number } {
    const n = this.#length();
    if (n === -1) return { data: null, offset: -1, length: 0 };
    const at = this.#need(n);
    return { data: this.#bytes.toString('latin1', at, at + n), offset: at, length: n };
  }

  /** The bytes being read, as a DataView (offsets as `latin1At` reports them). */
  get view(): DataView {
    return this.#view;
  }

  #length(): number {
    const n = this.i32();
    if (n < -1) throw this.#fail(`negative length ${n}`);
    return n;
  }
}
