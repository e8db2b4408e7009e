/**
 * The client library's own overhead: pipelined getData against one server, with Corral's
 * ZkClient and with node-zookeeper-client, in the same process and the same run, alternating
 * which goes first each round. Reports wall ops/s, p50/p99 latency and the benchmark process's
 * CPU time per op (process.cpuUsage over the measured window / ops), which is the fairest
 * figure: both clients share the process and the harness, and the server runs elsewhere. Each
 * round ends with the raw-protocol load generator (no client library) as the server's ceiling.
 *
 * Run: node dist/bench/client-overhead.js [--server host:port | --start corral|zookeeper]
 *        [--clients 1] [--depth 256] [--value-bytes 1024] [--keys 1000] [--duration-ms 10000]
 *        [--warmup-ms 3000] [--rounds 2] [--server-warmup-ms 5000] [--corral-bin path/to/run.js] [--json]
 * Without --server or --start it starts a standalone Corral, then (when installed) a standalone
 * ZooKeeper, one at a time, and runs every round against each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLIENT_KINDS, type ClientKind, type GetDataClient, openGetDataClient } from './getdata-clients.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { isMain } from './is-main.js';
import { type LoadOptions, parseServer, prepareKeys, runLoad } from './load.js';
import { environment, ratio, writeResults } from './results.js';
import { type ServerKind, startBenchServer, zookeeperInstalled } from './servers.js';

/** The shape of every measured run. */
export interface OverheadOptions {
  /** Sessions of the client under test, each with its own connection. */
  readonly clients: number;
  /** getData requests kept in flight per session. */
  readonly depth: number;
  readonly valueBytes: number;
  /** Pre-created znodes /bench/k0 … read round-robin. */
  readonly keys: number;
  readonly durationMs: number;
  /** Unmeasured load right before each window (JIT warm-up of the client under test). */
  readonly warmupMs: number;
  readonly rounds: number;
  /** Unmeasured raw-protocol reads once per server, before the first round (the server's JIT). */
  readonly serverWarmupMs: number;
}

/** The figures of one client library in one window. */
export interface ClientRun {
  readonly client: ClientKind;
  readonly completed: number;
  /** Actual window length (timer slop included). */
  readonly measuredMs: number;
  readonly opsPerSec: number;
  readonly latency: LatencySummary;
  /** User + system CPU of this process during the window, in microseconds. */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** (user + system) / completed: the client's own cost per op (harness included, same for both). */
  readonly cpuUsPerOp: number;
  /** Failed requests and replies of the wrong length, by name. */
  readonly errors: Readonly<Record<string, number>>;
  readonly loadAverage1m: number;
}

/** Both clients' runs in one round against one server. */
export interface RoundResult {
  readonly server: string;
  readonly round: number;
  readonly runs: readonly ClientRun[];
  /**
   * The raw-protocol load generator (load.ts: no client library) with the same sessions, depth
   * and window, run last in the round: the most this server gives one process, for reference.
   */
  readonly raw: { readonly opsPerSec: number; readonly latency: LatencySummary } | undefined;
}

/** After the window closes, the longest wait for in-flight replies. */
const DRAIN_TIMEOUT_MS = 30_000;

/** The paths of the keys, as prepareKeys lays them out. */
export function keyPaths(keys: number): string[] {
  return Array.from({ length: keys }, (_, i) => `/bench/k${i}`);
}

/** Tallies shared by every session of one run. */
interface Window {
  isOpen: boolean;
  isOver: boolean;
  readonly latency: LatencyHistogram;
  readonly errors: Record<string, number>;
}

/**
 * Keeps `depth` getData in flight on every session for warm-up + duration, counting replies that
 * arrive inside the window, and resolves once every request has been answered (bounded).
 */
export async function runPipelined(sessions: readonly GetDataClient[], options: OverheadOptions): Promise<ClientRun> {
  const paths = keyPaths(options.keys);
  const window: Window = { isOpen: false, isOver: false, latency: new LatencyHistogram(), errors: {} };
  let cpuStart = process.cpuUsage();
  let startMs = 0;
  let cpu = { user: 0, system: 0 };
  let endMs = 0;
  const opened = setTimeout(() => {
    cpuStart = process.cpuUsage();
    startMs = performance.now();
    window.isOpen = true;
  }, options.warmupMs);
  const closed = setTimeout(() => {
    cpu = process.cpuUsage(cpuStart);
    endMs = performance.now();
    window.isOpen = false;
    window.isOver = true;
  }, options.warmupMs + options.durationMs);
  try {
    await Promise.all(sessions.map((session, i) => drive(session, paths, i * 7919, options, window)));
  } finally {
    clearTimeout(opened);
    clearTimeout(closed);
  }
  const completed = window.latency.count;
  const measuredMs = endMs - startMs;
  return {
    client: sessions[0]?.kind ?? 'zkclient',
    completed,
    measuredMs: Math.round(measuredMs),
    opsPerSec: measuredMs > 0 ? Math.round((completed * 1000) / measuredMs) : 0,
    latency: window.latency.summary(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    cpuUsPerOp: completed > 0 ? (cpu.user + cpu.system) / completed : 0,
    errors: window.errors,
    loadAverage1m: loadavg()[0] ?? 0,
  };
}

/** One session's loop: every reply issues the next request until the window is over. */
function drive(session: GetDataClient, paths: readonly string[], offset: number, options: OverheadOptions, window: Window): Promise<void> {
  return new Promise<void>((resolveDrained, rejectDrained) => {
    let next = offset;
    let inFlight = 0;
    const drainTimer = setTimeout(
      () => rejectDrained(new Error(`${inFlight} getData still unanswered ${DRAIN_TIMEOUT_MS} ms after the window`)),
      options.warmupMs + options.durationMs + DRAIN_TIMEOUT_MS,
    );
    const settle = (sentMs: number, error: string | undefined): void => {
      inFlight--;
      if (window.isOpen) {
        if (error === undefined) window.latency.record((performance.now() - sentMs) * 1000);
        else window.errors[error] = (window.errors[error] ?? 0) + 1;
      }
      if (!window.isOver) issue();
      else if (inFlight === 0) {
        clearTimeout(drainTimer);
        resolveDrained();
      }
    };
    const issue = (): void => {
      const path = paths[next++ % paths.length] as string;
      const sentMs = performance.now();
      inFlight++;
      session.getData(path).then(
        (length) => settle(sentMs, length === options.valueBytes ? undefined : 'WrongLength'),
        (error: unknown) => settle(sentMs, error instanceof Error ? error.name : 'Error'),
      );
    };
    for (let d = 0; d < options.depth; d++) issue();
  });
}

/** Opens `clients` sessions of `kind`, runs one window, closes them. */
export async function measureClient(kind: ClientKind, host: string, port: number, options: OverheadOptions): Promise<ClientRun> {
  const sessions = await Promise.all(Array.from({ length: options.clients }, () => openGetDataClient(kind, host, port)));
  try {
    return await runPipelined(sessions, options);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

/** The order of the clients in round `round` (0-based): reversed every other round. */
export function clientOrder(round: number): readonly ClientKind[] {
  return round % 2 === 0 ? CLIENT_KINDS : [...CLIENT_KINDS].reverse();
}

/**
 * Creates the keys on host:port and warms the server up with the raw load generator (so neither
 * client meets a cold JVM or V8), then runs every round against it: both clients (order
 * alternating), then the raw-protocol generator as a reference.
 */
export async function measureServer(label: string, host: string, port: number, options: OverheadOptions): Promise<RoundResult[]> {
  const load: LoadOptions = {
    host,
    port,
    sessions: options.clients,
    depth: options.depth,
    readFraction: 1,
    valueBytes: options.valueBytes,
    keys: options.keys,
    durationMs: Math.max(1, options.serverWarmupMs),
    warmupMs: 0,
  };
  if (options.serverWarmupMs > 0) await runLoad(load);
  else await prepareKeys(load);
  const rounds: RoundResult[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const runs: ClientRun[] = [];
    for (const kind of clientOrder(round)) {
      const run = await measureClient(kind, host, port, options);
      console.error(`[${label}] round ${round + 1} ${kind}: ${run.opsPerSec} ops/s, ${run.cpuUsPerOp.toFixed(2)} µs CPU/op`);
      runs.push(run);
    }
    const raw = await runLoad({ ...load, durationMs: options.durationMs, warmupMs: options.warmupMs });
    console.error(`[${label}] round ${round + 1} raw protocol: ${raw.opsPerSec} ops/s`);
    rounds.push({ server: label, round: round + 1, runs, raw: { opsPerSec: raw.opsPerSec, latency: raw.all } });
  }
  return rounds;
}

/** Starts a standalone server of `kind` in a temp dir, measures it, stops it and removes the dir. */
async function measureStarted(kind: ServerKind, options: OverheadOptions, corralBin: string | undefined): Promise<RoundResult[]> {
  const dir = await mkdtemp(join(tmpdir(), `corral-bench-client-${kind}-`));
  try {
    const server = await startBenchServer({ kind, dir, readyTimeoutMs: 60_000, ...(corralBin === undefined ? {} : { corralBin }) });
    try {
      return await measureServer(kind, server.host, server.port, options);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One row per server and round: both clients side by side and the ratios ZkClient / node-zookeeper-client. */
export function formatRounds(rounds: readonly RoundResult[]): string {
  const ms = (us: number | undefined): string => (us === undefined ? '-' : (us / 1000).toFixed(2));
  const cpu = (r: ClientRun | undefined): string => (r === undefined ? '-' : r.cpuUsPerOp.toFixed(2));
  const header =
    'server    | round | ZkClient ops/s | NZC ops/s | ops ratio | CPU µs/op Zk / NZC | CPU ratio NZC/Zk | p50 ms Zk / NZC | p99 ms Zk / NZC | raw ops/s | load';
  const lines = [header, header.replace(/[^|]/g, '-')];
  for (const r of rounds) {
    const z = r.runs.find((run) => run.client === 'zkclient');
    const n = r.runs.find((run) => run.client === 'node-zookeeper-client');
    lines.push(
      [
        r.server.padEnd(9),
        String(r.round).padStart(5),
        String(z?.opsPerSec ?? '-').padStart(14),
        String(n?.opsPerSec ?? '-').padStart(9),
        (z === undefined ? 'n/a' : ratio(z.opsPerSec, n?.opsPerSec)).padStart(9),
        `${cpu(z)} / ${cpu(n)}`.padStart(18),
        (n === undefined ? 'n/a' : ratio(n.cpuUsPerOp, z?.cpuUsPerOp)).padStart(16),
        `${ms(z?.latency.p50Us)} / ${ms(n?.latency.p50Us)}`.padStart(15),
        `${ms(z?.latency.p99Us)} / ${ms(n?.latency.p99Us)}`.padStart(15),
        String(r.raw?.opsPerSec ?? '-').padStart(9),
        (z?.loadAverage1m ?? n?.loadAverage1m ?? 0).toFixed(1),
      ].join(' | '),
    );
  }
  const errors = rounds.flatMap((r) => r.runs.filter((run) => Object.keys(run.errors).length > 0).map((run) => `${r.server} round ${r.round} ${run.client}: ${JSON.stringify(run.errors)}`));
  lines.push(`errors: ${errors.length === 0 ? 'none' : errors.join('; ')}`);
  return lines.join('\n');
}

/** Rejects option values that would make a run meaningless or unbounded. */
export function validateOverheadOptions(o: OverheadOptions): void {
  const positive: [string, number][] = [
    ['clients', o.clients],
    ['depth', o.depth],
    ['keys', o.keys],
    ['duration-ms', o.durationMs],
    ['rounds', o.rounds],
  ];
  for (const [name, v] of positive) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(o.valueBytes) || o.valueBytes < 0) throw new RangeError(`--value-bytes must be >= 0, got ${o.valueBytes}`);
  if (!Number.isInteger(o.warmupMs) || o.warmupMs < 0) throw new RangeError(`--warmup-ms must be >= 0, got ${o.warmupMs}`);
  if (!Number.isInteger(o.serverWarmupMs) || o.serverWarmupMs < 0 || o.serverWarmupMs > 600_000) {
    throw new RangeError(`--server-warmup-ms must be in [0, 600000], got ${o.serverWarmupMs}`);
  }
  if (o.durationMs + o.warmupMs > 600_000) throw new RangeError('a run is bounded to 10 minutes (warm-up + duration)');
}

/** The CLI: flags as in the header comment. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      start: { type: 'string' },
      clients: { type: 'string', default: '1' },
      depth: { type: 'string', default: '256' },
      'value-bytes': { type: 'string', default: '1024' },
      keys: { type: 'string', default: '1000' },
      'duration-ms': { type: 'string', default: '10000' },
      'warmup-ms': { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '2' },
      'server-warmup-ms': { type: 'string', default: '5000' },
      'corral-bin': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const options: OverheadOptions = {
    clients: Number(values.clients),
    depth: Number(values.depth),
    valueBytes: Number(values['value-bytes']),
    keys: Number(values.keys),
    durationMs: Number(values['duration-ms']),
    warmupMs: Number(values['warmup-ms']),
    rounds: Number(values.rounds),
    serverWarmupMs: Number(values['server-warmup-ms']),
  };
  validateOverheadOptions(options);
  const env = environment();
  const rounds = await measureAll(values.server, values.start, options, values['corral-bin'] === undefined ? undefined : resolve(values['corral-bin']));
  const path = await writeResults('client-overhead', { environment: env, options, rounds });
  if (values.json) console.log(JSON.stringify({ environment: env, options, rounds }, null, 2));
  else console.log(`${formatRounds(rounds)}\nload average now ${loadavg()[0]?.toFixed(1)}; results: ${path}`);
}

/** Runs against --server, or the --start server, or Corral then ZooKeeper (when installed). */
async function measureAll(server: string | undefined, start: string | undefined, options: OverheadOptions, corralBin: string | undefined): Promise<RoundResult[]> {
  if (server !== undefined) {
    const { host, port } = parseServer(server);
    return measureServer(server, host, port, options);
  }
  if (start !== undefined && start !== 'corral' && start !== 'zookeeper') throw new RangeError(`--start must be corral or zookeeper, got "${start}"`);
  let kinds: ServerKind[] = start === undefined ? ['corral', 'zookeeper'] : [start];
  if (kinds.includes('zookeeper') && !zookeeperInstalled()) {
    console.error('Apache ZooKeeper is not installed (java or /usr/share/zookeeper missing): Corral only.');
    kinds = kinds.filter((k) => k !== 'zookeeper');
  }
  const rounds: RoundResult[] = [];
  for (const kind of kinds) rounds.push(...(await measureStarted(kind, options, corralBin)));
  return rounds;
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
