/**
 * The four-letter words' view of a replica, standalone or ensemble member (server/net
 * FourLetterWordSource).
 * It only reads the replica's state; the directory sizes are the one piece of I/O.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from './config/index.js';
import { formatConf } from './config/index.js';
import type {
  DigestEntry,
  FourLetterWordSource,
  MonitorValue,
  ReplicaMonitorValues,
  ReplicaSummary,
  SessionBucket,
  SessionEphemerals,
  SessionWatches,
} from './net/index.js';
import type { Replica } from './replica/replica.js';

/** Options of ReplicaFourLetterWordSource. */
export interface ReplicaFourLetterWordSourceOptions {
  readonly replica: Replica;
  readonly config: ServerConfig;
  readonly configText: string;
  readonly isServing: () => boolean;
  /** The port the listener is bound to (known after start). */
  readonly clientPort: () => number;
  /** Wall minus monotonic ms, to print session deadlines as dates. */
  readonly wallOffsetMs: number;
  /** Metrics-registry mntr lines the run loop measures (fsync and snapshot times). */
  readonly metrics?: () => readonly (readonly [string, MonitorValue])[];
}

/** Implements FourLetterWordSource from the replica's state. */
export class ReplicaFourLetterWordSource implements FourLetterWordSource {
  readonly #o: ReplicaFourLetterWordSourceOptions;

  constructor(options: ReplicaFourLetterWordSourceOptions) {
    this.#o = options;
  }

  isServing(): boolean {
    const replica = this.#o.replica;
    return this.#o.isServing() && (replica.isServing || replica.isReadOnly);
  }

  summary(): ReplicaSummary {
    const replica = this.#o.replica;
    const leader = replica.ensembleView()?.leader ?? null;
    return {
      lastZxid: replica.lastAppliedZxid,
      mode: replica.mode === 'looking' ? 'follower' : replica.mode,
      nodeCount: replica.tree.nodeCount,
      proposalSizes: leader === null ? null : leader.proposalSizes,
    };
  }

  confText(): string {
    const sizes = this.#dirSizesNow();
    return formatConf(this.#o.config, {
      clientPort: this.#o.clientPort(),
      dataDirSizeBytes: sizes.dataDirBytes,
      dataLogSizeBytes: sizes.logDirBytes,
    });
  }

  dataWatches(): readonly SessionWatches[] {
    const out: SessionWatches[] = [];
    for (const [conn, paths] of this.#o.replica.watches.byConnection()) {
      const sessionId = this.#o.replica.connectionSession(conn);
      if (sessionId !== null) out.push({ sessionId, paths });
    }
    return out;
  }

  sessionBuckets(): readonly SessionBucket[] {
    const out: SessionBucket[] = [];
    for (const [deadlineMs, sessionIds] of this.#o.replica.sessions.buckets()) {
      out.push({ expireAtWallMs: deadlineMs + this.#o.wallOffsetMs, sessionIds });
    }
    return out;
  }

  ephemerals(): readonly SessionEphemerals[] {
    return [...this.#o.replica.tree.sessionsWithEphemerals()].map(([sessionId, paths]) => ({
      sessionId,
      paths: [...paths],
    }));
  }

  digests(): readonly DigestEntry[] {
    return [];
  }

  monitorValues(): ReplicaMonitorValues {
    const replica = this.#o.replica;
    return {
      watchCount: replica.watches.count(),
      ephemeralsCount: replica.tree.ephemeralCount,
      approximateDataSizeBytes: replica.tree.approximateDataSize,
      globalSessions: replica.sessions.size,
      localSessions: 0,
      authFailedCount: replica.counters.authFailures,
      extra: ensembleMonitorEntries(replica),
      metrics: this.#o.metrics?.() ?? [],
    };
  }

  dirSizes(): Promise<{ readonly dataDirBytes: number; readonly logDirBytes: number }> {
    return Promise.resolve(this.#dirSizesNow());
  }

  /** A few stat calls on rarely used words; not worth an async path through `conf`. */
  #dirSizesNow(): { dataDirBytes: number; logDirBytes: number } {
    const config = this.#o.config;
    return {
      dataDirBytes: dirBytes(join(config.dataDir, 'version-2')),
      logDirBytes: dirBytes(join(config.dataLogDir, 'version-2')),
    };
  }
}

/**
 * mntr lines of an ensemble member, as ZooKeeper 3.8 prints them (QuorumZooKeeperServer and
 * LeaderZooKeeperServer.dumpMonitorValues, observed on a 3.8.0 ensemble): none standalone or in
 * read-only mode (a ReadOnlyZooKeeperServer is a plain ZooKeeperServer).
 */
function ensembleMonitorEntries(replica: Replica): (readonly [string, number | string])[] {
  const view = replica.ensembleView();
  if (view === null || replica.isReadOnly) return [];
  const entries: (readonly [string, number | string])[] = [
    ['peer_state', view.peerState],
    ['quorum_size', view.quorumSize],
  ];
  const leader = view.leader;
  if (leader === null) return entries;
  return [
    ...entries,
    ['learners', leader.learners],
    ['synced_followers', leader.syncedFollowers],
    // Corral has no non-voting followers (reconfig-demoted voters); ZooKeeper prints 0 then too.
    ['synced_non_voting_followers', 0],
    ['synced_observers', leader.syncedObservers],
    ['pending_syncs', leader.pendingSyncs],
    ['leader_uptime', leader.uptimeMs],
    ['last_proposal_size', leader.proposalSizes.lastBytes],
    ['max_proposal_size', leader.proposalSizes.maxBytes],
    ['min_proposal_size', leader.proposalSizes.minBytes],
  ];
}

/** Sum of the sizes of the files directly in `dir` (ZooKeeper's `dirs` counts the same). */
function dirBytes(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  for (const name of names) {
    const info = statSync(join(dir, name), { throwIfNoEntry: false });
    if (info?.isFile() === true) total += info.size;
  }
  return total;
}
