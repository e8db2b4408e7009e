/**
 * Runs the same load on a standalone Corral and then on a standalone Apache ZooKeeper 3.8 (one
 * at a time, each in a fresh temp dataDir on the same disk, forceSync on), for 100 % reads,
 * 90 % reads and 100 % writes of 1 KiB values, prints a table with the ratio Corral/ZooKeeper and
 * writes the JSON to bench/results/. ZooKeeper runs with the JVM defaults its Debian scripts
 * use (no heap flags); it is skipped with a note when java or its jars are missing.
 *
 * Run: npm run bench -- [--duration-ms 10000] [--warmup-ms 3000] [--server-warmup-ms 5000]
 *        [--sessions 8] [--depth 32]
 *        [--keys 1000] [--rounds 1] [--only corral|zookeeper] [--corral-bin path/to/run.js]
 *        [--cpu-prof-dir dir] [--scenarios reads,mixed,writes] [--help]
 * With --rounds N the servers alternate (C, ZK, ZK, C, ...) and each round prints its own table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMain } from './is-main.js';
import { formatLoadResult, type LoadOptions, type LoadResult, runLoad } from './load.js';
import { environment, ratio, writeResults } from './results.js';
import { type BenchServer, type ServerKind, startBenchServer, zookeeperInstalled } from './servers.js';

/** One workload of the comparison. */
export interface Scenario {
  readonly name: string;
  readonly readFraction: number;
}

/** The three workloads the brief asks for, all with 1 KiB values. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'reads 100%', readFraction: 1 },
  { name: 'reads 90%', readFraction: 0.9 },
  { name: 'writes 100%', readFraction: 0 },
];

/** The shape of every run of the comparison. */
export interface CompareOptions {
  readonly durationMs: number;
  /** Unmeasured load before each scenario's window. */
  readonly warmupMs: number;
  /** Unmeasured 50 % read load once per server start, before the first scenario. */
  readonly serverWarmupMs: number;
  readonly sessions: number;
  readonly depth: number;
  readonly keys: number;
  readonly valueBytes: number;
  readonly kinds: readonly ServerKind[];
  readonly corralBin?: string;
  /** When set, Corral runs under `node --cpu-prof` and writes its profile here. */
  readonly cpuProfDir?: string;
  /** The scenarios to run, in order; all of SCENARIOS when absent. */
  readonly scenarios?: readonly Scenario[];
}

/** One server's figures for one scenario. */
export interface ScenarioRun {
  readonly kind: ServerKind;
  readonly scenario: string;
  readonly result: LoadResult;
  readonly rssBytesAfter: number;
  /** The machine's 1-minute load average after the run: a noise gauge on a shared machine. */
  readonly loadAverage1m: number;
}

/** Starts `kind`, runs every scenario on it in order, stops it and removes its dir. */
export async function runOnServer(kind: ServerKind, options: CompareOptions): Promise<ScenarioRun[]> {
  const dir = await mkdtemp(join(tmpdir(), `corral-bench-${kind}-`));
  const runtimeFlags = kind === 'corral' && options.cpuProfDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfDir)}`] : [];
  const server = await startBenchServer({
    kind,
    dir,
    runtimeFlags,
    readyTimeoutMs: 60_000,
    ...(options.corralBin === undefined ? {} : { corralBin: options.corralBin }),
  });
  const runs: ScenarioRun[] = [];
  try {
    // Warm the server up once (the JVM's JIT, V8's optimizer) with a mix of both paths.
    if (options.serverWarmupMs > 0) {
      await runLoad({ ...loadShape(server, options), readFraction: 0.5, durationMs: options.serverWarmupMs, warmupMs: 0 });
    }
    for (const scenario of options.scenarios ?? SCENARIOS) {
      const result = await runLoad({ ...loadShape(server, options), readFraction: scenario.readFraction });
      const rssBytesAfter = await server.rssBytes();
      console.log(`\n[${kind}] ${scenario.name}\n${formatLoadResult(result)}`);
      runs.push({ kind, scenario: scenario.name, result, rssBytesAfter, loadAverage1m: loadavg()[0] ?? 0 });
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return runs;
}

/** The load fields of a window that come from a run's options (not its server or read fraction). */
export type WindowShape = Pick<LoadOptions, 'sessions' | 'depth' | 'valueBytes' | 'keys' | 'durationMs' | 'warmupMs'>;

/** Those fields, picked from a standalone or an ensemble run's options. */
export function windowShape(options: WindowShape): WindowShape {
  const { sessions, depth, valueBytes, keys, durationMs, warmupMs } = options;
  return { sessions, depth, valueBytes, keys, durationMs, warmupMs };
}

/** The load options shared by every scenario on `server`. */
function loadShape(server: BenchServer, options: CompareOptions): Omit<LoadOptions, 'readFraction'> {
  return { host: server.host, port: server.port, ...windowShape(options) };
}

/** What formatTable reads of one run (a standalone or an ensemble scenario run). */
export interface TableRun {
  readonly kind: ServerKind;
  readonly scenario: string;
  readonly result: { readonly opsPerSec: number; readonly all: { readonly p50Us: number; readonly p99Us: number; readonly p999Us: number } };
}

/**
 * The side-by-side table of the scenarios that ran: throughput and latency of each server and
 * Corral/ZooKeeper; the last column is p99.9 of both, or the p99 ratio (the ensemble's table).
 */
export function formatTable(runs: readonly TableRun[], lastColumn: 'p99.9' | 'p99 ratio' = 'p99.9'): string {
  const ms = (us: number | undefined): string => (us === undefined ? '-' : (us / 1000).toFixed(2));
  const isRatio = lastColumn === 'p99 ratio';
  const header = `scenario      | Corral ops/s | ZK ops/s | ops ratio | p50 ms C / ZK | p99 ms C / ZK | ${isRatio ? 'p99 ratio' : 'p99.9 ms C / ZK'}`;
  const lines = [header, header.replace(/[^|]/g, '-')];
  for (const scenario of SCENARIOS.filter((s) => runs.some((r) => r.scenario === s.name))) {
    const c = runs.find((r) => r.kind === 'corral' && r.scenario === scenario.name)?.result;
    const z = runs.find((r) => r.kind === 'zookeeper' && r.scenario === scenario.name)?.result;
    const last = isRatio ? (c === undefined ? 'n/a' : ratio(c.all.p99Us, z?.all.p99Us)).padStart(9) : `${ms(c?.all.p999Us)} / ${ms(z?.all.p999Us)}`.padStart(15);
    lines.push(
      [
        scenario.name.padEnd(13),
        String(c?.opsPerSec ?? '-').padStart(12),
        String(z?.opsPerSec ?? '-').padStart(8),
        (c === undefined ? 'n/a' : ratio(c.opsPerSec, z?.opsPerSec)).padStart(9),
        `${ms(c?.all.p50Us)} / ${ms(z?.all.p50Us)}`.padStart(13),
        `${ms(c?.all.p99Us)} / ${ms(z?.all.p99Us)}`.padStart(13),
        last,
      ].join(' | '),
    );
  }
  return lines.join('\n');
}

/** What --help prints. */
const USAGE = `node dist/bench/compare.js [--duration-ms 10000] [--warmup-ms 3000] [--server-warmup-ms 5000]
  [--sessions 8] [--depth 32] [--keys 1000] [--rounds 1] [--only corral|zookeeper]
  [--scenarios reads,mixed,writes] [--corral-bin path/to/run.js] [--cpu-prof-dir dir]
Runs 100 % reads (reads), 90 % reads (mixed) and 100 % writes (writes) of 1 KiB values on a
standalone Corral and a standalone ZooKeeper 3.8, one at a time; prints a table per round.`;

/** The short names --scenarios takes, in SCENARIOS order. */
const SCENARIO_KEYS: Readonly<Record<string, string>> = { reads: 'reads 100%', mixed: 'reads 90%', writes: 'writes 100%' };

/** Parses --scenarios (comma-separated short names) into scenarios, in SCENARIOS order. */
export function scenariosNamed(list: string): Scenario[] {
  const names = list.split(',').map((key) => {
    const name = SCENARIO_KEYS[key.trim()];
    if (name === undefined) throw new Error(`--scenarios: unknown scenario "${key}" (reads, mixed, writes)`);
    return name;
  });
  return SCENARIOS.filter((s) => names.includes(s.name));
}

/** The CLI: flags as in the header comment. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'duration-ms': { type: 'string', default: '10000' },
      'warmup-ms': { type: 'string', default: '3000' },
      'server-warmup-ms': { type: 'string', default: '5000' },
      sessions: { type: 'string', default: '8' },
      depth: { type: 'string', default: '32' },
      keys: { type: 'string', default: '1000' },
      only: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      'corral-bin': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      scenarios: { type: 'string', default: 'reads,mixed,writes' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let kinds: ServerKind[] = values.only === 'corral' || values.only === 'zookeeper' ? [values.only] : ['corral', 'zookeeper'];
  if (kinds.includes('zookeeper') && !zookeeperInstalled()) {
    console.log('Apache ZooKeeper is not installed (java or /usr/share/zookeeper missing): Corral only.');
    kinds = kinds.filter((k) => k !== 'zookeeper');
  }
  const options: CompareOptions = {
    durationMs: Number(values['duration-ms']),
    warmupMs: Number(values['warmup-ms']),
    serverWarmupMs: Number(values['server-warmup-ms']),
    sessions: Number(values.sessions),
    depth: Number(values.depth),
    keys: Number(values.keys),
    valueBytes: 1024,
    kinds,
    ...(values['corral-bin'] === undefined ? {} : { corralBin: resolve(values['corral-bin']) }),
    ...(values['cpu-prof-dir'] === undefined ? {} : { cpuProfDir: values['cpu-prof-dir'] }),
    scenarios: scenariosNamed(values.scenarios),
  };
  const env = environment();
  const rounds: ScenarioRun[][] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    // Alternate the order each round, so a change in the machine's load hits both servers alike.
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    const runs: ScenarioRun[] = [];
    for (const kind of order) runs.push(...(await runOnServer(kind, options)));
    rounds.push(runs);
    console.log(`\nround ${round + 1} (load average now ${loadavg()[0]?.toFixed(1)})\n${formatTable(runs)}`);
  }
  const path = await writeResults('compare', { environment: env, options, rounds });
  console.log(`\nresults: ${path}`);
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
