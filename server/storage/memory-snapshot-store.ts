/** An in-memory SnapshotStore for tests and the simulation: pure, with synchronous accessors. */
import { assert } from '../../util/assert.js';
import {
  MAX_SNAPSHOT_DIGEST,
  type SnapshotReader,
  type SnapshotStore,
  type SnapshotWriter,
} from './snapshot-store.js';

/** One finished snapshot held in memory. */
interface StoredSnapshot {
  readonly zxid: bigint;
  readonly meta: Uint8Array;
  readonly chunks: readonly Uint8Array[];
  readonly digest: bigint;
}

/** A SnapshotStore kept in memory; unfinished snapshots never become visible. */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #snapshots = new Map<bigint, StoredSnapshot>();

  /** Starts a snapshot; finishing it replaces any earlier snapshot at the same zxid. */
  begin(zxid: bigint, meta: Uint8Array): Promise<SnapshotWriter> {
    return Promise.resolve(this.beginNow(zxid, meta));
  }

  /** The synchronous form of `begin`, for the simulation. */
  beginNow(zxid: bigint, meta: Uint8Array): SnapshotWriter {
    const chunks: Uint8Array[] = [];
    let state: 'open' | 'finished' | 'aborted' = 'open';
    const metaCopy = meta.slice();
    return {
      write: (chunk) => {
        assert(state === 'open', 'snapshot write after finish or abort');
        if (chunk.length > 0) chunks.push(chunk.slice());
        return Promise.resolve();
      },
      finish: (digest) => {
        assert(state === 'open', 'snapshot finish after finish or abort');
        assert(digest >= 0n && digest <= MAX_SNAPSHOT_DIGEST, 'snapshot digest out of range');
        state = 'finished';
        this.#snapshots.set(zxid, { zxid, meta: metaCopy, chunks, digest });
        return Promise.resolve();
      },
      abort: () => {
        if (state === 'open') state = 'aborted';
        return Promise.resolve();
      },
    };
  }

  /** The newest finished snapshot, or null. */
  latest(): Promise<SnapshotReader | null> {
    return Promise.resolve(this.latestNow());
  }

  /** The synchronous form of `latest`, for the simulation. */
  latestNow(): SnapshotReader | null {
    let newest: StoredSnapshot | null = null;
    for (const snapshot of this.#snapshots.values()) if (newest === null || snapshot.zxid > newest.zxid) newest = snapshot;
    if (newest === null) return null;
    const { zxid, meta, digest, chunks } = newest;
    return {
      zxid,
      meta,
      digest,
      chunks: async function* () {
        yield* chunks;
      },
    };
  }

  /** The zxids of the finished snapshots, oldest first. */
  zxids(): bigint[] {
    return [...this.#snapshots.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Forgets the snapshot at `zxid`, as purge or a lost disk would. */
  remove(zxid: bigint): void {
    this.#snapshots.delete(zxid);
  }
}
