/**
 * Answers four-letter words: checks the whitelist and whether the server is serving, gathers the
 * numbers from the replica (through `FourLetterWordSource`) and from the listener (through
 * `ListenerStats`), and formats them with the pure functions of four-letter-words.ts. Shell code:
 * `envi`, `mntr` and `dirs` read process and file-system facts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { hostname, arch, type, release, userInfo, homedir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Clock } from '../../util/clock.js';
import {
  defaultTraceMask,
  formatCons,
  formatDirs,
  formatDump,
  formatEnvi,
  formatHash,
  formatMntr,
  formatNotWhitelisted,
  formatServerStats,
  formatWchc,
  formatWchp,
  formatWchs,
  notServingText,
  type ConnectionBucket,
  type ConnectionStatsView,
  type DigestEntry,
  type FourLetterWord,
  type MonitorValue,
  type ReplicaSummary,
  type ServerStatsView,
  type SessionBucket,
  type SessionEphemerals,
  type SessionWatches,
} from './four-letter-words.js';

/** Replica-side numbers for `mntr` beyond those of `srvr`. */
export interface ReplicaMonitorValues {
  /** Data and child watches together (`zk_watch_count`). */
  readonly watchCount: number;
  readonly ephemeralsCount: number;
  /** Sum of path lengths and data sizes, as DataTree.approximateDataSize computes it. */
  readonly approximateDataSizeBytes: number;
  readonly globalSessions: number;
  readonly localSessions: number;
  readonly authFailedCount: number;
  /** Role-specific lines printed right after `zk_server_state` (`peer_state`, `quorum_size`, leader keys), without the `zk_` prefix. */
  readonly extra: readonly (readonly [string, MonitorValue])[];
  /** Metrics-registry lines printed last (e.g. `avg_fsynctime`), only those the server measures truthfully. */
  readonly metrics?: readonly (readonly [string, MonitorValue])[];
}

/**
 * What the four-letter words need from the replica; the server's run loop implements it. Every
 * method is called only when a command needs it, so each may compute its answer on demand.
 */
export interface FourLetterWordSource {
  /** False while the server cannot serve clients (starting, electing, shutting down). */
  isServing(): boolean;
  /** Last applied zxid, mode, node count and (leader) proposal sizes, for `srvr`/`stat`/`mntr`. */
  summary(): ReplicaSummary;
  /** The `conf` text (Format B, reference §9.2), e.g. from `formatConf` of server/config. */
  confText(): string;
  /** The data-watch table per session, for `wchs`/`wchc`/`wchp` (child watches excluded, §9.2). */
  dataWatches(): readonly SessionWatches[];
  /** The session tracker's expiry buckets, for `dump`. */
  sessionBuckets(): readonly SessionBucket[];
  /** Ephemeral znodes per owning session, for `dump`. */
  ephemerals(): readonly SessionEphemerals[];
  /** Recorded tree digests, oldest first, for `hash`. */
  digests(): readonly DigestEntry[];
  /** Numbers for `mntr`. */
  monitorValues(): ReplicaMonitorValues;
  /** Sizes in bytes of the snapshot and log directories, for `dirs`. */
  dirSizes(): Promise<{ readonly dataDirBytes: number; readonly logDirBytes: number }>;
}

/** What the listener offers a four-letter word: its counters and a way to reset them. */
export interface ListenerStats {
  /** Server-wide counters. */
  serverStats(): ServerStatsView;
  /** Every open client connection, this one included. */
  connections(): readonly ConnectionStatsView[];
  /** `crst`: resets every connection's counters. */
  resetConnectionStats(): void;
  /** `srst`: resets the server-wide counters. */
  resetServerStats(): void;
}

/** Answers one four-letter word with the text to write before closing the connection. */
export interface FourLetterWordHandler {
  /** The reply text; `mask` is the i64 that follows `stmk`, null for every other word. */
  respond(word: FourLetterWord, mask: bigint | null, stats: ListenerStats): Promise<string>;
}

/** Options of FourLetterWords. */
export interface FourLetterWordsOptions {
  readonly source: FourLetterWordSource;
  /** Allowed words, from `parseWhitelist` (srvr is always in it). */
  readonly whitelist: ReadonlySet<FourLetterWord>;
  /** Text after `Zookeeper version: `; tools parse the `x.y.z` before the first `-`. */
  readonly versionText: string;
  readonly clock: Clock;
}

/** The version text Corral reports: ZooKeeper 3.8.0-compatible, then Corral's own version. */
export function corralVersionText(corralVersion: string): string {
  return `3.8.0-corral-${corralVersion}, built on 1970-01-01 00:00 UTC`;
}

// ZooKeeper's NIOServerCnxnFactory expires connections without a session after this long.
const sessionlessConnectionTimeoutMs = 10_000;

/** The FourLetterWordHandler of a Corral server. */
export class FourLetterWords implements FourLetterWordHandler {
  readonly #options: FourLetterWordsOptions;
  readonly #startedMs: number;
  #traceMask = defaultTraceMask;

  constructor(options: FourLetterWordsOptions) {
    this.#options = options;
    this.#startedMs = options.clock.nowMs();
  }

  async respond(word: FourLetterWord, mask: bigint | null, stats: ListenerStats): Promise<string> {
    const { source, whitelist } = this.#options;
    if (!whitelist.has(word)) return formatNotWhitelisted(word);
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'envi':
        return formatEnvi(environmentEntries(this.#options.versionText));
      case 'gtmk':
        return String(this.#traceMask);
      case 'stmk':
        this.#traceMask = mask ?? this.#traceMask;
        return String(this.#traceMask);
      case 'isro':
        if (!source.isServing()) return 'null';
        return source.summary().mode === 'read-only' ? 'ro' : 'rw';
      default:
        return source.isServing() ? this.#serving(word, stats) : notServingText;
    }
  }

  async #serving(word: Exclude<FourLetterWord, 'ruok' | 'envi' | 'gtmk' | 'stmk' | 'isro'>, stats: ListenerStats): Promise<string> {
    const { source, versionText } = this.#options;
    switch (word) {
      case 'srvr':
      case 'stat': {
        const connections = word === 'stat' ? stats.connections() : null;
        return formatServerStats({ versionText, stats: stats.serverStats(), replica: source.summary(), connections });
      }
      case 'cons':
        return formatCons(stats.connections());
      case 'conf':
        return source.confText();
      case 'wchs':
        return formatWchs(source.dataWatches());
      case 'wchc':
        return formatWchc(source.dataWatches());
      case 'wchp':
        return formatWchp(source.dataWatches());
      case 'dump':
        return this.#dump(stats);
      case 'crst':
        stats.resetConnectionStats();
        return 'Connection stats reset.\n';
      case 'srst':
        stats.resetServerStats();
        return 'Server stats reset.\n';
      case 'dirs':
        return formatDirs(await source.dirSizes());
      case 'hash':
        return formatHash(source.digests());
      case 'mntr':
        return formatMntr(await this.#monitorEntries(stats));
    }
  }

  #dump(stats: ListenerStats): string {
    const { source, clock } = this.#options;
    const sessionBuckets = source.sessionBuckets();
    return formatDump({
      sessionBuckets,
      ephemerals: source.ephemerals(),
      connectionBuckets: connectionBuckets(stats.connections(), sessionBuckets, clock.wallMs()),
    });
  }

  async #monitorEntries(stats: ListenerStats): Promise<(readonly [string, MonitorValue])[]> {
    const { source, versionText, clock } = this.#options;
    const summary = source.summary();
    const values = source.monitorValues();
    const server = stats.serverStats();
    const fds = await fileDescriptorCounts();
    return [
      ['version', versionText],
      ['server_state', summary.mode],
      ...values.extra,
      ['avg_latency', server.latencyAvgMs],
      ['max_latency', server.latencyMaxMs],
      ['min_latency', server.latencyMinMs],
      ['packets_received', server.packetsReceived],
      ['packets_sent', server.packetsSent],
      ['num_alive_connections', server.connectionCount],
      ['outstanding_requests', server.outstandingRequests],
      ['uptime', Math.round(clock.nowMs() - this.#startedMs)],
      ['znode_count', summary.nodeCount],
      ['watch_count', values.watchCount],
      ['ephemerals_count', values.ephemeralsCount],
      ['approximate_data_size', values.approximateDataSizeBytes],
      ['global_sessions', values.globalSessions],
      ['local_sessions', values.localSessions],
      ...(fds === null ? [] : ([['open_file_descriptor_count', fds.open], ['max_file_descriptor_count', fds.max]] as const)),
      ['connection_drop_probability', 0],
      ['last_client_response_size', server.lastResponseBytes],
      ['max_client_response_size', server.maxResponseBytes],
      ['min_client_response_size', server.minResponseBytes],
      ['outstanding_tls_handshake', 0],
      ['auth_failed_count', values.authFailedCount],
      ['non_mtls_remote_conn_count', 0],
      ['non_mtls_local_conn_count', 0],
      ...(values.metrics ?? []),
    ];
  }
}

/**
 * Groups connections for `dump`: a connection with a session falls in its session's expiry
 * bucket; one without a session in a bucket `sessionlessConnectionTimeoutMs` from now, as
 * ZooKeeper expires sessionless connections.
 */
export function connectionBuckets(
  connections: readonly ConnectionStatsView[],
  sessionBuckets: readonly SessionBucket[],
  nowWallMs: number,
): ConnectionBucket[] {
  const expiryOf = new Map<bigint, number>();
  for (const b of sessionBuckets) for (const id of b.sessionIds) expiryOf.set(id, b.expireAtWallMs);
  const buckets = new Map<number, { remote: string; sessionId: bigint }[]>();
  for (const c of connections) {
    const sessionId = c.session?.sessionId ?? 0n;
    const expireAt = expiryOf.get(sessionId) ?? nowWallMs + sessionlessConnectionTimeoutMs;
    const list = buckets.get(expireAt) ?? [];
    list.push({ remote: `${c.remoteAddress}:${c.remotePort}`, sessionId });
    buckets.set(expireAt, list);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([expireAtWallMs, list]) => ({ expireAtWallMs, connections: list }));
}

const mebibyte = 1024 * 1024;

/** The `envi` entries: ZooKeeper's keys where they apply, Node's runtime in place of Java's. */
function environmentEntries(versionText: string): (readonly [string, string])[] {
  const memory = process.memoryUsage();
  const user = userInfo();
  return [
    ['zookeeper.version', versionText],
    ['host.name', hostname()],
    ['node.version', process.version],
    ['node.execPath', process.execPath],
    ['os.name', type()],
    ['os.arch', arch()],
    ['os.version', release()],
    ['user.name', user.username],
    ['user.home', homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', `${Math.floor((memory.heapTotal - memory.heapUsed) / mebibyte)}MB`],
    ['os.memory.max', `${Math.floor(getHeapStatistics().heap_size_limit / mebibyte)}MB`],
    ['os.memory.total', `${Math.floor(memory.heapTotal / mebibyte)}MB`],
  ];
}

/** Open and maximum file descriptors from /proc; null where /proc is unavailable (ZooKeeper omits the keys then). */
async function fileDescriptorCounts(): Promise<{ open: number; max: number } | null> {
  try {
    const open = (await readdir('/proc/self/fd')).length;
    const limits = await readFile('/proc/self/limits', 'utf8');
    const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
    const max = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(max) ? { open, max } : null;
  } catch (err) {
    // Not Linux (or /proc hidden): leave the two keys out, as ZooKeeper does off Unix.
    if (err instanceof Error && 'code' in err) return null;
    throw err;
  }
}
