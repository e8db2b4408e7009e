/**
 * FileSnapshotStore: snapshots on disk (shell code: uses node:fs).
 *
 * Layout (ZooKeeper's): `<dataDir>/version-2/snapshot.<zxid>`, `<zxid>` in lowercase hex. A
 * snapshot is written to `snapshot.<zxid>.tmp`, fsynced, renamed to its final name, and the
 * directory is fsynced, so a final name always holds a complete file.
 *
 * File format, all integers big-endian:
 *   header  : magic u32 = 0x4352534e ('CRSN'), format version u32 = 1, zxid u64,
 *             meta length u32, crc32 u32 over meta, meta
 *   chunk*  : length u32 (> 0), crc32 u32 over the chunk, chunk
 *   trailer : u32 = 0 (the end marker), crc32 u32 over (the chunk crcs, in order, then chunk count
 *             u64 and digest u64), chunk count u64, digest u64; then the end of the file
 * `latest()` reads the newest snapshot completely and checks every checksum before returning it;
 * an invalid one is skipped with a warn log (as ZooKeeper's FileSnap.findNValidSnapshots does),
 * and the reader checks the checksums again as it streams the chunks. `loadLatest()` reads each
 * file once instead: its reader checks the checksums as it streams, and a snapshot found damaged
 * partway is dropped, with whatever was built from it, for the next older one.
 */
import { crc32 } from 'node:zlib';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../util/assert.js';
import { hex } from '../../util/hex.js';
import type { Logger } from '../../util/logger.js';
import { fsyncDirectory, readdirIfExists, VERSION_DIR } from './fs-util.js';
import { MAX_SNAPSHOT_DIGEST, type SnapshotReader, type SnapshotStore, type SnapshotWriter } from './snapshot-store.js';
import { StorageCorruptError } from './storage-corrupt-error.js';

/** 'CRSN' as a big-endian u32: marks a Corral snapshot file. */
const SNAPSHOT_MAGIC = 0x4352534e;
const SNAPSHOT_FORMAT_VERSION = 1;
const HEADER_FIXED_BYTES = 24;
const CHUNK_HEADER_BYTES = 8;
const TRAILER_BYTES = 24;
/** Bounds a chunk or meta length read from disk, so damage cannot make us allocate gigabytes. */
const MAX_PIECE_BYTES = 256 * 1024 * 1024;
const SNAPSHOT_FILE_PATTERN = /^snapshot\.([0-9a-f]+)$/;

/** The name of the snapshot file for `zxid`. */
export function snapshotFileName(zxid: bigint): string {
  return `snapshot.${zxid.toString(16)}`;
}

/** The `snapshot.<hex>` files in a version-2 directory, newest first; none when it does not exist. */
export async function listSnapshotFiles(dir: string): Promise<{ name: string; zxid: bigint }[]> {
  const found: { name: string; zxid: bigint }[] = [];
  for (const name of await readdirIfExists(dir)) {
    const match = SNAPSHOT_FILE_PATTERN.exec(name);
    if (match?.[1] !== undefined) found.push({ name, zxid: BigInt(`0x${match[1]}`) });
  }
  return found.sort((a, b) => (a.zxid > b.zxid ? -1 : a.zxid < b.zxid ? 1 : 0));
}

/** Snapshots in `<dataDir>/version-2/`, in the format documented above. */
export class FileSnapshotStore implements SnapshotStore {
  readonly #dir: string;
  readonly #log: Logger;

  private constructor(dir: string, log: Logger) {
    this.#dir = dir;
    this.#log = log;
  }

  /** Opens (creating the version-2 directory if needed) the snapshot store under `dataDir`. */
  static async open(dataDir: string, logger: Logger): Promise<FileSnapshotStore> {
    const dir = join(dataDir, VERSION_DIR);
    await mkdir(dir, { recursive: true });
    return new FileSnapshotStore(dir, logger.child({ component: 'server.storage.snapshot' }));
  }

  /** Starts writing `snapshot.<zxid>` under a temporary name. */
  async begin(zxid: bigint, meta: Uint8Array): Promise<SnapshotWriter> {
    assert(zxid >= 0n, 'snapshot zxid must not be negative');
    assert(meta.length <= MAX_PIECE_BYTES, 'snapshot meta too large');
    const finalPath = join(this.#dir, snapshotFileName(zxid));
    const tempPath = `${finalPath}.tmp`;
    const handle = await open(tempPath, 'w');
    const writer = new FileSnapshotWriter({ handle, tempPath, finalPath, dir: this.#dir, log: this.#log });
    await writer.writeHeader(zxid, meta);
    return writer;
  }

  /**
   * Loads the newest snapshot that validates, reading each file once: `load` consumes a
   * candidate's chunks, which are checked as they stream. When a candidate turns out damaged (a
   * StorageCorruptError from its header, trailer or stream), the warning names it, what `load`
   * built is dropped, and the next older one is tried. Null when none is valid.
   */
  async loadLatest<T>(load: (reader: SnapshotReader) => Promise<T>): Promise<{ reader: SnapshotReader; loaded: T } | null> {
    for (const { name, zxid } of await listSnapshotFiles(this.#dir)) {
      const path = join(this.#dir, name);
      try {
        const reader = await openSnapshot(path, zxid);
        return { reader, loaded: await load(reader) };
      } catch (err: unknown) {
        if (!(err instanceof StorageCorruptError)) throw err;
        this.#log.warn({ file: path, offset: err.offset, reason: err.reason }, 'skipping invalid snapshot');
      }
    }
    return null;
  }

  /** The newest snapshot that validates completely; invalid newer ones are skipped with a warning. */
  async latest(): Promise<SnapshotReader | null> {
    for (const { name, zxid } of await listSnapshotFiles(this.#dir)) {
      const path = join(this.#dir, name);
      try {
        return await validateSnapshot(path, zxid);
      } catch (err: unknown) {
        if (!(err instanceof StorageCorruptError)) throw err;
        this.#log.warn({ file: path, offset: err.offset, reason: err.reason }, 'skipping invalid snapshot');
      }
    }
    return null;
  }
}

/** Where a FileSnapshotWriter writes. */
interface WriterTarget {
  readonly handle: FileHandle;
  readonly tempPath: string;
  readonly finalPath: string;
  readonly dir: string;
  readonly log: Logger;
}

/** Writes one snapshot file piece by piece; each write is awaited, so the event loop stays free. */
class FileSnapshotWriter implements SnapshotWriter {
  readonly #target: WriterTarget;
  #position = 0;
  #chunkCount = 0n;
  #runningCrc = 0;
  #state: 'open' | 'busy' | 'finished' | 'aborted' = 'open';

  constructor(target: WriterTarget) {
    this.#target = target;
  }

  async writeHeader(zxid: bigint, meta: Uint8Array): Promise<void> {
    const header = Buffer.alloc(HEADER_FIXED_BYTES);
    header.writeUInt32BE(SNAPSHOT_MAGIC, 0);
    header.writeUInt32BE(SNAPSHOT_FORMAT_VERSION, 4);
    header.writeBigUInt64BE(zxid, 8);
    header.writeUInt32BE(meta.length, 16);
    header.writeUInt32BE(crc32(meta), 20);
    await this.#guarded(() => this.#append([header, meta]));
  }

  async write(chunk: Uint8Array): Promise<void> {
    assert(chunk.length <= MAX_PIECE_BYTES, 'snapshot chunk too large');
    if (chunk.length === 0) return;
    const chunkCrc = crc32(chunk);
    const header = Buffer.alloc(CHUNK_HEADER_BYTES);
    header.writeUInt32BE(chunk.length, 0);
    header.writeUInt32BE(chunkCrc, 4);
    this.#runningCrc = crc32(header.subarray(4), this.#runningCrc);
    this.#chunkCount += 1n;
    await this.#guarded(() => this.#append([header, chunk]));
  }

  async finish(digest: bigint): Promise<void> {
    assert(digest >= 0n && digest <= MAX_SNAPSHOT_DIGEST, 'snapshot digest out of range');
    await this.#guarded(async () => {
      await this.#append([encodeTrailer(this.#runningCrc, this.#chunkCount, digest)]);
      const { handle, tempPath, finalPath, dir, log } = this.#target;
      await handle.sync();
      await handle.close();
      await rename(tempPath, finalPath);
      await fsyncDirectory(dir);
      this.#state = 'finished';
      log.info({ file: finalPath, sizeBytes: this.#position }, 'snapshot written');
    });
  }

  async abort(): Promise<void> {
    if (this.#state === 'finished' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    const { handle, tempPath } = this.#target;
    // Closing a FileHandle that a failed finish already closed resolves, so this is safe.
    await handle.close();
    // A failed finish may have renamed the file already; then there is nothing left to remove.
    await unlink(tempPath).catch((err: unknown) => {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    });
  }

  /** Runs one step, asserting the writer is not used concurrently or after it ended. */
  async #guarded(step: () => Promise<void>): Promise<void> {
    assert(this.#state === 'open', `snapshot writer used while ${this.#state}`);
    this.#state = 'busy';
    try {
      await step();
    } finally {
      if (this.#state === 'busy') this.#state = 'open';
    }
  }

  async #append(pieces: readonly Uint8Array[]): Promise<void> {
    for (const piece of pieces) {
      let done = 0;
      while (done < piece.length) {
        const { bytesWritten } = await this.#target.handle.write(piece, done, piece.length - done, this.#position);
        done += bytesWritten;
        this.#position += bytesWritten;
      }
    }
  }
}

function encodeTrailer(runningCrc: number, chunkCount: bigint, digest: bigint): Buffer {
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeBigUInt64BE(chunkCount, 8);
  trailer.writeBigUInt64BE(digest, 16);
  trailer.writeUInt32BE(crc32(trailer.subarray(8), runningCrc), 4);
  return trailer;
}

/** Reads a snapshot file sequentially, throwing StorageCorruptError at the first problem. */
class SnapshotFileReader {
  readonly #handle: FileHandle;
  readonly #path: string;
  #position = 0;

  constructor(handle: FileHandle, path: string) {
    this.#handle = handle;
    this.#path = path;
  }

  corrupt(reason: string, offset = this.#position): StorageCorruptError {
    return new StorageCorruptError({ file: this.#path, offset, reason });
  }

  async read(length: number, what: string): Promise<Buffer> {
    // Own memory rather than the shared Buffer pool, so a chunk kept by the caller pins nothing else.
    const bytes = Buffer.from(new ArrayBuffer(length));
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(bytes, done, length - done, this.#position + done);
      if (bytesRead === 0) throw this.corrupt(`file ends inside the ${what}`, this.#position + done);
      done += bytesRead;
    }
    this.#position += length;
    return bytes;
  }

  async expectEnd(): Promise<void> {
    const { bytesRead } = await this.#handle.read(Buffer.alloc(1), 0, 1, this.#position);
    if (bytesRead !== 0) throw this.corrupt('data after the trailer');
  }
}

/** One step of reading a snapshot file. */
type SnapshotPiece =
  | { readonly kind: 'header'; readonly zxid: bigint; readonly meta: Uint8Array }
  | { readonly kind: 'chunk'; readonly chunk: Uint8Array }
  | { readonly kind: 'trailer'; readonly digest: bigint };

/** Reads and checks a whole snapshot file, yielding its header, chunks and trailer in order. */
async function* readSnapshotFile(path: string): AsyncGenerator<SnapshotPiece> {
  const handle = await open(path, 'r');
  try {
    const reader = new SnapshotFileReader(handle, path);
    yield await readHeader(reader);
    let runningCrc = 0;
    let chunkCount = 0n;
    for (;;) {
      const chunkHeader = await reader.read(CHUNK_HEADER_BYTES, 'chunk header');
      const length = chunkHeader.readUInt32BE(0);
      if (length === 0) {
        yield { kind: 'trailer', digest: await readTrailer(reader, chunkHeader, runningCrc, chunkCount) };
        return;
      }
      if (length > MAX_PIECE_BYTES) throw reader.corrupt('chunk length out of range');
      const chunk = await reader.read(length, 'chunk');
      if (crc32(chunk) !== chunkHeader.readUInt32BE(4)) throw reader.corrupt('chunk checksum mismatch');
      runningCrc = crc32(chunkHeader.subarray(4), runningCrc);
      chunkCount += 1n;
      yield { kind: 'chunk', chunk: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length) };
    }
  } finally {
    await handle.close();
  }
}

async function readHeader(reader: SnapshotFileReader): Promise<SnapshotPiece> {
  const header = await reader.read(HEADER_FIXED_BYTES, 'header');
  if (header.readUInt32BE(0) !== SNAPSHOT_MAGIC) throw reader.corrupt('bad magic', 0);
  if (header.readUInt32BE(4) !== SNAPSHOT_FORMAT_VERSION) throw reader.corrupt('unknown format version', 4);
  const metaLength = header.readUInt32BE(16);
  if (metaLength > MAX_PIECE_BYTES) throw reader.corrupt('meta length out of range', 16);
  const meta = await reader.read(metaLength, 'meta');
  if (crc32(meta) !== header.readUInt32BE(20)) throw reader.corrupt('meta checksum mismatch', HEADER_FIXED_BYTES);
  return { kind: 'header', zxid: header.readBigUInt64BE(8), meta: new Uint8Array(meta) };
}

async function readTrailer(reader: SnapshotFileReader, start: Buffer, runningCrc: number, chunkCount: bigint): Promise<bigint> {
  const rest = await reader.read(TRAILER_BYTES - CHUNK_HEADER_BYTES, 'trailer');
  if (crc32(rest, runningCrc) !== start.readUInt32BE(4)) throw reader.corrupt('trailer checksum mismatch');
  if (rest.readBigUInt64BE(0) !== chunkCount) throw reader.corrupt('chunk count mismatch');
  await reader.expectEnd();
  return rest.readBigUInt64BE(8);
}

/**
 * A reader for a snapshot checked so far only at its ends: the header and meta, and the trailer's
 * digest and end marker. Its chunks are checked as they stream, the trailer's checksum and chunk
 * count last; any damage throws StorageCorruptError from the stream.
 */
async function openSnapshot(path: string, nameZxid: bigint): Promise<SnapshotReader> {
  let header: { zxid: bigint; meta: Uint8Array } | null = null;
  for await (const piece of readSnapshotFile(path)) {
    if (piece.kind === 'header') header = piece;
    break;
  }
  assert(header !== null, 'a snapshot read starts with its header');
  if (header.zxid !== nameZxid) {
    throw new StorageCorruptError({ file: path, offset: 8, reason: `zxid ${hex(header.zxid)} differs from file name` });
  }
  const handle = await open(path, 'r');
  let trailer: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    trailer = Buffer.alloc(TRAILER_BYTES);
    const at = size - TRAILER_BYTES;
    const { bytesRead } = at < 0 ? { bytesRead: 0 } : await handle.read(trailer, 0, TRAILER_BYTES, at);
    if (bytesRead !== TRAILER_BYTES || trailer.readUInt32BE(0) !== 0) {
      throw new StorageCorruptError({ file: path, offset: Math.max(0, at), reason: 'no trailer at the end of the file' });
    }
  } finally {
    await handle.close();
  }
  const digest = trailer.readBigUInt64BE(16);
  return {
    zxid: header.zxid,
    meta: header.meta,
    digest,
    chunks: async function* () {
      for await (const piece of readSnapshotFile(path)) {
        if (piece.kind === 'chunk') yield piece.chunk;
        // The trailer read at the end of the stream is the one whose checksum held.
        if (piece.kind === 'trailer' && piece.digest !== digest) {
          throw new StorageCorruptError({ file: path, offset: size - 8, reason: 'digest changed while reading' });
        }
      }
    },
  };
}

/** Reads a whole snapshot file to check it, then returns a reader that streams it again. */
export async function validateSnapshot(path: string, nameZxid: bigint): Promise<SnapshotReader> {
  let header: { zxid: bigint; meta: Uint8Array } | null = null;
  let digest: bigint | null = null;
  for await (const piece of readSnapshotFile(path)) {
    if (piece.kind === 'header') header = piece;
    if (piece.kind === 'trailer') digest = piece.digest;
  }
  assert(header !== null && digest !== null, 'snapshot read ended without header or trailer');
  if (header.zxid !== nameZxid) {
    throw new StorageCorruptError({ file: path, offset: 8, reason: `zxid ${hex(header.zxid)} differs from file name` });
  }
  return {
    zxid: header.zxid,
    meta: header.meta,
    digest,
    chunks: async function* () {
      for await (const piece of readSnapshotFile(path)) if (piece.kind === 'chunk') yield piece.chunk;
    },
  };
}
