/**
 * One znode as the tree stores it: data, an interned ACL and the persisted stat
 * (StatPersisted, reference §5.1). Compact on purpose: zxids and times are numbers (asserted
 * safe at the tree's boundary), children is created lazily, the ACL is shared.
 */
import type { AclEntry } from './acl-cache.js';
import { hashData } from './digest.js';
import type { StoredData } from './node-data.js';

/** A stored znode; mutated only by DataTree. */
export class ZNode {
  /** The data bytes as a latin1 string (node-data.ts); use DataTree.dataOf for bytes. */
  #data: StoredData;
  /**
   * The data's hash for the tree digest, as two int32 halves (small integers in V8), computed
   * once when the data is set: every later rehash of the node (a child created, an ACL set)
   * reuses it instead of reading the data again.
   */
  dataHashLo: number;
  dataHashHi: number;
  acl: AclEntry;
  /** Child names; null until the first child is added. */
  children: Set<string> | null;
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  /** The persisted cversion: the number of child creations (deletes do not count). */
  cversion: number;
  aversion: number;
  /** The raw owner, including container and TTL markers (see ephemeral-type.ts). */
  ephemeralOwner: bigint;
  /** The id of the last snapshot cursor that has written this node (copy-on-write). */
  snapMark: number;

  constructor(
    data: StoredData,
    acl: AclEntry,
    zxid: number,
    timeMs: number,
    ephemeralOwner: bigint,
    dataHash: { readonly lo: number; readonly hi: number } = hashData(data),
  ) {
    this.#data = data;
    this.dataHashLo = dataHash.lo | 0;
    this.dataHashHi = dataHash.hi | 0;
    this.acl = acl;
    this.children = null;
    this.czxid = zxid;
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.ctime = timeMs;
    this.mtime = timeMs;
    this.version = 0;
    this.cversion = 0;
    this.aversion = 0;
    this.ephemeralOwner = ephemeralOwner;
    this.snapMark = 0;
  }

  /** The data bytes as a latin1 string. */
  get data(): StoredData {
    return this.#data;
  }

  /** Replaces the data and its hash (`hashData(data)`, or hashDataBytes of the same bytes). */
  setData(data: StoredData, hash: { readonly lo: number; readonly hi: number }): void {
    this.#data = data;
    this.dataHashLo = hash.lo | 0;
    this.dataHashHi = hash.hi | 0;
  }

  /** The number of children. */
  get numChildren(): number {
    return this.children === null ? 0 : this.children.size;
  }

  /** A detached copy of the persisted fields (a snapshot pre-image); children are not copied. */
  copy(): ZNode {
    const out = new ZNode(this.#data, this.acl, this.czxid, this.ctime, this.ephemeralOwner, {
      lo: this.dataHashLo,
      hi: this.dataHashHi,
    });
    out.mzxid = this.mzxid;
    out.pzxid = this.pzxid;
    out.mtime = this.mtime;
    out.version = this.version;
    out.cversion = this.cversion;
    out.aversion = this.aversion;
    return out;
  }
}
