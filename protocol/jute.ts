/**
 * The jute binary archive (reference §1.2): big-endian primitives, length-prefixed buffers and
 * strings with -1 for null, and counted vectors. The reader throws only `DecodeError`, which the
 * record decoders catch and turn into results.
 */
import { Buffer } from 'node:buffer';

/** jute.maxbuffer's default (reference §1.1): the largest frame either side accepts. */
export const JUTE_MAX_BUFFER = 0xfffff;

/**
 * The per-field limit for a jute.maxbuffer of `maxBuffer`: maxbuffer + extrasize, where
 * jute.maxbuffer.extrasize defaults to maxbuffer (at least 1024), as
 * BinaryInputArchive.checkLength applies it to every buffer and ustring (reference §1.1).
 */
export function maxFieldBytesFor(maxBuffer: number): number {
  return maxBuffer + Math.max(maxBuffer, 1024);
}

/** The default per-field limit: 2 × 0xFFFFF. */
export const MAX_FIELD_BYTES = maxFieldBytesFor(JUTE_MAX_BUFFER);

/** The only error the jute reader throws: the bytes are not a valid encoding of the record. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Options of a JuteReader. */
export interface JuteReaderOptions {
  /** Longest buffer or ustring accepted, in bytes. */
  readonly maxFieldBytes?: number;
}

/**
 * Reads jute primitives from a byte array without copying (buffers are subarrays). Integers are
 * assembled from bytes rather than through a DataView: constructing a DataView per frame costs
 * more than decoding a typical request (measured with Node 20).
 */
export class JuteReader {
  readonly #bytes: Uint8Array;
  readonly #maxFieldBytes: number;
  #text: Buffer | null = null;
  #offset = 0;

  constructor(bytes: Uint8Array, options: JuteReaderOptions = {}) {
    this.#bytes = bytes;
    this.#maxFieldBytes = options.maxFieldBytes ?? MAX_FIELD_BYTES;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number): number {
    const at = this.#offset;
    if (n > this.#bytes.length - at) {
      throw new DecodeError(`need ${n} bytes at offset ${at}, have ${this.#bytes.length - at}`);
    }
    this.#offset = at + n;
    return at;
  }

  /** The i32 at `at`, which the caller has bounds-checked. */
  #int32At(at: number): number {
    const b = this.#bytes;
    return ((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  }

  /** Reads an i32. */
  readInt(): number {
    return this.#int32At(this.#need(4));
  }

  /** Reads an i64. */
  readLong(): bigint {
    const at = this.#need(8);
    const high = this.#int32At(at);
    const low = this.#int32At(at + 4) >>> 0;
    // Most session ids' and zxids' high halves are non-zero, but small values are common in tests
    // and counters; the shortcut skips two BigInt operations.
    return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
  }

  /** Reads a boolean; any non-zero byte is true, as BinaryInputArchive.readBool does. */
  readBool(): boolean {
    return this.#bytes[this.#need(1)] !== 0;
  }

  /** Reads one byte as an unsigned number. */
  readByte(): number {
    return this.#bytes[this.#need(1)] as number;
  }

  #length(): number {
    const length = this.readInt();
    if (length < -1) throw new DecodeError(`negative length ${length}`);
    if (length > this.#maxFieldBytes) {
      throw new DecodeError(`length ${length} over the field limit ${this.#maxFieldBytes}`);
    }
    return length;
  }

  /** Reads a buffer as a view into the input (null for length -1); copy it if it must outlive the frame. */
  readBuffer(): Uint8Array | null {
    const length = this.#length();
    if (length === -1) return null;
    const at = this.#need(length);
    return this.#bytes.subarray(at, at + length);
  }

  /** Reads a buffer into fresh memory (null for length -1), for data that outlives the frame. */
  readBufferCopy(): Uint8Array | null {
    const view = this.readBuffer();
    if (view === null) return null;
    // Buffer.from copies from Node's pool, several times faster than new Uint8Array(view) for
    // small data; the plain Uint8Array over it keeps decoded values free of Buffer's API.
    const copy = Buffer.from(view);
    return new Uint8Array(copy.buffer, copy.byteOffset, copy.length);
  }

  /** The input as a Buffer, for the native UTF-8 decoder; made on first use, without copying. */
  #textView(): Buffer {
    if (this.#text === null) {
      const b = this.#bytes;
      this.#text = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    }
    return this.#text;
  }

  /** Reads a ustring (null for length -1), decoding UTF-8 as Java's reader does. */
  readUstring(): string | null {
    const length = this.#length();
    if (length === -1) return null;
    const at = this.#need(length);
    return this.#textView().toString('utf8', at, at + length);
  }

  /** Reads a ustring where a record requires one; null reads as "" (kazoo sends "" as null, §1.2). */
  readString(): string {
    return this.readUstring() ?? '';
  }

  /**
   * Reads a vector count. Every negative count reads as 0, as BinaryIndex.done (nelems <= 0) makes
   * Java read it (observed on 3.8.0: an ACL count of -2 gives INVALIDACL, not MARSHALLINGERROR);
   * a count whose items cannot fit in the bytes left is refused, where Java would hit the end.
   */
  readCount(minItemBytes: number): number {
    const count = this.readInt();
    if (count < 0) return 0;
    if (count * minItemBytes > this.remaining) {
      throw new DecodeError(`vector count ${count} exceeds the ${this.remaining} bytes left`);
    }
    return count;
  }

  /** Reads a vector<ustring>; a null vector reads as empty and null items as "". */
  readStringVector(): string[] {
    const count = this.readCount(4);
    const items = new Array<string>(count);
    for (let i = 0; i < count; i++) items[i] = this.readString();
    return items;
  }

  /** Reads a vector whose items `readItem` decodes, each at least `minItemBytes` long. */
  readVector<T>(minItemBytes: number, readItem: (reader: JuteReader) => T): T[] {
    const count = this.readCount(minItemBytes);
    const items = new Array<T>(count);
    for (let i = 0; i < count; i++) items[i] = readItem(this);
    return items;
  }
}

/** Writes jute primitives into a growable buffer. */
export class JuteWriter {
  #bytes: Buffer;
  #view: DataView;
  #offset = 0;

  constructor(initialBytes = 256) {
    this.#bytes = Buffer.allocUnsafe(Math.max(16, initialBytes));
    this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
  }

  /** Bytes written so far. */
  get offset(): number {
    return this.#offset;
  }

  #reserve(n: number): number {
    const at = this.#offset;
    if (at + n > this.#bytes.length) this.#grow(at + n);
    this.#offset = at + n;
    return at;
  }

  #grow(minBytes: number): void {
    const next = Buffer.allocUnsafe(Math.max(minBytes, this.#bytes.length * 2));
    this.#bytes.copy(next, 0, 0, this.#offset);
    this.#bytes = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Writes an i32 (the value is truncated to 32 bits). */
  writeInt(value: number): void {
    // Reserve first: it may replace #view, which `this.#view.setInt32(this.#reserve(4))` would
    // have read before the call.
    const at = this.#reserve(4);
    this.#view.setInt32(at, value);
  }

  /** Overwrites the i32 at `at`, for length prefixes known only after the body. */
  patchInt(at: number, value: number): void {
    this.#view.setInt32(at, value);
  }

  /** Writes an i64 (DataView wraps the value to 64 signed bits). */
  writeLong(value: bigint): void {
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, value);
  }

  /** Writes a boolean as 00 or 01. */
  writeBool(value: boolean): void {
    const at = this.#reserve(1);
    this.#bytes[at] = value ? 1 : 0;
  }

  /** Writes a buffer; null is written as length -1. */
  writeBuffer(value: Uint8Array | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    const at = this.#reserve(4 + value.length);
    this.#view.setInt32(at, value.length);
    this.#bytes.set(value, at + 4);
  }

  /** Writes raw bytes with no length prefix. */
  writeRaw(value: Uint8Array): void {
    const at = this.#reserve(value.length);
    this.#bytes.set(value, at);
  }

  /**
   * Writes a ustring as standard UTF-8; null is written as length -1. Java writes non-BMP
   * characters as CESU-8 surrogate pairs (§1.2), but every reader, Java's included, decodes
   * standard UTF-8, so standard UTF-8 is what all clients read back correctly.
   */
  writeUstring(value: string | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    // Reserve the worst case (3 bytes per UTF-16 unit), write, then give back the excess.
    const at = this.#reserve(4 + value.length * 3);
    const written = writeUtf8(this.#bytes, value, at + 4);
    this.#view.setInt32(at, written);
    this.#offset = at + 4 + written;
  }

  /** Writes a vector<ustring>. */
  writeStringVector(values: readonly string[]): void {
    this.writeInt(values.length);
    for (const value of values) this.writeUstring(value);
  }

  /** Writes a vector whose items `writeItem` encodes. */
  writeVector<T>(values: readonly T[], writeItem: (writer: JuteWriter, item: T) => void): void {
    this.writeInt(values.length);
    for (const value of values) writeItem(this, value);
  }

  /** The bytes written, as a view of the writer's memory (valid until the next write or reset). */
  finish(): Uint8Array {
    return this.#bytes.subarray(0, this.#offset);
  }

  /** The bytes written, copied into an exactly sized buffer of their own. */
  toBytes(): Uint8Array {
    const out = Buffer.allocUnsafe(this.#offset);
    this.#bytes.copy(out, 0, 0, this.#offset);
    return out;
  }

  /** Empties the writer for reuse, keeping its memory unless it grew past `keepBytes`. */
  reset(keepBytes = 1 << 20): void {
    this.#offset = 0;
    if (this.#bytes.length > keepBytes) {
      this.#bytes = Buffer.allocUnsafe(keepBytes);
      this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
    }
  }
}

/** Writes `value` as UTF-8 at `at` and returns the byte count; a loop for short ASCII strings. */
function writeUtf8(bytes: Buffer, value: string, at: number): number {
  const length = value.length;
  if (length > 64) return bytes.write(value, at, 'utf8');
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return bytes.write(value, at, 'utf8');
    bytes[at + i] = c;
  }
  return length;
}
