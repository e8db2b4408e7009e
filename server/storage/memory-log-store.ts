/**
 * An in-memory LogStore for tests and the simulation: pure and synchronous underneath, with
 * hooks that model what a crash can do to a real log (lose the unsynced tail, keep part of it,
 * tear the last record) and a failing fsync.
 */
import { assert } from '../../util/assert.js';
import { isNextZxid, type LogEntry, type LogStore } from './log-store.js';

/** What a simulated crash leaves on the simulated disk. */
export interface CrashOptions {
  /** How many unsynced entries the OS had written anyway before the crash; 0 by default. */
  readonly keptUnsyncedCount?: number;
  /** Whether the last kept unsynced entry was only partly written, so recovery drops it. */
  readonly isLastTorn?: boolean;
}

/** A LogStore kept in memory; the object itself stands for the disk and survives `crash()`. */
export class MemoryLogStore implements LogStore {
  readonly #synced: LogEntry[] = [];
  #pending: LogEntry[] = [];
  #fileStarts: bigint[] = [];
  #isRollRequested = true;
  #syncFailure: Error | null = null;
  #failure: unknown = null;

  /** The zxid of the last appended entry, synced or not; 0n when the log is empty. */
  lastZxid(): bigint {
    return this.#pending.at(-1)?.zxid ?? this.lastSyncedZxid();
  }

  /** The zxid of the last entry made durable by a completed sync; 0n when none. */
  lastSyncedZxid(): bigint {
    return this.#synced.at(-1)?.zxid ?? 0n;
  }

  /** Buffers entries; each zxid must follow the previous one. */
  append(entries: readonly LogEntry[]): void {
    this.#checkUsable();
    let previous = this.lastZxid();
    for (const entry of entries) {
      assert(isNextZxid(previous, entry.zxid), `log append out of order: ${entry.zxid} after ${previous}`);
      previous = entry.zxid;
      if (this.#isRollRequested) this.#fileStarts.push(entry.zxid);
      this.#isRollRequested = false;
      this.#pending.push(entry);
    }
  }

  /** Makes the pending entries durable at once; throws the injected fsync failure if any. */
  syncNow(): void {
    this.#checkUsable();
    if (this.#syncFailure !== null) {
      this.#failure = this.#syncFailure;
      throw this.#syncFailure;
    }
    this.#synced.push(...this.#pending);
    this.#pending = [];
  }

  /** Makes the pending entries durable; rejects with the injected fsync failure if any. */
  sync(): Promise<void> {
    try {
      this.syncNow();
      return Promise.resolve();
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }

  /** Makes the next entry start a new (simulated) log file. */
  roll(): void {
    this.#isRollRequested = true;
  }

  /** The first zxid of each simulated log file, oldest first. */
  fileStartZxids(): readonly bigint[] {
    return this.#fileStarts.filter((start) => start <= this.lastZxid());
  }

  /** The synced entries with zxid greater than `zxidExclusive`, in order. */
  entriesFrom(zxidExclusive: bigint): LogEntry[] {
    return this.#synced.filter((entry) => entry.zxid > zxidExclusive);
  }

  /** Yields the synced entries with zxid greater than `zxidExclusive`, in order. */
  async *readFrom(zxidExclusive: bigint): AsyncIterable<LogEntry> {
    yield* this.entriesFrom(zxidExclusive);
  }

  /** Drops every entry with zxid greater than `zxid` at once. */
  truncateAfterNow(zxid: bigint): void {
    this.#checkUsable();
    const keptCount = this.#synced.filter((entry) => entry.zxid <= zxid).length;
    this.#synced.splice(keptCount);
    this.#pending = this.#pending.filter((entry) => entry.zxid <= zxid);
    this.#fileStarts = this.#fileStarts.filter((start) => start <= zxid);
    this.#isRollRequested = true;
  }

  /** Drops every entry with zxid greater than `zxid`. */
  truncateAfter(zxid: bigint): Promise<void> {
    this.truncateAfterNow(zxid);
    return Promise.resolve();
  }

  /** Does nothing: the simulated disk keeps its contents for the next incarnation. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Simulates a process or power failure followed by a restart: unsynced entries are lost except
   * the first `keptUnsyncedCount`, minus the last of those if it was torn. Clears injected faults.
   */
  crash(options: CrashOptions = {}): void {
    const keptCount = options.keptUnsyncedCount ?? 0;
    assert(keptCount >= 0 && keptCount <= this.#pending.length, 'crash keeps more than was appended');
    assert(!(options.isLastTorn ?? false) || keptCount > 0, 'only an unsynced record can be torn');
    const survivorCount = keptCount - (options.isLastTorn === true ? 1 : 0);
    this.#synced.push(...this.#pending.slice(0, survivorCount));
    this.#pending = [];
    this.#fileStarts = this.#fileStarts.filter((start) => start <= this.lastSyncedZxid());
    this.#isRollRequested = true;
    this.#syncFailure = null;
    this.#failure = null;
  }

  /** Makes every later sync fail with `error` until the next crash, like a failing fsync. */
  failSyncs(error: Error): void {
    this.#syncFailure = error;
  }

  #checkUsable(): void {
    // After a failed fsync nothing is known to be durable (STYLE.md §5.4), so refuse to go on.
    if (this.#failure !== null) throw this.#failure;
  }
}
