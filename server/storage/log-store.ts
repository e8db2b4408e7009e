/**
 * The transaction log contract shared by the file and memory implementations, and the zxid
 * ordering rule both enforce.
 */

/**
 * One transaction record: its zxid and the encoded txn, stored as opaque bytes. Structurally the
 * same as `LogEntry` in server/replica/ready.ts; redeclared so storage imports only util/.
 */
export interface LogEntry {
  readonly zxid: bigint;
  readonly data: Uint8Array;
}

/** A durable, append-only sequence of txns ordered by zxid. */
export interface LogStore {
  /** The zxid of the last appended entry, synced or not; 0n when the log is empty. */
  lastZxid(): bigint;
  /** The zxid of the last entry made durable by a completed sync; 0n when none. */
  lastSyncedZxid(): bigint;
  /** Buffers entries; each zxid must follow the previous one (see `isNextZxid`). */
  append(entries: readonly LogEntry[]): void;
  /** Writes everything appended so far and makes it durable; a rejection is fatal. */
  sync(): Promise<void>;
  /** Makes the next entry start a new log file, so older files can be purged. */
  roll(): void;
  /** Yields the synced entries with zxid greater than `zxidExclusive`, in order. */
  readFrom(zxidExclusive: bigint): AsyncIterable<LogEntry>;
  /** Drops every entry (synced or not) with zxid greater than `zxid`, durably. */
  truncateAfter(zxid: bigint): Promise<void>;
  /** Waits for pending syncs and releases resources; the store is unusable afterwards. */
  close(): Promise<void>;
}

const COUNTER_BITS = 32n;

/** The epoch half of a zxid (its high 32 bits). */
export function epochOf(zxid: bigint): bigint {
  return zxid >> COUNTER_BITS;
}

/**
 * True when `next` may directly follow `previous` in the log: the next counter in the same epoch,
 * or any zxid of a later epoch (a new leader restarts the counter). `previous` 0n means an empty
 * log, which any positive zxid may start.
 */
export function isNextZxid(previous: bigint, next: bigint): boolean {
  if (next <= 0n) return false;
  if (previous === 0n) return true;
  if (epochOf(next) === epochOf(previous)) return next === previous + 1n;
  return epochOf(next) > epochOf(previous);
}

/**
 * True when `first`, the first log entry after a snapshot taken at `snapshotZxid` (0n when there
 * is no snapshot), continues it with nothing missing: the next counter of the same epoch, or the
 * first zxid (counter 1) of a later epoch, since a new leader restarts the counter at 1. Anything
 * else means the txns in between are gone (for example a purge kept logs for a snapshot that is
 * now unreadable), and replaying would silently lose them.
 */
export function isFirstAfterSnapshot(snapshotZxid: bigint, first: bigint): boolean {
  if (first <= snapshotZxid) return false;
  if (epochOf(first) === epochOf(snapshotZxid)) return first === snapshotZxid + 1n;
  return (first & ((1n << COUNTER_BITS) - 1n)) === 1n;
}
