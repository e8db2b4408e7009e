/**
 * FileLogStore: the transaction log on disk (shell code: uses node:fs).
 *
 * Layout (ZooKeeper's, our own format inside): files `<dataLogDir>/version-2/log.<zxid>`, where
 * `<zxid>` is the lowercase hex zxid of the file's first record (ZooKeeper's `log.<hex>` naming).
 * A file is created when the first batch after a roll is synced; the store rolls on open and
 * whenever `roll()` is called (after a snapshot) so that older files can be purged.
 *
 * File format, all integers big-endian:
 *   header  : magic u32 = 0x43524c47 ('CRLG'), format version u32 = 1, reserved u64 = 0
 *   record* : length u32 (payload bytes), crc32 u32 over zxid+payload, zxid u64, payload
 *   end     : end of file at a record boundary, or zero bytes (a zxid of 0 is never written, so
 *             16 zero bytes are the end marker and the zero padding reads as one).
 * Files are preallocated in blocks of `preallocBytes` (ZooKeeper's preAllocSize, 64 MiB by
 * default) by extending them with zeros, so that most syncs write data without growing the file.
 * Within one file each record's zxid follows the previous one (`isNextZxid`), the first record
 * carries the zxid in the file name, and the first record of a file follows the last of the
 * previous file.
 *
 * Writing: `append` only buffers; `sync` encodes everything pending into one buffer, writes it
 * with one positional write on the single open fd, and calls fdatasync once. A file created by
 * the sync is fsynced and so is the directory, so the new name survives a crash.
 *
 * Overlapping syncs: when the open file takes the pending entries as they are (no new file, no
 * truncation queued), `sync` writes them at once with a synchronous positional write (page cache,
 * tens of µs; an async write costs a thread-pool round trip through a busy event loop) and starts
 * their fdatasync right away, even while the previous fdatasync still runs. Each fdatasync
 * covers all data written before it; a sync resolves, and `lastSyncedZxid` moves, only once its
 * own fdatasync and every earlier one completed, so durability is still reported in log order.
 * Anything else (a new file, a truncation) waits for every earlier sync and runs alone.
 *
 * Opening validates every file that may hold a txn after `replayFrom` (all of them by default):
 * like ZooKeeper, which reads only the logs after the snapshot it restores, a file whose every
 * record precedes that zxid (known from the next file's name) is not read until something needs
 * its records (readFrom or truncateAfter reaching back that far), and is validated then. A torn
 * final write in the newest file (a record cut short, or a bad record with nothing valid after
 * it) is truncated with a warn log naming the file and offset, and a newest file whose header
 * never landed is removed. Anything else (a bad header, a zxid gap, a bad record followed by
 * valid data, a torn record in an older file) throws StorageCorruptError and changes nothing on
 * disk.
 */
import { ftruncateSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../util/assert.js';
import { hex } from '../../util/hex.js';
import type { Logger } from '../../util/logger.js';
import { fsyncDirectory, readdirIfExists, VERSION_DIR } from './fs-util.js';
import {
  decodeRecords,
  encodeRecords,
  LOG_HEADER_BYTES,
  MAX_RECORD_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  scanLogFile,
  type LogFileScan,
} from './log-format.js';
import { isNextZxid, type LogEntry, type LogStore } from './log-store.js';
import { StorageCorruptError } from './storage-corrupt-error.js';

/** ZooKeeper's default preAllocSize: 64 MiB. */
const DEFAULT_PREALLOC_BYTES = 64 * 1024 * 1024;
const LOG_FILE_PATTERN = /^log\.([0-9a-f]+)$/;

/** Options for FileLogStore.open. */
export interface FileLogStoreOptions {
  /** Files grow in blocks of this many bytes (ZooKeeper's preAllocSize); 64 MiB by default. */
  readonly preallocBytes?: number;
  /**
   * Leave a torn tail (or an empty newest file) in place until `repair()`, so that a caller who
   * may still refuse to start (a log that does not continue the snapshot) has changed nothing.
   * The store refuses writes until `repair()` has run.
   */
  readonly deferRepairs?: boolean;
  /**
   * The zxid recovery replays after (the snapshot's); files holding only txns up to it are not
   * read at open (see the module comment). 0n, the default, validates every file.
   */
  readonly replayFrom?: bigint;
}

/**
 * One log file the store knows about; `endOffset` and `lastZxid` cover synced records only, and
 * mean nothing until `scanned` (a file open() skipped, see `replayFrom`).
 */
interface LogFileInfo {
  readonly path: string;
  readonly firstZxid: bigint;
  scanned: boolean;
  endOffset: number;
  lastZxid: bigint;
}

/** The file being appended to. */
interface OpenLogFile {
  readonly handle: FileHandle;
  readonly info: LogFileInfo;
  allocatedBytes: number;
  /** End of the written records, synced or not (`info.endOffset` covers the synced ones). */
  writtenOffset: number;
}

/** Entries waiting for a sync; `isNewFile` starts them in a new file (set by `roll`). */
interface PendingGroup {
  readonly isNewFile: boolean;
  entries: LogEntry[];
}

/** What opening must change on disk once every file has validated. */
type RepairAction =
  | { readonly kind: 'truncate'; readonly path: string; readonly offset: number }
  | { readonly kind: 'remove'; readonly path: string };

/** The transaction log in `<dataLogDir>/version-2/`, in the format documented above. */
export class FileLogStore implements LogStore {
  readonly #dir: string;
  /** Repairs found by open() and not yet applied (only with `deferRepairs`). */
  #deferredRepairs: readonly RepairAction[];
  readonly #log: Logger;
  readonly #preallocBytes: number;
  readonly #files: LogFileInfo[];
  #current: OpenLogFile | null = null;
  #pending: PendingGroup[] = [];
  #isRollRequested = true;
  #lastAppendedZxid: bigint;
  /** A serial sync queued behind #tail that has not yet taken the pending entries. */
  #queuedSync: Promise<void> | null = null;
  /** Serial jobs (syncs that start a file, truncations) queued or running. */
  #serialJobs = 0;
  /** Settles once every write and sync started so far is done. */
  #tail: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  #isClosed = false;

  private constructor(dir: string, log: Logger, preallocBytes: number, files: LogFileInfo[], repairs: readonly RepairAction[]) {
    this.#dir = dir;
    this.#deferredRepairs = repairs;
    this.#log = log;
    this.#preallocBytes = preallocBytes;
    this.#files = files;
    this.#lastAppendedZxid = files.at(-1)?.lastZxid ?? 0n;
  }

  /** Opens (creating if needed) the log under `dataLogDir`, validating and repairing a torn tail. */
  static async open(dataLogDir: string, logger: Logger, options: FileLogStoreOptions = {}): Promise<FileLogStore> {
    const preallocBytes = options.preallocBytes ?? DEFAULT_PREALLOC_BYTES;
    assert(Number.isSafeInteger(preallocBytes) && preallocBytes > 0, 'preallocBytes must be a positive integer');
    const log = logger.child({ component: 'server.storage.log' });
    const dir = join(dataLogDir, VERSION_DIR);
    await mkdir(dir, { recursive: true });
    const { files, repairs } = await validateLogDir(dir, options.replayFrom ?? 0n);
    const isDeferred = options.deferRepairs === true;
    if (!isDeferred) await applyRepairs(dir, repairs, log);
    const unread = files.filter((file) => !file.scanned).length;
    log.info({ dir, files: files.length, unread, lastZxid: hex(files.at(-1)?.lastZxid ?? 0n) }, 'transaction log opened');
    return new FileLogStore(dir, log, preallocBytes, files, isDeferred ? repairs : []);
  }

  /** Applies the repairs an open() with `deferRepairs` found (a no-op otherwise). */
  async repair(): Promise<void> {
    const repairs = this.#deferredRepairs;
    this.#deferredRepairs = [];
    await applyRepairs(this.#dir, repairs, this.#log);
  }

  /** The zxid of the last appended entry, synced or not; 0n when the log is empty. */
  lastZxid(): bigint {
    return this.#lastAppendedZxid;
  }

  /** The zxid of the last entry made durable by a completed sync; 0n when none. */
  lastSyncedZxid(): bigint {
    return this.#files.at(-1)?.lastZxid ?? 0n;
  }

  /** First zxids of the log files, oldest first (for purge decisions and tests). */
  fileStartZxids(): bigint[] {
    return this.#files.map((file) => file.firstZxid);
  }

  /** Buffers entries for the next sync; each zxid must follow the previous one. */
  append(entries: readonly LogEntry[]): void {
    this.#checkUsable();
    let previous = this.#lastAppendedZxid;
    for (const entry of entries) {
      if (!isNextZxid(previous, entry.zxid)) assert(false, `log append out of order: ${hex(entry.zxid)} after ${hex(previous)}`);
      assert(entry.data.length <= MAX_RECORD_PAYLOAD_BYTES, 'log record larger than the format allows');
      previous = entry.zxid;
    }
    if (entries.length === 0) return;
    const last = this.#pending.at(-1);
    if (last === undefined || this.#isRollRequested) {
      this.#pending.push({ isNewFile: this.#isRollRequested, entries: [...entries] });
    } else {
      last.entries.push(...entries);
    }
    this.#isRollRequested = false;
    this.#lastAppendedZxid = previous;
  }

  /**
   * Makes everything appended so far durable with one write and one fdatasync (see "Overlapping
   * syncs" above); resolves once it and every earlier sync are durable.
   */
  sync(): Promise<void> {
    assert(!this.#isClosed, 'log store used after close');
    assert(this.#deferredRepairs.length === 0, 'log store written before repair()');
    // Reject rather than throw, so callers handle every sync failure in one place.
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#pending.length === 0) return this.#tail;
    // A queued serial sync has not taken the pending entries yet: it will write these too.
    if (this.#queuedSync !== null) return this.#queuedSync;
    const current = this.#current;
    const only = this.#pending[0];
    if (this.#serialJobs === 0 && current !== null && this.#pending.length === 1 && only !== undefined && !only.isNewFile) {
      this.#pending = [];
      return this.#syncNow(current, only);
    }
    const next = this.#serial(async () => {
      this.#queuedSync = null;
      await this.#writePending();
    });
    this.#queuedSync = next;
    return next;
  }

  /** Makes the next appended entry start a new log file. */
  roll(): void {
    this.#checkUsable();
    this.#isRollRequested = true;
  }

  /** Yields the synced entries with zxid greater than `zxidExclusive`, in order, across files. */
  async *readFrom(zxidExclusive: bigint): AsyncIterable<LogEntry> {
    // The synced extent of each file as of now, so later appends are not read half-synced.
    const files = this.#files.map((file) => ({ file, endOffset: file.endOffset, lastZxid: file.lastZxid }));
    // The step into each file is checked here too: open() could not check it next to a file it
    // did not read.
    let previous: bigint | null = null;
    for (const [index, view] of files.entries()) {
      // Every record of a file comes before the next file's first zxid.
      const next = files[index + 1]?.file;
      if (next !== undefined && next.firstZxid <= zxidExclusive + 1n) continue;
      if (!view.file.scanned) {
        await this.#scanSkipped(view.file);
        view.endOffset = view.file.endOffset;
        view.lastZxid = view.file.lastZxid;
      }
      if (view.lastZxid <= zxidExclusive || view.endOffset <= LOG_HEADER_BYTES) continue;
      const bytes = await readPrefix(view.file.path, view.endOffset);
      let isFirst = true;
      for (const record of decodeRecords(bytes, LOG_HEADER_BYTES, view.endOffset, zxidExclusive)) {
        // Within a file the scan checked every step already.
        if (isFirst && previous !== null && !isNextZxid(previous, record.zxid)) {
          const offset = record.end - record.data.length - RECORD_HEADER_BYTES;
          throw new StorageCorruptError({ file: view.file.path, offset, reason: 'zxid gap or reordering' });
        }
        isFirst = false;
        previous = record.zxid;
        yield { zxid: record.zxid, data: record.data };
      }
    }
  }

  /**
   * Validates a file open() did not read, as open() would have an older file (a truncation may
   * since have made it the newest, but a torn tail in it is still damage, not an interrupted write).
   */
  async #scanSkipped(file: LogFileInfo): Promise<void> {
    const index = this.#files.indexOf(file);
    assert(index >= 0, 'a skipped log file is one the store holds');
    const previous = this.#files[index - 1];
    // The previous file may be unread too; then the zxid step into this one goes unchecked.
    const previousZxid = previous?.scanned === true ? previous.lastZxid : 0n;
    const scan = scanLogFile(await readFile(file.path), { file: file.path, nameZxid: file.firstZxid, previousZxid });
    judgeScan(file.path, scan, false);
    file.scanned = true;
    file.endOffset = scan.validEnd;
    file.lastZxid = scan.lastZxid;
  }

  /** Drops every entry with zxid greater than `zxid`, deleting and truncating files durably. */
  async truncateAfter(zxid: bigint): Promise<void> {
    this.#checkUsable();
    await this.#serial(() => this.#truncateNow(zxid));
  }

  async #truncateNow(zxid: bigint): Promise<void> {
    for (const group of this.#pending) group.entries = group.entries.filter((entry) => entry.zxid <= zxid);
    this.#pending = this.#pending.filter((group) => group.entries.length > 0);
    if (zxid < this.lastSyncedZxid()) await this.#truncateFiles(zxid);
    this.#lastAppendedZxid = this.#pending.at(-1)?.entries.at(-1)?.zxid ?? this.lastSyncedZxid();
  }

  /** Waits for running syncs, then closes the open file; the store is unusable afterwards. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    try {
      await this.#tail;
    } finally {
      await this.#closeCurrent();
    }
  }

  #checkUsable(): void {
    assert(!this.#isClosed, 'log store used after close');
    assert(this.#deferredRepairs.length === 0, 'log store written before repair()');
    // After a failed fsync nothing is known to be durable (STYLE.md §5.4): refuse to go on.
    if (this.#failure !== null) throw this.#failure;
  }

  /** Runs `job` after every write and sync started before it, with no sync overlapping it. */
  #serial(job: () => Promise<void>): Promise<void> {
    this.#serialJobs++;
    const next = this.#tail.then(job).finally(() => {
      this.#serialJobs--;
    });
    this.#tail = next;
    return next;
  }

  /** The overlapping path: write `group` now and start its fdatasync behind the earlier ones. */
  #syncNow(current: OpenLogFile, group: PendingGroup): Promise<void> {
    const bytes = encodeRecords(group.entries, false);
    const position = current.writtenOffset;
    const end = position + bytes.length;
    const lastZxid = group.entries.at(-1)?.zxid ?? current.info.lastZxid;
    let flushed: Promise<void>;
    try {
      this.#ensureAllocated(current, end);
      writeFullySync(current.handle.fd, bytes, position);
      current.writtenOffset = end;
      flushed = current.handle.datasync();
    } catch (err: unknown) {
      flushed = Promise.reject(err);
    }
    const next = Promise.all([this.#tail, flushed]).then(
      () => {
        current.info.endOffset = end;
        current.info.lastZxid = lastZxid;
      },
      (err: unknown) => this.#fail(err),
    );
    this.#tail = next;
    return next;
  }

  async #writePending(): Promise<void> {
    const groups = this.#pending;
    this.#pending = [];
    try {
      for (const group of groups) await this.#writeGroup(group);
    } catch (err: unknown) {
      this.#fail(err);
    }
  }

  /** After a failed write or fsync nothing later is known durable: every later use fails. */
  #fail(err: unknown): never {
    if (this.#failure === null) {
      this.#failure = err;
      this.#log.error({ err }, 'transaction log write failed');
    }
    throw this.#failure;
  }

  /** Writes one group with one positional write and one fdatasync (plus fsyncs for a new file). */
  async #writeGroup(group: PendingGroup): Promise<void> {
    const first = group.entries[0];
    assert(first !== undefined, 'empty pending group');
    const isNewFile = group.isNewFile || this.#current === null;
    if (isNewFile) await this.#startFile(first.zxid);
    const current = this.#current;
    assert(current !== null, 'no open log file');
    const bytes = encodeRecords(group.entries, isNewFile);
    const position = current.writtenOffset;
    this.#ensureAllocated(current, position + bytes.length);
    await writeFully(current.handle, bytes, position);
    if (isNewFile) {
      // A new file's size and name must survive too, which fdatasync alone does not promise.
      await current.handle.sync();
      await fsyncDirectory(this.#dir);
    } else {
      await current.handle.datasync();
    }
    current.writtenOffset = position + bytes.length;
    current.info.endOffset = current.writtenOffset;
    current.info.lastZxid = group.entries.at(-1)?.zxid ?? current.info.lastZxid;
  }

  async #startFile(firstZxid: bigint): Promise<void> {
    await this.#closeCurrent();
    const path = join(this.#dir, `log.${firstZxid.toString(16)}`);
    // 'wx': a name collision would mean two files claim the same zxid, so fail loudly.
    const handle = await open(path, 'wx');
    const info: LogFileInfo = { path, firstZxid, scanned: true, endOffset: 0, lastZxid: this.lastSyncedZxid() };
    this.#files.push(info);
    this.#current = { handle, info, allocatedBytes: 0, writtenOffset: 0 };
    this.#log.info({ file: path }, 'transaction log file created');
  }

  /** Grows the file by whole preallocation blocks to hold `requiredBytes` (a sparse extend, µs). */
  #ensureAllocated(current: OpenLogFile, requiredBytes: number): void {
    if (requiredBytes <= current.allocatedBytes) return;
    const blocks = Math.ceil(requiredBytes / this.#preallocBytes);
    current.allocatedBytes = blocks * this.#preallocBytes;
    ftruncateSync(current.handle.fd, current.allocatedBytes);
  }

  async #closeCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = null;
    if (current !== null) await current.handle.close();
  }

  /** Deletes whole files newest first (a crash midway leaves a prefix), then cuts the last one. */
  async #truncateFiles(zxid: bigint): Promise<void> {
    await this.#closeCurrent();
    this.#isRollRequested = true;
    for (let file = this.#files.at(-1); file !== undefined && file.firstZxid > zxid; file = this.#files.at(-1)) {
      await unlink(file.path);
      this.#files.pop();
    }
    const last = this.#files.at(-1);
    if (last !== undefined && !last.scanned) await this.#scanSkipped(last);
    if (last !== undefined && last.lastZxid > zxid) {
      const bytes = await readPrefix(last.path, last.endOffset);
      let cut = LOG_HEADER_BYTES;
      for (const record of decodeRecords(bytes, LOG_HEADER_BYTES, last.endOffset)) {
        if (record.zxid > zxid) break;
        cut = record.end;
        last.lastZxid = record.zxid;
      }
      await truncateFile(last.path, cut);
      last.endOffset = cut;
    }
    await fsyncDirectory(this.#dir);
    this.#log.info({ zxid: hex(zxid) }, 'transaction log truncated');
  }
}

/**
 * Validates every log file that may hold a txn after `replayFrom` without changing anything;
 * returns the files (the others unscanned) and the repairs needed.
 */
async function validateLogDir(dir: string, replayFrom: bigint): Promise<{ files: LogFileInfo[]; repairs: RepairAction[] }> {
  const names = await listLogFiles(dir);
  const files: LogFileInfo[] = [];
  const repairs: RepairAction[] = [];
  let previousZxid = 0n;
  for (const [index, { name, firstZxid }] of names.entries()) {
    const path = join(dir, name);
    const next = names[index + 1];
    if (next !== undefined && next.firstZxid <= replayFrom + 1n) {
      files.push({ path, firstZxid, scanned: false, endOffset: 0, lastZxid: 0n });
      previousZxid = 0n;
      continue;
    }
    const scan = scanLogFile(await readFile(path), { file: path, nameZxid: firstZxid, previousZxid });
    const isNewest = index === names.length - 1;
    const repair = judgeScan(path, scan, isNewest);
    if (repair !== null) repairs.push(repair);
    if (repair?.kind === 'remove') continue;
    files.push({ path, firstZxid, scanned: true, endOffset: scan.validEnd, lastZxid: scan.lastZxid });
    previousZxid = scan.lastZxid;
  }
  return { files, repairs };
}

/** Decides what a file's scan requires: nothing, a repair of the newest file, or refusal. */
function judgeScan(path: string, scan: LogFileScan, isNewest: boolean): RepairAction | null {
  const isEmpty = scan.isHeaderless || scan.recordCount === 0;
  if (!isNewest) {
    if (scan.isHeaderless) throw new StorageCorruptError({ file: path, offset: 0, reason: 'missing header' });
    if (scan.isTornTail) throw new StorageCorruptError({ file: path, offset: scan.validEnd, reason: 'torn record in a file that is not the newest' });
    if (isEmpty) throw new StorageCorruptError({ file: path, offset: scan.validEnd, reason: 'empty file that is not the newest' });
    return null;
  }
  // The newest file without records was created by a sync that never completed; a later file
  // may need its name, so it goes.
  if (isEmpty) return { kind: 'remove', path };
  if (scan.isTornTail) return { kind: 'truncate', path, offset: scan.validEnd };
  return null;
}

async function applyRepairs(dir: string, repairs: readonly RepairAction[], log: Logger): Promise<void> {
  for (const repair of repairs) {
    if (repair.kind === 'remove') {
      log.warn({ file: repair.path }, 'removing log file without records left by an interrupted sync');
      await unlink(repair.path);
    } else {
      log.warn({ file: repair.path, offset: repair.offset }, 'truncating torn final log record');
      await truncateFile(repair.path, repair.offset);
    }
  }
  if (repairs.length > 0) await fsyncDirectory(dir);
}

/** The `log.<hex>` files in a version-2 directory, oldest first; none when it does not exist. */
export async function listLogFiles(dir: string): Promise<{ name: string; firstZxid: bigint }[]> {
  const found: { name: string; firstZxid: bigint }[] = [];
  for (const name of await readdirIfExists(dir)) {
    const match = LOG_FILE_PATTERN.exec(name);
    if (match?.[1] !== undefined) found.push({ name, firstZxid: BigInt(`0x${match[1]}`) });
  }
  return found.sort((a, b) => (a.firstZxid < b.firstZxid ? -1 : a.firstZxid > b.firstZxid ? 1 : 0));
}

async function truncateFile(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readPrefix(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(bytes, done, length - done, done);
      if (bytesRead === 0) throw new StorageCorruptError({ file: path, offset: done, reason: 'file shrank while reading' });
      done += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

function writeFullySync(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
