/**
 * A connection's auth ids in the order ZooKeeper 3.8 lists them. ServerCnxn keeps `authInfo` in
 * `Collections.newSetFromMap(new ConcurrentHashMap<Id, Boolean>())`, and whoAmI, fixupACL's `auth`
 * expansion and checkACL all iterate it, so the order is ConcurrentHashMap's (JDK 17): table
 * index order, and inside a bin the order its linked list has. This emulates that map for one
 * thread, with no removals (the server never removes an id): `Id.hashCode` as jute generates it,
 * `spread`, a table of 16 growing x2 once the count reaches 3/4 of it (`addCount`), the
 * `transfer` that splits each bin into a low and a high list (reusing the bin's last run and
 * prepending the other nodes, which reverses them), `treeifyBin` at 8 nodes (a x8 presize below
 * 64 slots, else a tree bin that puts new nodes first), and untreeify at 6. Pure.
 */
import type { Id } from '../../protocol/records.js';

/** ConcurrentHashMap.DEFAULT_CAPACITY. */
const DEFAULT_CAPACITY = 16;
/** ConcurrentHashMap.TREEIFY_THRESHOLD: a bin that already holds this many nodes is treeified. */
const TREEIFY_THRESHOLD = 8;
/** ConcurrentHashMap.UNTREEIFY_THRESHOLD: a split tree bin this small becomes a list again. */
const UNTREEIFY_THRESHOLD = 6;
/** ConcurrentHashMap.MIN_TREEIFY_CAPACITY: below it, a long bin grows the table instead. */
const MIN_TREEIFY_CAPACITY = 64;
/** ConcurrentHashMap.HASH_BITS. */
const HASH_BITS = 0x7fff_ffff;

interface Entry {
  readonly hash: number;
  readonly id: Id;
}

/** One table slot: its nodes in iteration order, and whether it is a TreeBin. */
interface Bin {
  isTree: boolean;
  entries: Entry[];
}

/** java.lang.String.hashCode over UTF-16 code units, as a 32-bit int. */
export function javaStringHashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** org.apache.zookeeper.data.Id.hashCode as jute generates it: 17, then 37 * h + each field. */
export function javaIdHashCode(id: Id): number {
  const h = (Math.imul(37, 17) + javaStringHashCode(id.scheme)) | 0;
  return (Math.imul(37, h) + javaStringHashCode(id.id)) | 0;
}

/** ConcurrentHashMap.spread: the high half folded into the low half, sign bit cleared. */
export function spread(h: number): number {
  return (h ^ (h >>> 16)) & HASH_BITS;
}

/** ConcurrentHashMap.tableSizeFor: the least power of two at or above `c` (c >= 1). */
function tableSizeFor(c: number): number {
  let n = 1;
  while (n < c) n *= 2;
  return n;
}

/** The auth ids of one connection, deduplicated, in Java's iteration order; see the module comment. */
export class AuthInfo {
  #table: (Bin | undefined)[] = new Array<Bin | undefined>(DEFAULT_CAPACITY);
  #count = 0;
  #sizeCtl = DEFAULT_CAPACITY - (DEFAULT_CAPACITY >>> 2);
  #ids: readonly Id[] = [];

  /** The ids in ConcurrentHashMap iteration order (a fresh array after each change). */
  get ids(): readonly Id[] {
    return this.#ids;
  }

  /** Adds `id` unless an equal one (same scheme and id) is there; returns true when added. */
  add(id: Id): boolean {
    const entry = { hash: spread(javaIdHashCode(id)), id };
    const index = entry.hash & (this.#table.length - 1);
    const bin = this.#table[index];
    let binCount = 0;
    if (bin === undefined) {
      this.#table[index] = { isTree: false, entries: [entry] };
    } else if (bin.entries.some((e) => e.hash === entry.hash && e.id.scheme === id.scheme && e.id.id === id.id)) {
      return false;
    } else if (bin.isTree) {
      // TreeBin.putTreeVal links the new node in front of `first`.
      bin.entries.unshift(entry);
      binCount = 2;
    } else {
      // putVal counts the nodes it walked past before appending at the tail.
      binCount = bin.entries.length;
      bin.entries.push(entry);
    }
    if (binCount >= TREEIFY_THRESHOLD) this.#treeifyBin(index);
    this.#count++;
    while (this.#count >= this.#sizeCtl) this.#transfer();
    this.#ids = this.#table.flatMap((b) => (b === undefined ? [] : b.entries.map((e) => e.id)));
    return true;
  }

  /** treeifyBin: a small table grows (tryPresize(n << 1)); a large one turns the bin into a tree. */
  #treeifyBin(index: number): void {
    const n = this.#table.length;
    if (n >= MIN_TREEIFY_CAPACITY) {
      const bin = this.#table[index];
      if (bin !== undefined) bin.isTree = true;
      return;
    }
    const size = n << 1;
    const c = tableSizeFor(size + (size >>> 1) + 1);
    while (c > this.#sizeCtl) this.#transfer();
  }

  /** transfer: doubles the table, splitting bin i into bins i (low) and i + n (high). */
  #transfer(): void {
    const n = this.#table.length;
    const next = new Array<Bin | undefined>(n << 1);
    for (let i = 0; i < n; i++) {
      const bin = this.#table[i];
      if (bin === undefined) continue;
      const [low, high] = bin.isTree ? splitTree(bin, n) : splitList(bin.entries, n);
      next[i] = low;
      next[i + n] = high;
    }
    this.#table = next;
    this.#sizeCtl = (n << 1) - (n >>> 1);
  }
}

/**
 * A list bin's split: the last run of nodes that all go the same way is reused as it is, and
 * every node before it is prepended to its side, so those come out reversed.
 */
function splitList(entries: readonly Entry[], n: number): [Bin | undefined, Bin | undefined] {
  let lastRun = 0;
  for (let i = 1; i < entries.length; i++) {
    if (((entries[i] as Entry).hash & n) !== ((entries[i - 1] as Entry).hash & n)) lastRun = i;
  }
  const run = entries.slice(lastRun);
  const runIsHigh = ((run[0] as Entry).hash & n) !== 0;
  const low: Entry[] = runIsHigh ? [] : run;
  const high: Entry[] = runIsHigh ? run : [];
  for (let i = 0; i < lastRun; i++) {
    const entry = entries[i] as Entry;
    if ((entry.hash & n) === 0) low.unshift(entry);
    else high.unshift(entry);
  }
  return [listBin(low), listBin(high)];
}

/** A tree bin's split keeps the order of `first`; a side of 6 nodes or fewer is a list again. */
function splitTree(bin: Bin, n: number): [Bin | undefined, Bin | undefined] {
  const low = bin.entries.filter((e) => (e.hash & n) === 0);
  const high = bin.entries.filter((e) => (e.hash & n) !== 0);
  const side = (entries: Entry[]): Bin | undefined =>
    entries.length <= UNTREEIFY_THRESHOLD ? listBin(entries) : { isTree: true, entries };
  return [side(low), side(high)];
}

function listBin(entries: Entry[]): Bin | undefined {
  return entries.length === 0 ? undefined : { isTree: false, entries };
}
