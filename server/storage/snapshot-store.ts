/**
 * The snapshot contract shared by the file and memory implementations. A snapshot is the state
 * as of one zxid: a small opaque `meta` (for example the session table), a sequence of opaque
 * chunks from the tree's snapshot cursor, and the tree digest, all stored and returned verbatim.
 */

/** Receives one snapshot chunk by chunk; call `write` one at a time, awaiting each. */
export interface SnapshotWriter {
  /** Appends one chunk; empty chunks are skipped, since they carry nothing. */
  write(chunk: Uint8Array): Promise<void>;
  /** Stores the digest (an unsigned 64-bit value) and makes the snapshot durable and visible. */
  finish(digest: bigint): Promise<void>;
  /** Discards the unfinished snapshot; safe to call more than once, and after a failure. */
  abort(): Promise<void>;
}

/** A complete, validated snapshot. */
export interface SnapshotReader {
  /** The zxid the snapshot was taken at. */
  readonly zxid: bigint;
  /** The opaque header bytes given to `begin`. */
  readonly meta: Uint8Array;
  /** The digest given to `finish`. */
  readonly digest: bigint;
  /** Yields the chunks in the order they were written. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** Where snapshots are written and found again. */
export interface SnapshotStore {
  /** Starts writing the snapshot of the state as of `zxid`; nothing is visible until `finish`. */
  begin(zxid: bigint, meta: Uint8Array): Promise<SnapshotWriter>;
  /** The newest snapshot that validates completely, or null when there is none. */
  latest(): Promise<SnapshotReader | null>;
}

/** The largest digest the stores accept: digests are stored as unsigned 64-bit integers. */
export const MAX_SNAPSHOT_DIGEST = (1n << 64n) - 1n;
