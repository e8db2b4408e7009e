/**
 * Loads a snapshot written by SnapshotCursor (format: snapshot-cursor.ts) back into a DataTree:
 * nodes in any order, children linked from paths, then the digest is checked.
 */
import type { Acl } from '../../protocol/records.js';
import type { AclEntry } from './acl-cache.js';
import { ByteReader } from './byte-buffer.js';
import { DataTree } from './data-tree.js';
import { hashData, hashDataView } from './digest.js';
import { MAGIC, SnapshotFormatError, TAG_ACL, TAG_END, TAG_HEADER, TAG_NODE, VERSION } from './snapshot-cursor.js';
import { ZNode } from './znode.js';

/** Rebuilds a DataTree from a snapshot's chunks, given in order. */
export class TreeLoader {
  readonly #tree = DataTree.forLoading();
  readonly #acls: AclEntry[] = [];
  #header: { readonly zxid: bigint; readonly digest: bigint } | null = null;
  #ended = false;
  #nodes = 0;

  /** Reads one chunk; throws SnapshotFormatError on malformed bytes. */
  load(chunk: Uint8Array): void {
    const reader = new ByteReader(chunk, (reason) => new SnapshotFormatError(`snapshot chunk: ${reason}`));
    while (reader.remaining > 0) {
      if (this.#ended) throw new SnapshotFormatError('snapshot: bytes after the end record');
      const tag = reader.u8();
      if (this.#header === null && tag !== TAG_HEADER) throw new SnapshotFormatError('snapshot: missing header');
      if (tag === TAG_HEADER) this.#readHeader(reader);
      else if (tag === TAG_ACL) this.#readAcl(reader);
      else if (tag === TAG_NODE) this.#readNode(reader);
      else if (tag === TAG_END) this.#readEnd(reader);
      else throw new SnapshotFormatError(`snapshot: unknown record tag ${tag}`);
    }
  }

  /** The loaded tree; checks completeness, parent links and the digest. */
  finish(): DataTree {
    const header = this.#header;
    if (header === null || !this.#ended) throw new SnapshotFormatError('snapshot: incomplete (no end record)');
    for (const entry of this.#acls) this.#tree.releaseAcl(entry);
    if (!this.#tree.finishLoading(header.zxid)) throw new SnapshotFormatError('snapshot: a node has no parent');
    const digest = this.#tree.digest();
    if (digest !== header.digest) {
      throw new SnapshotFormatError(`snapshot: digest ${digest} does not match ${header.digest}`);
    }
    return this.#tree;
  }

  #readHeader(reader: ByteReader): void {
    if (this.#header !== null) throw new SnapshotFormatError('snapshot: second header');
    if (reader.u32() !== MAGIC) throw new SnapshotFormatError('snapshot: bad magic');
    const version = reader.u32();
    if (version !== VERSION) throw new SnapshotFormatError(`snapshot: unsupported version ${version}`);
    const zxid = reader.i64();
    this.#header = { zxid, digest: BigInt.asUintN(64, reader.i64()) };
  }

  #readAcl(reader: ByteReader): void {
    const index = reader.u32();
    if (index !== this.#acls.length) throw new SnapshotFormatError(`snapshot: ACL index ${index} out of order`);
    const count = reader.u32();
    const acl: Acl[] = [];
    for (let i = 0; i < count; i++) {
      const perms = reader.i32();
      const scheme = reader.string();
      acl.push({ perms, id: { scheme, id: reader.string() } });
    }
    this.#acls.push(this.#tree.acquireAcl(acl));
  }

  #readNode(reader: ByteReader): void {
    const path = reader.string();
    const { data, offset, length } = reader.latin1At();
    const acl = this.#acls[reader.u32()];
    if (acl === undefined) throw new SnapshotFormatError(`snapshot: node ${path} names an unknown ACL`);
    if (!path.startsWith('/')) throw new SnapshotFormatError(`snapshot: bad path ${JSON.stringify(path)}`);
    const czxid = reader.safeInt();
    // The data's hash straight from the chunk: the same value as hashing the string (digest.ts).
    const hash = data === null ? hashData(null) : hashDataView(reader.view, offset, length);
    const node = new ZNode(data, acl, czxid, 0, 0n, hash);
    node.mzxid = reader.safeInt();
    node.pzxid = reader.safeInt();
    node.ctime = reader.safeInt();
    node.mtime = reader.safeInt();
    node.version = reader.i32();
    node.cversion = reader.i32();
    node.aversion = reader.i32();
    node.ephemeralOwner = reader.i64();
    if (!this.#tree.insertLoaded(path, node)) throw new SnapshotFormatError(`snapshot: duplicate node ${path}`);
    this.#nodes++;
  }

  #readEnd(reader: ByteReader): void {
    const count = reader.safeInt();
    if (count !== this.#nodes) throw new SnapshotFormatError(`snapshot: end record counts ${count} nodes, read ${this.#nodes}`);
    this.#ended = true;
  }
}
