/**
 * Consistent snapshots in bounded slices, and loading them back.
 *
 * A cursor walks the live node map. While it is open, the tree hands it the pre-image of every
 * node about to change or be deleted that the cursor has not written yet (copy-on-write), and
 * nodes created after the start (czxid > zxid) are skipped, so the chunks describe the tree
 * exactly as of `startSnapshot`. Children are not written; the loader rebuilds them from paths.
 *
 * Chunk format (big-endian): a sequence of records, each a one-byte tag then its fields.
 *   'H' header (first record of the first chunk): u32 magic "CRLS", u32 version 1, i64 zxid,
 *       i64 digest (the tree digest at the start).
 *   'A' ACL list: u32 index (0, 1, 2, ... in order of first use), u32 count,
 *       count x (i32 perms, string scheme, string id).
 *   'N' node: string path, data (i32 length, -1 = null, then the bytes), u32 ACL index, f64 czxid,
 *       f64 mzxid, f64 pzxid, f64 ctime, f64 mtime, i32 version, i32 cversion (persisted),
 *       i32 aversion, i64 ephemeralOwner (raw, with container/TTL markers).
 *   'E' end (last record of the last chunk): f64 number of node records.
 * Strings are u32 byte length + UTF-8. Integrity of the bytes at rest is the storage layer's job.
 */
import type { AclEntry } from './acl-cache.js';
import { ByteWriter } from './byte-buffer.js';
import type { ZNode } from './znode.js';

/** The snapshot format's magic number, "CRLS". */
export const MAGIC = 0x43524c53;
/** The snapshot format version. */
export const VERSION = 1;
/** Record tag: header. */
export const TAG_HEADER = 0x48;
/** Record tag: ACL list. */
export const TAG_ACL = 0x41;
/** Record tag: node. */
export const TAG_NODE = 0x4e;
/** Record tag: end. */
export const TAG_END = 0x45;

/** A snapshot's bytes are malformed or do not reproduce the digest they claim. */
export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/** What the tree gives a new cursor. */
export interface SnapshotCursorInit {
  readonly entries: IterableIterator<[string, ZNode]>;
  readonly zxid: bigint;
  /**
   * Unique per cursor; stamped on nodes as they are written. Null for a cursor run to the end
   * before the tree changes again (DataTree.snapshotNow): it needs no pre-images, and must not
   * overwrite the stamps of a sliced snapshot that is open at the same time.
   */
  readonly mark: number | null;
  readonly digest: bigint;
  readonly onDone: (cursor: SnapshotCursor) => void;
}

/** Serializes a tree as of its start in chunks of at most `maxNodes` node records. */
export class SnapshotCursor {
  readonly #init: SnapshotCursorInit;
  readonly #zxid: number;
  readonly #preImages = new Map<string, ZNode>();
  readonly #aclIndex = new Map<AclEntry, number>();
  #leftovers: IterableIterator<[string, ZNode]> | null = null;
  #headerWritten = false;
  #nodesWritten = 0;
  #done = false;

  /** Made by DataTree.startSnapshot. */
  constructor(init: SnapshotCursorInit) {
    this.#init = init;
    this.#zxid = Number(init.zxid);
  }

  /** The zxid the snapshot reflects. */
  get zxid(): bigint {
    return this.#init.zxid;
  }

  /** The tree digest as of the start. */
  get digest(): bigint {
    return this.#init.digest;
  }

  /** Whether the last chunk has been returned (or the cursor was closed). */
  get isDone(): boolean {
    return this.#done;
  }

  /** Saves a node's state before its first change since the start; called by DataTree. */
  preserve(path: string, node: ZNode): void {
    if (this.#done || node.snapMark === this.#init.mark || node.czxid > this.#zxid) return;
    if (!this.#preImages.has(path)) this.#preImages.set(path, node.copy());
  }

  /** The next chunk (up to `maxNodes` nodes visited), or null once the snapshot is complete. */
  next(maxNodes: number): Uint8Array | null {
    if (this.#done) return null;
    const out = new ByteWriter(Math.min(1 << 20, 256 + maxNodes * 160));
    if (!this.#headerWritten) {
      out.u8(TAG_HEADER);
      out.u32(MAGIC);
      out.u32(VERSION);
      out.i64(this.#init.zxid);
      out.i64(this.#init.digest);
      this.#headerWritten = true;
    }
    for (let visited = 0; visited < maxNodes && !this.#done; visited++) this.#step(out);
    return out.toBytes();
  }

  /** Abandons the snapshot; the tree stops saving pre-images for it. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#preImages.clear();
    this.#init.onDone(this);
  }

  /** Visits one live node, or one saved pre-image of a deleted node, or writes the end. */
  #step(out: ByteWriter): void {
    if (this.#leftovers === null) {
      const step = this.#init.entries.next();
      if (step.done === true) {
        this.#leftovers = this.#preImages.entries();
        return;
      }
      const [path, node] = step.value;
      const pre = this.#preImages.get(path);
      if (this.#init.mark !== null) node.snapMark = this.#init.mark;
      if (pre !== undefined) {
        this.#preImages.delete(path);
        this.#write(out, path, pre);
      } else if (node.czxid <= this.#zxid) {
        this.#write(out, path, node);
      }
      return;
    }
    const left = this.#leftovers.next();
    if (left.done !== true) {
      this.#write(out, left.value[0], left.value[1]);
      return;
    }
    out.u8(TAG_END);
    out.f64(this.#nodesWritten);
    this.close();
  }

  #write(out: ByteWriter, path: string, node: ZNode): void {
    let index = this.#aclIndex.get(node.acl);
    if (index === undefined) {
      index = this.#aclIndex.size;
      this.#aclIndex.set(node.acl, index);
      out.u8(TAG_ACL);
      out.u32(index);
      out.u32(node.acl.acl.length);
      for (const entry of node.acl.acl) {
        out.i32(entry.perms);
        out.string(entry.id.scheme);
        out.string(entry.id.id);
      }
    }
    out.u8(TAG_NODE);
    out.string(path);
    out.latin1(node.data);
    out.u32(index);
    out.f64(node.czxid);
    out.f64(node.mzxid);
    out.f64(node.pzxid);
    out.f64(node.ctime);
    out.f64(node.mtime);
    out.i32(node.version);
    out.i32(node.cversion);
    out.i32(node.aversion);
    out.i64(node.ephemeralOwner);
    this.#nodesWritten++;
  }
}
