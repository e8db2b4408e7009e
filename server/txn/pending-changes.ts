/**
 * Changes of prepped txns that the tree does not show yet (ZooKeeper's outstandingChanges):
 * prep checks a request against the tree plus these, so a create proposed a moment ago already
 * "exists" for the next request, and sequence numbers and versions keep counting.
 */
import type { Acl } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import type { Txn } from './txn.js';

/** The state of a node as the not-yet-applied txns leave it (ChangeRecord's stat fields). */
export interface PendingNode {
  readonly version: number;
  /** The persisted cversion (child creations). */
  readonly cversion: number;
  readonly aversion: number;
  /** Raw owner with container/TTL markers. */
  readonly ephemeralOwner: bigint;
  readonly childCount: number;
  readonly acl: readonly Acl[];
}

/** One change: the node at `path` after txn `zxid`, or null if that txn deletes it. */
export interface ChangeRecord {
  readonly zxid: bigint;
  readonly path: string;
  readonly node: PendingNode | null;
}

/**
 * Pending changes, newest per path, plus the ordered list for `applied`. Protocol: `prep`
 * stages a txn's changes; the caller passes that txn to `add` when it proposes it (before the
 * next prep), and calls `applied(zxid)` after applying it.
 */
export class PendingChanges {
  readonly #byPath = new Map<string, ChangeRecord>();
  readonly #queue: ChangeRecord[] = [];
  #head = 0;
  readonly #staged = new WeakMap<Txn, readonly ChangeRecord[]>();

  /** The newest pending change of `path`. */
  get(path: string): ChangeRecord | undefined {
    return this.#byPath.get(path);
  }

  /** The number of changes not yet applied. */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Every pending change, oldest first. */
  *records(): IterableIterator<ChangeRecord> {
    for (let i = this.#head; i < this.#queue.length; i++) yield this.#queue[i] as ChangeRecord;
  }

  /** Remembers the changes prep computed for `txn`; called by prep only. */
  stage(txn: Txn, records: readonly ChangeRecord[]): void {
    this.#staged.set(txn, records);
  }

  /** Makes a proposed txn's changes visible to later preps. */
  add(txn: Txn): void {
    const records = this.#staged.get(txn);
    if (records === undefined) {
      // Only txns that change no node may bypass prep (the replica makes these itself).
      assert(txn.kind === 'error' || txn.kind === 'createSession' || txn.kind === 'check', `txn ${txn.kind} was made by prep`);
      return;
    }
    this.#staged.delete(txn);
    for (const record of records) {
      this.#queue.push(record);
      this.#byPath.set(record.path, record);
    }
  }

  /** Drops the changes of txns up to `zxid`, now visible in the tree. */
  applied(zxid: bigint): void {
    while (this.#head < this.#queue.length) {
      const record = this.#queue[this.#head] as ChangeRecord;
      if (record.zxid > zxid) break;
      this.#head++;
      if (this.#byPath.get(record.path) === record) this.#byPath.delete(record.path);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Forgets everything (a new leader starts from its applied tree). */
  clear(): void {
    this.#byPath.clear();
    this.#queue.length = 0;
    this.#head = 0;
  }
}
