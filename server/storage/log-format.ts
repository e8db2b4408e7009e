/**
 * Encoding and validation of transaction log files; the format is documented in file-log.ts.
 * Works on bytes already read, so it does no I/O and is easy to test byte by byte.
 */
import { crc32 } from 'node:zlib';
import { epochOf, isNextZxid, type LogEntry } from './log-store.js';
import { StorageCorruptError } from './storage-corrupt-error.js';

/** 'CRLG' as a big-endian u32: marks a Corral transaction log file. */
export const LOG_MAGIC = 0x43524c47;
/** The format version written in every log file header. */
export const LOG_FORMAT_VERSION = 1;
/** Bytes in the file header: magic u32, version u32, reserved u64. */
export const LOG_HEADER_BYTES = 16;
/** Bytes before a record's payload: length u32, crc32 u32, zxid u64. */
export const RECORD_HEADER_BYTES = 16;
/** The largest payload a record may carry; far above jute.maxbuffer, so only garbage exceeds it. */
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

// How many epochs past the last good one a record found after damage may claim before we treat
// its bytes as noise; keeps the search for "valid data after a bad record" from computing a CRC
// at every offset of a garbage tail.
const EPOCH_SEARCH_WINDOW = 0x1_0000;

/** The file header bytes. */
export function encodeLogHeader(): Buffer {
  const header = Buffer.alloc(LOG_HEADER_BYTES);
  header.writeUInt32BE(LOG_MAGIC, 0);
  header.writeUInt32BE(LOG_FORMAT_VERSION, 4);
  return header;
}

/** Encodes entries as consecutive records in one buffer, optionally after a file header. */
export function encodeRecords(entries: readonly LogEntry[], withHeader: boolean): Buffer {
  let total = withHeader ? LOG_HEADER_BYTES : 0;
  for (const entry of entries) total += RECORD_HEADER_BYTES + entry.data.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  if (withHeader) offset += encodeLogHeader().copy(out, 0);
  for (const entry of entries) {
    out.writeUInt32BE(entry.data.length, offset);
    out.writeBigUInt64BE(entry.zxid, offset + 8);
    out.set(entry.data, offset + RECORD_HEADER_BYTES);
    const end = offset + RECORD_HEADER_BYTES + entry.data.length;
    out.writeUInt32BE(crc32(out.subarray(offset + 8, end)), offset + 4);
    offset = end;
  }
  return out;
}

/** What sits at one offset of a log file. */
type RecordProbe =
  | { readonly kind: 'record'; readonly zxid: bigint; readonly end: number }
  | { readonly kind: 'eof' }
  | { readonly kind: 'bad' };

/** Reads the record at `offset`, checking that it fits in `bytes` and that its CRC matches. */
function probeRecord(bytes: Buffer, offset: number): RecordProbe {
  if (offset === bytes.length) return { kind: 'eof' };
  if (bytes.length - offset < RECORD_HEADER_BYTES) return { kind: 'bad' };
  const length = bytes.readUInt32BE(offset);
  const zxid = bytes.readBigUInt64BE(offset + 8);
  const end = offset + RECORD_HEADER_BYTES + length;
  // A zxid of 0 is never written, so zero padding and the end marker land here too.
  if (zxid === 0n || length > MAX_RECORD_PAYLOAD_BYTES || end > bytes.length) return { kind: 'bad' };
  if (crc32(bytes.subarray(offset + 8, end)) !== bytes.readUInt32BE(offset + 4)) return { kind: 'bad' };
  return { kind: 'record', zxid, end };
}

/**
 * Yields the records in `bytes[from, to)` with a zxid above `afterZxid` (all by default); the
 * range must hold whole, valid records. Records at or below `afterZxid` are stepped over by
 * their length, without a checksum or a copy: the file was validated when it was opened.
 */
export function* decodeRecords(bytes: Buffer, from: number, to: number, afterZxid = 0n): Generator<LogEntry & { end: number }> {
  let offset = from;
  const region = bytes.subarray(0, to);
  while (offset < to) {
    if (afterZxid > 0n && to - offset >= RECORD_HEADER_BYTES && region.readBigUInt64BE(offset + 8) <= afterZxid) {
      offset += RECORD_HEADER_BYTES + region.readUInt32BE(offset);
      continue;
    }
    const probe = probeRecord(region, offset);
    if (probe.kind !== 'record') throw new Error(`log record at offset ${offset} vanished after validation`);
    // A view, not a copy (a copy is a backing-store allocation per record, most of a replay's
    // cost): an entry kept by the caller pins the buffer of its file's records, which a kept
    // log needs anyway.
    const data = new Uint8Array(region.buffer, region.byteOffset + offset + RECORD_HEADER_BYTES, probe.end - offset - RECORD_HEADER_BYTES);
    yield { zxid: probe.zxid, data, end: probe.end };
    offset = probe.end;
  }
}

/** The outcome of validating one log file. */
export interface LogFileScan {
  /** Whether the file has no header yet (created, then a crash before its first write landed). */
  readonly isHeaderless: boolean;
  /** The offset just past the last valid record. */
  readonly validEnd: number;
  /** The zxid of the last valid record, or the `previousZxid` given when there is none. */
  readonly lastZxid: bigint;
  /** How many valid records the file holds. */
  readonly recordCount: number;
  /** Whether non-zero bytes after `validEnd` are the remains of a torn final write. */
  readonly isTornTail: boolean;
}

/** Where a log file sits among its neighbours, for validation. */
export interface LogFilePlace {
  readonly file: string;
  /** The zxid in the file's name, which its first record must carry. */
  readonly nameZxid: bigint;
  /** The last zxid of the previous file, or 0n for the first file. */
  readonly previousZxid: bigint;
}

/**
 * Validates a whole log file. Throws StorageCorruptError for a bad header, a zxid gap or a bad
 * record followed by valid data; reports a torn tail for the caller to judge (only the newest
 * file may have one).
 */
export function scanLogFile(bytes: Buffer, place: LogFilePlace): LogFileScan {
  const corrupt = (offset: number, reason: string): StorageCorruptError =>
    new StorageCorruptError({ file: place.file, offset, reason });
  if (isHeaderMissing(bytes)) {
    return { isHeaderless: true, validEnd: 0, lastZxid: place.previousZxid, recordCount: 0, isTornTail: false };
  }
  if (bytes.length < LOG_HEADER_BYTES || bytes.readUInt32BE(0) !== LOG_MAGIC) throw corrupt(0, 'bad magic');
  if (bytes.readUInt32BE(4) !== LOG_FORMAT_VERSION) throw corrupt(4, 'unknown format version');
  let offset = LOG_HEADER_BYTES;
  let lastZxid = place.previousZxid;
  let recordCount = 0;
  for (;;) {
    const probe = probeRecord(bytes, offset);
    if (probe.kind === 'eof') break;
    if (probe.kind === 'bad') {
      if (isAllZero(bytes, offset)) break;
      const searchBase = lastZxid > place.nameZxid - 1n ? lastZxid : place.nameZxid - 1n;
      if (hasValidRecordAfter(bytes, offset, searchBase)) throw corrupt(offset, 'bad record followed by valid data');
      return { isHeaderless: false, validEnd: offset, lastZxid, recordCount, isTornTail: true };
    }
    if (recordCount === 0 && probe.zxid !== place.nameZxid) throw corrupt(offset, 'first zxid differs from file name');
    if (!isNextZxid(lastZxid, probe.zxid)) throw corrupt(offset, 'zxid gap or reordering');
    lastZxid = probe.zxid;
    recordCount += 1;
    offset = probe.end;
  }
  return { isHeaderless: false, validEnd: offset, lastZxid, recordCount, isTornTail: false };
}

/** True for a file whose header never fully reached the disk: all zeros, or a prefix of it. */
function isHeaderMissing(bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  if (bytes.length >= LOG_HEADER_BYTES) return isAllZero(bytes.subarray(0, LOG_HEADER_BYTES), 0);
  return encodeLogHeader().subarray(0, bytes.length).equals(bytes) || isAllZero(bytes, 0);
}

const ZEROS = Buffer.alloc(64 * 1024);

/** True when every byte from `from` on is zero; compares natively, since padding is megabytes. */
function isAllZero(bytes: Buffer, from: number): boolean {
  for (let offset = from; offset < bytes.length; offset += ZEROS.length) {
    const piece = bytes.subarray(offset, Math.min(bytes.length, offset + ZEROS.length));
    if (!piece.equals(ZEROS.subarray(0, piece.length))) return false;
  }
  return true;
}

/** Looks for any valid record with a plausible zxid starting after `from`. */
function hasValidRecordAfter(bytes: Buffer, from: number, lastZxid: bigint): boolean {
  const epochMax = Number(epochOf(lastZxid)) + EPOCH_SEARCH_WINDOW;
  for (let offset = from + 1; offset + RECORD_HEADER_BYTES <= bytes.length; offset++) {
    // Cheap number compares first: the high word of the zxid is its epoch.
    const epoch = bytes.readUInt32BE(offset + 8);
    if (epoch > epochMax || (epoch === 0 && bytes.readUInt32BE(offset + 12) === 0)) continue;
    const probe = probeRecord(bytes, offset);
    if (probe.kind === 'record' && probe.zxid > lastZxid) return true;
  }
  return false;
}
