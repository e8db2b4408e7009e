/**
 * The in-memory znode tree (DataTree): nodes by path, ephemerals by session, container and TTL
 * sets for the reaper, the ACL cache, the incremental digest and copy-on-write snapshots.
 * Mutations are called only by `apply` (server/txn/apply.ts), so every replica changes its tree
 * the same way; they return ZooKeeper error codes instead of throwing, so apply stays total.
 */
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../protocol/acl.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Acl, Stat } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import { AclCache, type AclEntry } from './acl-cache.js';
import { hashDataBytes, hashNode, TreeDigest } from './digest.js';
import { clientEphemeralOwner, nodeKindOf, ttlOf } from './ephemeral-type.js';
import { loadData, storeData } from './node-data.js';
import { SnapshotCursor } from './snapshot-cursor.js';
import { ZNode } from './znode.js';

/** The four built-in nodes that can never be deleted (DataTree.isSpecialPath, reference §6.6). */
export const BUILT_IN_PATHS: readonly string[] = Object.freeze(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);

/** Whether `path` is one of the four undeletable built-in nodes. */
export function isBuiltInPath(path: string): boolean {
  return BUILT_IN_PATHS.includes(path);
}

const MAX_SAFE_ZXID = BigInt(Number.MAX_SAFE_INTEGER);

/** Converts a zxid to the number form nodes store; zxids fit 53 bits for epochs < 2^21. */
export function zxidToNumber(zxid: bigint): number {
  // The message is built only on failure: a template with a bigint costs a toString per call.
  if (zxid < 0n || zxid > MAX_SAFE_ZXID) assert(false, `zxid ${zxid} fits in a safe integer`);
  return Number(zxid);
}

/** Splits a path at its last '/': the parent key ('/' for top-level nodes) and the child name. */
export function splitPath(path: string): { readonly parent: string; readonly name: string } {
  const slash = path.lastIndexOf('/');
  assert(slash >= 0, 'tree paths contain a slash');
  return { parent: slash === 0 ? '/' : path.slice(0, slash), name: path.slice(slash + 1) };
}

/** The reaper's options for containers that never had a child. */
export interface ContainerCandidateOptions {
  readonly wallMs: number;
  /** znode.container.maxNeverUsedIntervalMs; 0 keeps never-used containers forever. */
  readonly maxNeverUsedIntervalMs: number;
}

const EMPTY_SET: ReadonlySet<string> = new Set();

/** Whether a path can name a stored node; apply must stay total on any decoded txn. */
function isAbsolute(path: string): boolean {
  return path.charCodeAt(0) === 0x2f;
}

/** The znode tree; see the module comment. */
export class DataTree {
  readonly #nodes = new Map<string, ZNode>();
  readonly #acls = new AclCache();
  readonly #ephemerals = new Map<bigint, Set<string>>();
  /** The most ephemerals each session ever held at once: ZooKeeper's HashSet never shrinks. */
  readonly #ephemeralPeaks = new Map<bigint, number>();
  readonly #containers = new Set<string>();
  readonly #ttls = new Set<string>();
  readonly #digest = new TreeDigest();
  /** Orphans met while loading a snapshot whose parent had not been loaded yet. */
  readonly #orphans: string[] = [];
  #dataSize = 0;
  #lastZxid = 0n;
  #cursor: SnapshotCursor | null = null;
  #nextSnapMark = 1;
  static #forLoading = false;

  /** A fresh server's tree: `/`, `/zookeeper`, `/zookeeper/quota`, `/zookeeper/config` (§5.1). */
  constructor() {
    if (DataTree.#forLoading) return;
    const empty = '';
    for (const path of ['/', '/zookeeper', '/zookeeper/quota']) {
      this.#insert(path, new ZNode(empty, this.#acls.acquire(OPEN_ACL_UNSAFE), 0, 0, 0n));
    }
    // addConfigNode: the reconfig node is read-only for everyone, set with setACL(-1).
    const config = new ZNode(empty, this.#acls.acquire(READ_ACL_UNSAFE), 0, 0, 0n);
    config.aversion = -1;
    this.#insert('/zookeeper/config', config);
  }

  /** An empty tree without built-in nodes, for TreeLoader only. */
  static forLoading(): DataTree {
    DataTree.#forLoading = true;
    try {
      return new DataTree();
    } finally {
      DataTree.#forLoading = false;
    }
  }

  // --- reads ----------------------------------------------------------------------------------

  /** The node at `path`; '' is the root too, as in ZooKeeper's map. */
  getNode(path: string): ZNode | undefined {
    return this.#nodes.get(path === '' ? '/' : path);
  }

  /** The client-visible Stat of a node (DataNode.copyStat). */
  statOf(node: ZNode): Stat {
    const numChildren = node.numChildren;
    return {
      czxid: BigInt(node.czxid),
      mzxid: BigInt(node.mzxid),
      ctime: BigInt(node.ctime),
      mtime: BigInt(node.mtime),
      version: node.version,
      // The persisted cversion counts child creates; clients see creates + deletes (§5.1).
      cversion: (Math.imul(node.cversion, 2) - numChildren) | 0,
      aversion: node.aversion,
      ephemeralOwner: clientEphemeralOwner(node.ephemeralOwner),
      dataLength: node.data === null ? 0 : node.data.length,
      numChildren,
      pzxid: BigInt(node.pzxid),
    };
  }

  /** The Stat of the node at `path`, or null. */
  stat(path: string): Stat | null {
    const node = this.getNode(path);
    return node === undefined ? null : this.statOf(node);
  }

  /** A copy of a node's data bytes (null stays null). */
  dataOf(node: ZNode): Uint8Array | null {
    return loadData(node.data);
  }

  /** A node's child names (unordered, like ZooKeeper's HashSet). */
  childrenOf(node: ZNode): string[] {
    return node.children === null ? [] : [...node.children];
  }

  /** A node's ACL list (shared and frozen). */
  aclOf(node: ZNode): readonly Acl[] {
    return node.acl.acl;
  }

  /** The number of znodes. */
  get size(): number {
    return this.#nodes.size;
  }

  /** `Node count` / `zk_znode_count`: ZooKeeper stores the root twice, so znodes + 1 (§9.2). */
  get nodeCount(): number {
    return this.#nodes.size + 1;
  }

  /** `zk_approximate_data_size`: the sum of path lengths and data lengths. */
  get approximateDataSize(): number {
    return this.#dataSize;
  }

  /** The number of distinct ACL lists in use. */
  get aclCount(): number {
    return this.#acls.size;
  }

  /** The zxid of the last txn applied (or of the snapshot loaded). */
  get lastZxid(): bigint {
    return this.#lastZxid;
  }

  /** Records that txn `zxid` has been applied; zxids only grow. */
  markApplied(zxid: bigint): void {
    if (zxid <= this.#lastZxid) assert(false, `applied zxid ${zxid} follows ${this.#lastZxid}`);
    this.#lastZxid = zxid;
  }

  /** The tree digest; equal trees have equal digests. */
  digest(): bigint {
    return this.#digest.value();
  }

  /** The paths of the session ephemerals owned by `sessionId`. */
  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.#ephemerals.get(BigInt.asIntN(64, sessionId)) ?? EMPTY_SET;
  }

  /**
   * The most ephemerals `sessionId` has held at once since the tree was loaded (ZooKeeper keeps a
   * session's ephemeral HashSet, grown table and all, until the session is closed).
   */
  ephemeralPeakOf(sessionId: bigint): number {
    return this.#ephemeralPeaks.get(BigInt.asIntN(64, sessionId)) ?? 0;
  }

  /** Forgets what the tree kept about a closed session (DataTree.killSession drops its set). */
  sessionClosed(sessionId: bigint): void {
    this.#ephemeralPeaks.delete(BigInt.asIntN(64, sessionId));
  }

  /** Every session that owns ephemerals, with its paths (for `dump`). */
  sessionsWithEphemerals(): ReadonlyMap<bigint, ReadonlySet<string>> {
    return this.#ephemerals;
  }

  /** `zk_ephemerals_count`: the number of session ephemeral nodes. */
  get ephemeralCount(): number {
    let count = 0;
    for (const paths of this.#ephemerals.values()) count += paths.size;
    return count;
  }

  /** Container nodes the reaper should delete (ContainerManager.getCandidates, §6.5). */
  containerCandidates(options: ContainerCandidateOptions = { wallMs: 0, maxNeverUsedIntervalMs: 0 }): string[] {
    const out: string[] = [];
    for (const path of this.#containers) {
      const node = this.#nodes.get(path);
      if (node === undefined || node.numChildren > 0) continue;
      if (node.cversion > 0) out.push(path);
      else if (options.maxNeverUsedIntervalMs !== 0 && options.wallMs - node.mtime > options.maxNeverUsedIntervalMs) out.push(path);
    }
    return out;
  }

  /** TTL nodes without children whose `now - mtime` exceeds their TTL (§6.5). */
  expiredTtlNodes(wallMs: number): string[] {
    const out: string[] = [];
    for (const path of this.#ttls) {
      const node = this.#nodes.get(path);
      if (node === undefined || node.numChildren > 0) continue;
      const ttl = ttlOf(node.ephemeralOwner);
      if (ttl !== 0 && wallMs - node.mtime > ttl) out.push(path);
    }
    return out;
  }

  /** The number of descendants of an existing node (DataTree.getAllChildrenNumber). */
  allChildrenNumber(path: string): number {
    // ZooKeeper counts map keys: '/' has every other node; '' (the root's alias) matches all.
    if (path === '/') return this.#nodes.size - 1;
    if (path === '') return this.#nodes.size;
    let count = 0;
    const stack: string[] = [path];
    for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
      const node = this.#nodes.get(p);
      if (node?.children == null) continue;
      for (const name of node.children) {
        count++;
        stack.push(p === '/' ? `/${name}` : `${p}/${name}`);
      }
    }
    return count;
  }

  // --- mutations (apply only) ----------------------------------------------------------------

  /**
   * DataTree.createNode: adds a node under an existing parent; `parentCVersion` is the
   * parent's new persisted cversion (-1: current + 1). Returns Ok, NoNode or NodeExists.
   */
  createNode(path: string, data: Uint8Array | null, acl: readonly Acl[], ephemeralOwner: bigint, parentCVersion: number, zxid: bigint, timeMs: number): number {
    const z = zxidToNumber(zxid);
    assert(Number.isSafeInteger(timeMs), 'txn time is a safe integer');
    if (!isAbsolute(path)) return ErrorCode.NoNode;
    const { parent: parentKey, name } = splitPath(path);
    const parent = this.#nodes.get(parentKey);
    if (parent === undefined) return ErrorCode.NoNode;
    if (parent.children?.has(name) === true || this.#nodes.has(path)) return ErrorCode.NodeExists;
    this.#beforeChange(parentKey, parent);
    const newCVersion = parentCVersion === -1 ? (parent.cversion + 1) | 0 : parentCVersion;
    // A replayed create must never move cversion or pzxid back (DataTree.createNode).
    if (newCVersion > parent.cversion) {
      parent.cversion = newCVersion;
      parent.pzxid = z;
    }
    this.#afterChange(parentKey, parent);
    const node = new ZNode(storeData(data), this.#acls.acquire(acl), z, timeMs, BigInt.asIntN(64, ephemeralOwner), hashDataBytes(data));
    this.#insert(path, node);
    return ErrorCode.Ok;
  }

  /** DataTree.deleteNode: unlinks from the parent (pzxid moves forward), then removes the node. */
  deleteNode(path: string, zxid: bigint): number {
    const z = zxidToNumber(zxid);
    if (!isAbsolute(path) || path === '/') return ErrorCode.NoNode;
    const { parent: parentKey, name } = splitPath(path);
    const parent = this.#nodes.get(parentKey);
    if (parent === undefined) return ErrorCode.NoNode;
    this.#beforeChange(parentKey, parent);
    if (parent.children !== null) {
      parent.children.delete(name);
      if (parent.children.size === 0) parent.children = null;
    }
    if (z > parent.pzxid) parent.pzxid = z;
    this.#afterChange(parentKey, parent);
    const node = this.#nodes.get(path);
    if (node === undefined) return ErrorCode.NoNode;
    this.#remove(path, node);
    return ErrorCode.Ok;
  }

  /** DataTree.setData: new data, version, mtime and mzxid. Returns Ok or NoNode. */
  setData(path: string, data: Uint8Array | null, version: number, zxid: bigint, timeMs: number): number {
    const z = zxidToNumber(zxid);
    assert(Number.isSafeInteger(timeMs), 'txn time is a safe integer');
    const node = this.getNode(path);
    if (node === undefined) return ErrorCode.NoNode;
    const key = path === '' ? '/' : path;
    this.#beforeChange(key, node);
    this.#dataSize -= node.data?.length ?? 0;
    node.setData(storeData(data), hashDataBytes(data));
    this.#dataSize += node.data?.length ?? 0;
    node.version = version;
    node.mtime = timeMs;
    node.mzxid = z;
    this.#afterChange(key, node);
    return ErrorCode.Ok;
  }

  /** DataTree.setACL: new ACL list and aversion. Returns Ok or NoNode. */
  setAcl(path: string, acl: readonly Acl[], aversion: number): number {
    const node = this.getNode(path);
    if (node === undefined) return ErrorCode.NoNode;
    const key = path === '' ? '/' : path;
    this.#beforeChange(key, node);
    const previous = node.acl;
    node.acl = this.#acls.acquire(acl);
    this.#acls.release(previous);
    node.aversion = aversion;
    this.#afterChange(key, node);
    return ErrorCode.Ok;
  }

  // --- snapshots -------------------------------------------------------------------------------

  /**
   * Starts a consistent snapshot of the tree as of now (which must be `zxid`): the cursor
   * serializes in bounded slices while the tree keeps changing (copy-on-write pre-images).
   */
  startSnapshot(zxid: bigint): SnapshotCursor {
    assert(zxid === this.#lastZxid, `snapshot zxid ${zxid} is the last applied ${this.#lastZxid}`);
    assert(this.#cursor === null || this.#cursor.isDone, 'one snapshot cursor at a time');
    const cursor = new SnapshotCursor({
      entries: this.#nodes.entries(),
      zxid,
      mark: this.#nextSnapMark++,
      digest: this.digest(),
      onDone: (done) => {
        if (this.#cursor === done) this.#cursor = null;
      },
    });
    this.#cursor = cursor;
    return cursor;
  }

  /**
   * The whole snapshot as of now, serialized in one go (the chunks of `chunkNodes` nodes each),
   * for a leader's SNAP image. Safe while a sliced snapshot (startSnapshot) is open: nothing
   * changes during the call, so it keeps no pre-images and leaves that cursor's marks alone.
   */
  snapshotNow(chunkNodes: number): { zxid: bigint; digest: bigint; chunks: Uint8Array[] } {
    const digest = this.digest();
    const cursor = new SnapshotCursor({ entries: this.#nodes.entries(), zxid: this.#lastZxid, mark: null, digest, onDone: () => undefined });
    const chunks: Uint8Array[] = [];
    for (let chunk = cursor.next(chunkNodes); chunk !== null; chunk = cursor.next(chunkNodes)) chunks.push(chunk);
    return { zxid: this.#lastZxid, digest, chunks };
  }

  /** Adds a node read from a snapshot; for TreeLoader only. */
  insertLoaded(path: string, node: ZNode): boolean {
    // One map operation instead of has + set: a duplicate path fails the whole load, so the
    // node it replaced does not matter.
    const before = this.#nodes.size;
    this.#nodes.set(path, node);
    if (this.#nodes.size === before) return false;
    this.#acls.retain(node.acl);
    this.#index(path, node);
    return true;
  }

  /** Interns an ACL list for a snapshot's ACL table and holds it; for TreeLoader only. */
  acquireAcl(acl: readonly Acl[]): AclEntry {
    return this.#acls.acquire(acl);
  }

  /** Drops a hold taken by `acquireAcl`; for TreeLoader only. */
  releaseAcl(entry: AclEntry): void {
    this.#acls.release(entry);
  }

  /** Links nodes loaded before their parents and sets the zxid; false if a parent is missing. */
  finishLoading(zxid: bigint): boolean {
    for (const path of this.#orphans) {
      const { parent, name } = splitPath(path);
      const node = this.#nodes.get(parent);
      if (node === undefined) return false;
      (node.children ??= new Set()).add(name);
    }
    this.#orphans.length = 0;
    this.#lastZxid = zxid;
    return this.#nodes.has('/');
  }

  // --- internals -------------------------------------------------------------------------------

  /** Adds a node whose ACL is already counted: map, parent link, digest, size, kind sets. */
  #insert(path: string, node: ZNode): void {
    this.#nodes.set(path, node);
    this.#index(path, node);
  }

  /** Everything #insert does after the map: parent link, digest, size, kind sets. */
  #index(path: string, node: ZNode): void {
    if (path !== '/') {
      const { parent, name } = splitPath(path);
      const parentNode = this.#nodes.get(parent);
      if (parentNode === undefined) this.#orphans.push(path);
      else (parentNode.children ??= new Set()).add(name);
    }
    this.#digest.add(hashNode(path, node, node.acl.hash));
    this.#dataSize += path.length + (node.data?.length ?? 0);
    const kind = nodeKindOf(node.ephemeralOwner);
    if (kind === 'container') this.#containers.add(path);
    else if (kind === 'ttl') this.#ttls.add(path);
    else if (kind === 'ephemeral') {
      let paths = this.#ephemerals.get(node.ephemeralOwner);
      if (paths === undefined) this.#ephemerals.set(node.ephemeralOwner, (paths = new Set()));
      paths.add(path);
      const peak = this.#ephemeralPeaks.get(node.ephemeralOwner) ?? 0;
      if (paths.size > peak) this.#ephemeralPeaks.set(node.ephemeralOwner, paths.size);
    }
  }

  /** Removes a node (already unlinked from its parent) from every index. */
  #remove(path: string, node: ZNode): void {
    this.#beforeChange(path, node);
    this.#nodes.delete(path);
    this.#acls.release(node.acl);
    this.#dataSize -= path.length + (node.data?.length ?? 0);
    const kind = nodeKindOf(node.ephemeralOwner);
    if (kind === 'container') this.#containers.delete(path);
    else if (kind === 'ttl') this.#ttls.delete(path);
    else if (kind === 'ephemeral') {
      const paths = this.#ephemerals.get(node.ephemeralOwner);
      paths?.delete(path);
      if (paths?.size === 0) this.#ephemerals.delete(node.ephemeralOwner);
    }
  }

  /** Takes a node's hash out of the digest and saves its pre-image for an open snapshot. */
  #beforeChange(path: string, node: ZNode): void {
    this.#digest.remove(hashNode(path, node, node.acl.hash));
    this.#cursor?.preserve(path, node);
  }

  #afterChange(path: string, node: ZNode): void {
    this.#digest.add(hashNode(path, node, node.acl.hash));
  }
}
