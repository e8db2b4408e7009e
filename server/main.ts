/**
 * The server's run loop: the shell around the pure replica. It owns the real clock, the
 * sockets, the log and snapshot files, and performs what `replica.ready()` asks, in order:
 * append `persist` and fsync it as one batch (group commit: while one fsync runs, later
 * writes gather for the next), report `persisted(zxid)`, write `out` to the connections,
 * close `closes`, start snapshots.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { assert } from '../util/assert.js';
import { systemClock, type Clock } from '../util/clock.js';
import { hex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { randomRng } from '../util/rng.js';
import type { ServerConfig } from './config/index.js';
import { AvgMinMaxCounter, ClientListener, FourLetterWords, corralVersionText, parseWhitelist } from './net/index.js';
import { Replica, type RecoveredState } from './replica/replica.js';
import { ReplicaFourLetterWordSource } from './four-letter-word-source.js';
import { decodeSessionMeta, encodeSessionMeta } from './replica/session-meta.js';
import {
  FileLogStore,
  FileSnapshotStore,
  isFirstAfterSnapshot,
  listSnapshotFiles,
  purge,
  snapshotFileName,
  StorageCorruptError,
  type LogStore,
  type SnapshotReader,
  type SnapshotStore,
} from './storage/index.js';
import { DataTree, TreeLoader } from './tree/index.js';
import type { LogEntry } from './consensus/index.js';
import { EnsembleShell, GROUP_TICKS_PER_TICK_TIME, makeGroupLink, readEpochs } from './ensemble.js';

/** Nodes serialized per slice of a snapshot (one chunk); a slice takes a few ms. */
const SNAPSHOT_SLICE_NODES = 2_000;

/**
 * How long a snapshot may serialize slices in one event-loop turn before yielding, far under the
 * 50 ms stall bound. One slice per turn made a snapshot under heavy write load crawl (each turn
 * also serves every ready client), so snapshots fell further and further behind snapCount, and
 * with them the log a restart must replay.
 */
const SNAPSHOT_TURN_BUDGET_MS = 5;

/**
 * Sampling period of the event-loop delay monitor that runs while a snapshot is written (one
 * libuv timer; the "snapshot taken" line reports its max, the stall the issue bounds at 50 ms).
 */
const SNAPSHOT_LOOP_DELAY_RESOLUTION_MS = 5;

/** Requests a connection may have without a reply before its socket stops being read. */
const MAX_OUTSTANDING_PER_CONNECTION = 1_000;

/** Corral's own version, reported after ZooKeeper's in `srvr`. */
export const corralVersion = '0.1.0';

/** Options of a running server. */
export interface ServerOptions {
  readonly config: ServerConfig;
  readonly configText: string;
  readonly log: Logger;
  readonly clock?: Clock;
}

/** A started server. */
export interface ServerHandle {
  readonly host: string;
  readonly port: number;
  /** Resolves once the server has stopped. */
  readonly stopped: Promise<void>;
  /** Stops accepting, flushes the log, closes everything. */
  stop(): Promise<void>;
}

/** Recovers state from disk and starts serving. */
export async function startServer(options: ServerOptions): Promise<ServerHandle> {
  const server = await Server.open(options);
  return server.start();
}

class Server {
  readonly #config: ServerConfig;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #replica: Replica;
  readonly #logStore: LogStore;
  readonly #snapshots: SnapshotStore;
  readonly #listener: ClientListener;
  readonly #ensemble: EnsembleShell | null;
  #groupTicker: NodeJS.Timeout | null = null;
  #port = -1;
  #drainScheduled = false;
  #syncing = false;
  #snapshotting = false;
  #ticker: NodeJS.Timeout | null = null;
  #purger: NodeJS.Timeout | null = null;
  /** mntr's zk_*_fsynctime: ms per log sync (write + fdatasync), measured here for standalone. */
  readonly #fsyncTime = new AvgMinMaxCounter('fsynctime');
  /** mntr's zk_*_snapshottime: ms per snapshot written. */
  readonly #snapshotTime = new AvgMinMaxCounter('snapshottime');
  #stopping: Promise<void> | null = null;
  #resolveStopped!: () => void;
  readonly #stopped = new Promise<void>((resolve) => {
    this.#resolveStopped = resolve;
  });

  private constructor(
    options: ServerOptions,
    parts: { replica: Replica; logStore: LogStore; snapshots: SnapshotStore },
  ) {
    this.#config = options.config;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#replica = parts.replica;
    this.#logStore = parts.logStore;
    this.#snapshots = parts.snapshots;
    this.#ensemble = parts.replica.group === null ? null : this.#makeEnsembleShell(options);
    const source = new ReplicaFourLetterWordSource({
      replica: this.#replica,
      config: this.#config,
      configText: options.configText,
      isServing: () => this.#stopping === null,
      clientPort: () => this.#port,
      wallOffsetMs: this.#clock.wallMs() - this.#clock.nowMs(),
      // Only a standalone server sees every fsync and snapshot here (an ensemble member's
      // consensus batches and leader snapshots are written in server/ensemble.ts), so only it
      // reports these; a key Corral cannot compute truthfully is left out.
      metrics: () => (this.#ensemble === null ? [...this.#fsyncTime.entries(), ...this.#snapshotTime.entries()] : []),
    });
    this.#listener = new ClientListener({
      host: this.#config.clientPortAddress ?? '0.0.0.0',
      port: this.#config.clientPort ?? 0,
      maxClientCnxns: this.#config.maxClientCnxns,
      maxFrameBytes: this.#config.maxFrameBytes,
      maxOutstandingPerConnection: MAX_OUTSTANDING_PER_CONNECTION,
      isOverloaded: () => this.#replica.outstanding > this.#config.globalOutstandingLimit,
      fourLetterWords: new FourLetterWords({
        source,
        whitelist: parseWhitelist(this.#config.fourLetterWordWhitelist, { readOnlyModeEnabled: this.#config.readOnlyModeEnabled }),
        versionText: corralVersionText(corralVersion),
        clock: this.#clock,
      }),
      replica: this.#replica,
      onInput: () => this.#scheduleDrain(),
      log: this.#log,
      clock: this.#clock,
    });
  }

  #makeEnsembleShell(options: ServerOptions): EnsembleShell {
    return new EnsembleShell({
      config: options.config,
      logStore: this.#logStore,
      snapshots: this.#snapshots,
      log: this.#log,
      onMessage: (from, payload) => {
        const decoded = this.#ensemble?.decode(from, payload);
        if (decoded?.ok !== true) return;
        this.#replica.peerMessage(from, decoded.message, this.#now());
        this.#scheduleDrain();
      },
      onPeerDisconnected: (from) => {
        this.#replica.peerDisconnected(from, this.#now());
        this.#scheduleDrain();
      },
      onPersisted: (seq) => {
        this.#replica.groupPersisted(seq, this.#now());
        this.#scheduleDrain();
      },
      onFatal: (error) => this.#fatal(error, 'durable write failed'),
    });
  }

  /** Reads the latest valid snapshot and the log after it. */
  static async open(options: ServerOptions): Promise<Server> {
    const { config, log } = options;
    const clock = options.clock ?? systemClock;
    await mkdir(config.dataDir, { recursive: true });
    await mkdir(config.dataLogDir, { recursive: true });
    const snapshots = await FileSnapshotStore.open(config.dataDir, log);
    // Like ZooKeeper, only the logs after the snapshot are read: open them before the snapshot
    // loads, while the heap is small (reading them later costs full collections of a big heap).
    // Should the newest snapshot prove damaged, the log reads the older files when asked for them.
    // A torn tail is truncated only once the log is known to continue the snapshot, so that a
    // refusal to start changes nothing on disk.
    const newestSnapshot = (await listSnapshotFiles(join(config.dataDir, 'version-2')))[0]?.zxid ?? 0n;
    const logStore = await FileLogStore.open(config.dataLogDir, log, { deferRepairs: true, replayFrom: newestSnapshot });
    // The newest valid snapshot, checked as it loads (one read of the file).
    const loaded = await snapshots.loadLatest((reader) => loadSnapshot(reader, log));
    const snapshotZxid = loaded?.reader.zxid ?? 0n;
    // Before anything is replayed or snapshotted: a log that does not continue the snapshot (or,
    // with none, start at the first zxid) has lost txns, and serving it would make that permanent.
    await checkLogContinuesSnapshot(config, logStore, snapshotZxid);
    await logStore.repair();
    const recovered = loaded?.loaded ?? { tree: new DataTree(), sessions: [], zxid: 0n };
    // An ensemble member hands its log to the consensus core, which applies only what it knows
    // committed; a standalone server replays its whole (all committed) log here.
    let group: ReturnType<typeof makeGroupLink> | undefined;
    if (!config.isStandalone) {
      const entries: LogEntry[] = [];
      for await (const entry of logStore.readFrom(recovered.zxid)) entries.push(entry);
      const epochs = await readEpochs(config.dataDir);
      group = makeGroupLink(config, { epochs, snapshotZxid: recovered.zxid, entries }, log);
      log.info({ myid: config.serverId, epochs, logEntries: entries.length }, 'ensemble member recovered');
    }
    const replica = new Replica(
      {
        serverId: config.serverId === 0 ? 1 : config.serverId,
        tickTimeMs: config.tickTimeMs,
        minSessionTimeoutMs: config.minSessionTimeoutMs,
        maxSessionTimeoutMs: config.maxSessionTimeoutMs,
        snapCount: config.snapCount,
        extendedTypesEnabled: config.extendedTypesEnabled,
        skipAcl: config.skipAcl,
        reconfigEnabled: config.reconfigEnabled,
        superDigest: config.superDigest,
        containerCheckIntervalMs: config.containerCheckIntervalMs,
        containerMaxNeverUsedIntervalMs: config.containerMaxNeverUsedIntervalMs,
        rng: randomRng(),
        startNowMs: clock.nowMs(),
        // CLOCK_MONOTONIC: time since boot on Linux, as ZooKeeper's System.nanoTime seed.
        sessionIdSeedMs: Number(process.hrtime.bigint() / 1_000_000n),
        log: log.child({ component: 'server.replica' }),
        ...(group === undefined ? {} : { group, readOnlyModeEnabled: config.readOnlyModeEnabled }),
      },
      recovered,
    );
    let replayed = 0;
    if (group === undefined) {
      for await (const entry of logStore.readFrom(recovered.zxid)) {
        replica.replay(entry);
        replayed++;
      }
    }
    log.info(
      { snapshotZxid: hex(recovered.zxid), replayed, zxid: hex(replica.lastAppliedZxid), nodes: replica.tree.nodeCount },
      'state recovered',
    );
    const server = new Server(options, { replica, logStore, snapshots });
    // Like ZooKeeper, snapshot after replaying a log so the next start has less to replay.
    if (replayed > 0) server.#startSnapshot();
    return server;
  }

  async start(): Promise<ServerHandle> {
    if (this.#ensemble !== null) {
      await this.#ensemble.transport.start();
      this.#groupTicker = setInterval(() => {
        this.#replica.groupTick(this.#now());
        this.#scheduleDrain();
      }, this.#config.tickTimeMs / GROUP_TICKS_PER_TICK_TIME);
    }
    const address = await this.#listener.start();
    this.#port = address.port;
    const tickMs = Math.max(10, Math.min(100, Math.floor(this.#config.tickTimeMs / 2)));
    this.#ticker = setInterval(() => {
      this.#replica.tick(this.#now());
      this.#scheduleDrain();
    }, tickMs);
    const purgeHours = this.#config.purgeIntervalHours;
    if (purgeHours > 0) {
      // As ZooKeeper's DatadirCleanupManager: purge once at start, then every purgeInterval hours.
      void this.#purge();
      this.#purger = setInterval(() => void this.#purge(), purgeHours * 3_600_000);
    }
    this.#log.info({ host: address.host, port: address.port, dataDir: this.#config.dataDir }, 'listening');
    return {
      host: address.host,
      port: address.port,
      stopped: this.#stopped,
      stop: () => this.#stop(),
    };
  }

  #now(): { nowMs: number; wallMs: number } {
    return { nowMs: this.#clock.nowMs(), wallMs: this.#clock.wallMs() };
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drain();
    });
  }

  /** Performs one `ready()` batch (STYLE.md §10, "consensus emits, the shell acts"). */
  #drain(): void {
    const rd = this.#replica.ready();
    this.#replica.advance();
    if (rd.persist.length > 0) this.#logStore.append(rd.persist);
    if (rd.group !== null) this.#ensemble?.perform(rd.group);
    this.#listener.deliver(rd.out, rd.closes);
    if (rd.snapshot !== null) this.#startSnapshot();
    this.#maybeSync();
  }

  /**
   * One fsync at a time; whatever was appended meanwhile goes in the next one. When a sync
   * completes, the next batch is appended and its sync started first, and only then is the
   * finished batch committed and answered: the disk works on batch N+1 while the loop applies
   * and replies batch N. Replies still wait for their own batch (`persisted(target)` covers only
   * zxids the completed sync wrote), and the log keeps zxid order, so commits stay in zxid order.
   */
  #maybeSync(): void {
    // In an ensemble the consensus batches carry their own fsync (server/ensemble.ts).
    if (this.#syncing || this.#ensemble !== null) return;
    const target = this.#logStore.lastZxid();
    if (target <= this.#logStore.lastSyncedZxid()) return;
    this.#syncing = true;
    const syncStartedMs = this.#clock.nowMs();
    this.#logStore.sync().then(
      () => {
        this.#fsyncTime.record(this.#clock.nowMs() - syncStartedMs);
        this.#syncing = false;
        this.#drain();
        this.#replica.persisted(target);
        this.#drain();
      },
      (error: unknown) => this.#fatal(error, 'fsync failed'),
    );
  }

  /** Serializes the tree in slices, yielding to the event loop between them. */
  #startSnapshot(): void {
    if (this.#snapshotting) return;
    this.#snapshotting = true;
    const startedMs = this.#clock.nowMs();
    const zxid = this.#replica.lastAppliedZxid;
    const meta = encodeSessionMeta(this.#replica.sessionList());
    const cursor = this.#replica.tree.startSnapshot(zxid);
    const digest = this.#replica.tree.digest();
    this.#logStore.roll();
    const nodes = this.#replica.tree.nodeCount;
    // The synchronous start above blocks the loop for its whole length; the monitor (whose first
    // period is never recorded) covers the slices from here on.
    const startBlockMs = this.#clock.nowMs() - startedMs;
    const loopDelay = monitorEventLoopDelay({ resolution: SNAPSHOT_LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const run = async (): Promise<void> => {
      const writer = await this.#snapshots.begin(zxid, meta);
      // The chunks of one turn are written while the next turn serializes (one write in flight).
      let writing: Promise<void> = Promise.resolve();
      try {
        for (let isDone = false; !isDone; ) {
          // Real time, not this.#clock: the budget bounds how long the loop is held.
          const turnStartMs = performance.now();
          const chunks: Uint8Array[] = [];
          do {
            const chunk = cursor.next(SNAPSHOT_SLICE_NODES);
            if (chunk === null) isDone = true;
            else chunks.push(chunk);
          } while (!isDone && performance.now() - turnStartMs < SNAPSHOT_TURN_BUDGET_MS);
          await writing;
          writing = (async () => {
            for (const chunk of chunks) await writer.write(chunk);
          })();
          // Handled here so a failure while the next turn runs is not an unhandled rejection;
          // the next `await writing` still throws it.
          writing.catch(() => undefined);
          if (!isDone) await yieldToLoop();
        }
        await writing;
        await writer.finish(digest);
      } catch (error) {
        cursor.close();
        // A failed write is the error to report; wait for it so abort runs after it.
        await writing.catch(() => undefined);
        await writer.abort();
        throw error;
      }
      loopDelay.disable();
      // The histogram holds the longest gap between the monitor's timer runs, in nanoseconds (0
      // when the snapshot finished before one sample); the delay is the part beyond its period.
      const sliceDelayMs = loopDelay.max / 1_000_000 - SNAPSHOT_LOOP_DELAY_RESOLUTION_MS;
      const maxEventLoopDelayMs = Math.round(Math.max(0, startBlockMs, sliceDelayMs) * 10) / 10;
      const durationMs = Math.round(this.#clock.nowMs() - startedMs);
      this.#snapshotTime.record(durationMs);
      this.#log.info({ zxid: hex(zxid), nodes, durationMs, maxEventLoopDelayMs }, 'snapshot taken');
    };
    run().then(
      () => {
        this.#snapshotting = false;
      },
      (error: unknown) => {
        loopDelay.disable();
        this.#snapshotting = false;
        this.#log.error({ err: error }, 'snapshot failed');
      },
    );
  }

  async #purge(): Promise<void> {
    try {
      await purge(this.#config.dataDir, this.#config.dataLogDir, this.#config.snapRetainCount, this.#log);
    } catch (error) {
      this.#log.warn({ err: error }, 'purge failed');
    }
  }

  #fatal(error: unknown, message: string): void {
    // After a failed fsync nothing is known to be durable: stopping beats diverging (§5.4).
    this.#log.fatal({ err: error }, message);
    process.exit(70);
  }

  #stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#ticker !== null) clearInterval(this.#ticker);
      if (this.#purger !== null) clearInterval(this.#purger);
      if (this.#groupTicker !== null) clearInterval(this.#groupTicker);
      await this.#listener.close();
      await this.#ensemble?.close();
      await this.#logStore.close();
      this.#log.info({}, 'stopped');
      this.#resolveStopped();
    })();
    return this.#stopping;
  }
}

/**
 * Throws StorageCorruptError, naming the files, when the first log entry after the snapshot at
 * `snapshotZxid` (0n: none) does not directly follow it. ZooKeeper refuses the same situation
 * ("No snapshot found, but there are log entries. Something is broken!").
 */
async function checkLogContinuesSnapshot(config: ServerConfig, logStore: FileLogStore, snapshotZxid: bigint): Promise<void> {
  let first: bigint | null = null;
  for await (const entry of logStore.readFrom(snapshotZxid)) {
    first = entry.zxid;
    break;
  }
  if (first === null || isFirstAfterSnapshot(snapshotZxid, first)) return;
  const logFileStart = logStore.fileStartZxids().filter((start) => start <= first).at(-1) ?? first;
  const snapshotDir = join(config.dataDir, 'version-2');
  const skipped = (await listSnapshotFiles(snapshotDir)).filter((file) => file.zxid > snapshotZxid).map((file) => join(snapshotDir, file.name));
  const base = snapshotZxid === 0n ? 'no valid snapshot' : `the newest valid snapshot is ${join(snapshotDir, snapshotFileName(snapshotZxid))}`;
  throw new StorageCorruptError({
    file: join(config.dataLogDir, 'version-2', `log.${logFileStart.toString(16)}`),
    offset: 0,
    reason:
      `the log resumes at zxid ${hex(first)} but ${base} (zxid ${hex(snapshotZxid)}): the txns in between are missing` +
      (skipped.length > 0 ? `; invalid snapshots skipped: ${skipped.join(', ')}` : ''),
  });
}

/** Builds the state a snapshot holds; its stream throws StorageCorruptError on damage. */
async function loadSnapshot(snapshot: SnapshotReader, log: Logger): Promise<RecoveredState> {
  const loader = new TreeLoader();
  for await (const chunk of snapshot.chunks()) loader.load(chunk);
  const tree = loader.finish();
  assert(tree.digest() === snapshot.digest, 'tree digest matches the snapshot after loading');
  log.info({ zxid: hex(snapshot.zxid), nodes: tree.nodeCount }, 'snapshot loaded');
  return { tree, sessions: decodeSessionMeta(snapshot.meta), zxid: snapshot.zxid };
}
