/**
 * The tree as prep sees it: the applied tree, overlaid by pending changes, overlaid by the
 * changes of the request being prepped (ZooKeeper's getRecordForPath). A failed multi discards
 * its own changes, as rollbackPendingChanges does.
 */
import type { DataTree } from '../tree/data-tree.js';
import type { ChangeRecord, PendingChanges, PendingNode } from './pending-changes.js';

/** A layered, read-mostly view for one prep call. */
export class ChangeView {
  readonly #tree: DataTree;
  readonly #pending: PendingChanges;
  readonly #zxid: bigint;
  readonly #local = new Map<string, ChangeRecord>();
  #records: ChangeRecord[] = [];

  constructor(tree: DataTree, pending: PendingChanges, zxid: bigint) {
    this.#tree = tree;
    this.#pending = pending;
    this.#zxid = zxid;
  }

  /** The node at `path` as prep must see it, or null if it does not exist. */
  get(path: string): PendingNode | null {
    const key = path === '' ? '/' : path;
    const record = this.#local.get(key) ?? this.#pending.get(key);
    if (record !== undefined) return record.node;
    const node = this.#tree.getNode(key);
    if (node === undefined) return null;
    return {
      version: node.version,
      cversion: node.cversion,
      aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner,
      childCount: node.numChildren,
      acl: this.#tree.aclOf(node),
    };
  }

  /** Records that this request leaves `path` as `node` (null: deleted). */
  set(path: string, node: PendingNode | null): void {
    const record: ChangeRecord = { zxid: this.#zxid, path: path === '' ? '/' : path, node };
    this.#local.set(record.path, record);
    this.#records.push(record);
  }

  /** Forgets this request's changes. */
  discard(): void {
    this.#local.clear();
    this.#records = [];
  }

  /** This request's changes, in order. */
  changes(): readonly ChangeRecord[] {
    return this.#records;
  }
}
