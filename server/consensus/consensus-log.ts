/**
 * The core's view of its own log: the recent entries kept in memory (to sync learners with DIFF),
 * how far they are durable, and the batches of durable writes handed to the shell but not yet
 * reported back. Pure bookkeeping; the shell owns the real log.
 */
import { assert } from '../../util/assert.js';
import type { LogEntry, MemberId, SnapshotImage } from './messages.js';
import { zxidEpoch } from './zxid.js';

/** The epochs a member must keep durably (ZooKeeper's acceptedEpoch and currentEpoch files). */
export interface EpochRecord {
  /** The newest epoch this member has promised to a prospective leader (LEADERINFO). */
  readonly acceptedEpoch: number;
  /**
   * The leader that promise went to (0 for none). Two leaders may propose the same epoch; a
   * member repeats its promise only to the same one, so only one of them can gather a quorum.
   */
  readonly acceptedLeader: MemberId;
  /** The epoch whose leader's history this member's log reflects (set at NEWLEADER). */
  readonly currentEpoch: number;
}

/**
 * One batch of durable writes for the shell, to be done in field order: truncate the log after
 * `truncateAfter`; store `snapshot` and drop the whole log (the shell also loads it into its state
 * machine); append `entries`; write `epochs`; one fsync; then call `persisted(seq)`.
 */
export interface PersistBatch {
  /** Increases by one per batch; `persisted(seq)` reports every batch up to `seq` as durable. */
  readonly seq: number;
  readonly truncateAfter: bigint | null;
  readonly snapshot: SnapshotImage | null;
  readonly entries: readonly LogEntry[];
  readonly epochs: EpochRecord | null;
}

interface InFlight {
  readonly seq: number;
  /** The log position the batch makes durable; lowered when a later truncate cuts it. */
  lastZxid: bigint;
  readonly epochs: EpochRecord | null;
}

/** The in-memory tail of the log plus durability bookkeeping. */
export class ConsensusLog {
  #entries: LogEntry[];
  /** Every entry at or below this zxid is applied and no longer kept in memory. */
  #floorZxid: bigint;
  #durableZxid: bigint;
  #durableEpochs: EpochRecord;
  #epochs: EpochRecord;
  #pending: { truncateAfter: bigint | null; snapshot: SnapshotImage | null; entries: LogEntry[]; epochs: EpochRecord | null };
  readonly #inFlight: InFlight[] = [];
  #nextSeq = 1;

  constructor(recovered: { floorZxid: bigint; entries: readonly LogEntry[]; epochs: EpochRecord }) {
    this.#floorZxid = recovered.floorZxid;
    this.#entries = [];
    for (const entry of recovered.entries) this.#push(entry);
    this.#durableZxid = this.lastZxid;
    this.#durableEpochs = recovered.epochs;
    this.#epochs = recovered.epochs;
    this.#pending = { truncateAfter: null, snapshot: null, entries: [], epochs: null };
  }

  /** The zxid of the last entry in the log, durable or not (the floor when none is kept). */
  get lastZxid(): bigint {
    return this.#entries.at(-1)?.zxid ?? this.#floorZxid;
  }

  /** Every entry up to this zxid is known to be durable. */
  get durableZxid(): bigint {
    return this.#durableZxid;
  }

  /** Entries at or below this zxid are not kept in memory. */
  get floorZxid(): bigint {
    return this.#floorZxid;
  }

  /** How many entries are kept in memory. */
  get size(): number {
    return this.#entries.length;
  }

  /** The epochs as last set, durable or not. */
  get epochs(): EpochRecord {
    return this.#epochs;
  }

  /** The epochs known to be durable. */
  get durableEpochs(): EpochRecord {
    return this.#durableEpochs;
  }

  /** True when every write handed out or queued is durable. */
  get isAllDurable(): boolean {
    return this.#inFlight.length === 0 && !this.#hasPending();
  }

  /** The entry with this zxid, if kept in memory. */
  entry(zxid: bigint): LogEntry | undefined {
    const index = this.#indexOf(zxid);
    return index === -1 ? undefined : this.#entries[index];
  }

  /** True when `zxid` is a point of this log: the floor or a kept entry. */
  has(zxid: bigint): boolean {
    return zxid === this.#floorZxid || this.#indexOf(zxid) !== -1;
  }

  /** The kept entries after `zxid` (exclusive) up to `toZxid` (inclusive), at most `maxCount`. */
  entriesAfter(zxid: bigint, toZxid = this.lastZxid, maxCount = Infinity): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.#firstAbove(zxid); i < this.#entries.length; i++) {
      const entry = this.#entries[i] as LogEntry;
      if (out.length >= maxCount || entry.zxid > toZxid) break;
      out.push(entry);
    }
    return out;
  }

  /** The largest zxid of this log at or below `zxid`, or null when that is below the floor. */
  pointAtOrBefore(zxid: bigint): bigint | null {
    if (zxid < this.#floorZxid) return null;
    const below = this.#firstAbove(zxid) - 1;
    return below < 0 ? this.#floorZxid : (this.#entries[below] as LogEntry).zxid;
  }

  /** Appends an entry, which must follow the last one; it becomes durable with its batch. */
  append(entry: LogEntry): void {
    this.#push(entry);
    this.#pending.entries.push(entry);
  }

  /** Drops every entry after `zxid`, which must not cut into applied entries. */
  truncateAfter(zxid: bigint): void {
    assert(zxid >= this.#floorZxid, 'truncation never cuts below the applied floor');
    this.#entries = this.#entries.filter((entry) => entry.zxid <= zxid);
    this.#flushPendingInto(zxid);
    this.#pending.truncateAfter = this.#pending.truncateAfter === null ? zxid : minZxid(this.#pending.truncateAfter, zxid);
  }

  /** Replaces the whole log with a snapshot image: nothing is kept, the floor is its zxid. */
  installSnapshot(snapshot: SnapshotImage): void {
    this.#entries = [];
    this.#floorZxid = snapshot.zxid;
    this.#flushPendingInto(snapshot.zxid);
    this.#pending.truncateAfter = null;
    this.#pending.snapshot = snapshot;
  }

  /** Sets the epochs; they are durable once their batch is. */
  setEpochs(epochs: EpochRecord): void {
    assert(epochs.acceptedEpoch >= this.#epochs.acceptedEpoch, 'acceptedEpoch never decreases');
    assert(epochs.currentEpoch >= this.#epochs.currentEpoch, 'currentEpoch never decreases');
    assert(epochs.currentEpoch <= epochs.acceptedEpoch, 'currentEpoch never passes acceptedEpoch');
    const isSamePromise = epochs.acceptedEpoch === this.#epochs.acceptedEpoch;
    assert(!isSamePromise || epochs.acceptedLeader === this.#epochs.acceptedLeader, 'an epoch is promised to one leader only');
    this.#epochs = epochs;
    this.#pending.epochs = epochs;
  }

  /** Forgets applied entries beyond the newest `keepCount`, never above `appliedZxid`. */
  trim(appliedZxid: bigint, keepCount: number): void {
    const excess = this.#entries.length - keepCount;
    if (excess <= 0) return;
    let cut = 0;
    while (cut < excess && (this.#entries[cut] as LogEntry).zxid <= appliedZxid) cut++;
    if (cut === 0) return;
    this.#floorZxid = (this.#entries[cut - 1] as LogEntry).zxid;
    this.#entries = this.#entries.slice(cut);
  }

  /** The batch of writes queued since the last `takeBatch`, or null when there are none. */
  peekBatch(): PersistBatch | null {
    if (!this.#hasPending()) return null;
    return { seq: this.#nextSeq, ...this.#pending };
  }

  /** Hands the queued batch to the shell: it is now in flight until `persisted`. */
  takeBatch(): void {
    if (!this.#hasPending()) return;
    this.#inFlight.push({ seq: this.#nextSeq, lastZxid: this.lastZxid, epochs: this.#pending.epochs });
    this.#nextSeq++;
    this.#pending = { truncateAfter: null, snapshot: null, entries: [], epochs: null };
  }

  /** The shell made every batch up to `seq` durable; returns true when anything changed. */
  persisted(seq: number): boolean {
    let isChanged = false;
    while (this.#inFlight.length > 0 && (this.#inFlight[0] as InFlight).seq <= seq) {
      const batch = this.#inFlight.shift() as InFlight;
      assert(batch.lastZxid <= this.lastZxid || batch.lastZxid <= this.#floorZxid, 'durable never passes the log');
      if (batch.lastZxid > this.#durableZxid) this.#durableZxid = batch.lastZxid;
      if (batch.epochs !== null) this.#durableEpochs = batch.epochs;
      isChanged = true;
    }
    return isChanged;
  }

  #hasPending(): boolean {
    const p = this.#pending;
    return p.truncateAfter !== null || p.snapshot !== null || p.entries.length > 0 || p.epochs !== null;
  }

  /**
   * A truncate or snapshot makes earlier batches' claims void past `zxid`: what they wrote there
   * is being removed, and a later entry may reuse no zxid but may sit below their old end.
   */
  #flushPendingInto(zxid: bigint): void {
    this.#pending.entries = this.#pending.entries.filter((entry) => entry.zxid <= zxid);
    for (const batch of this.#inFlight) batch.lastZxid = minZxid(batch.lastZxid, zxid);
    this.#durableZxid = minZxid(this.#durableZxid, zxid);
  }

  #push(entry: LogEntry): void {
    const last = this.lastZxid;
    assert(entry.zxid > last, 'zxids increase along the log');
    if (zxidEpoch(entry.zxid) === zxidEpoch(last)) assert(entry.zxid === last + 1n, 'the log is contiguous within an epoch');
    this.#entries.push(entry);
  }

  /** The index of the first kept entry with a zxid above `zxid` (binary search: entries are sorted). */
  #firstAbove(zxid: bigint): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#entries[mid] as LogEntry).zxid > zxid) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #indexOf(zxid: bigint): number {
    // Entries are sorted by zxid: binary search.
    let lo = 0;
    let hi = this.#entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = (this.#entries[mid] as LogEntry).zxid;
      if (at === zxid) return mid;
      if (at < zxid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

function minZxid(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
