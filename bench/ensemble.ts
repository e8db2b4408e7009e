/**
 * Corral against Apache ZooKeeper 3.8 as 3-member ensembles on loopback, same load, same run:
 * 1. throughput and latency: each ensemble in turn (fresh temp dataDirs, tickTime 2000,
 *    initLimit 10, syncLimit 5), 5 s server warm-up, then 100 % reads, 90 % reads and 100 %
 *    writes of 1 KiB values with the sessions spread round-robin over the members; a table with
 *    the ratio Corral/ZooKeeper;
 * 2. failover: each ensemble in turn, `--kills` times: kill -9 of the leader while a writer on a
 *    follower issues setData; time until the first write sent after the kill succeeds (median,
 *    max), then the killed member restarts and rejoins before the next kill.
 * With `--interleave N`, step 1 instead starts both ensembles side by side (the idle one costs
 * next to nothing), warms both, and runs each scenario as N pairs of windows, Corral and
 * ZooKeeper back to back (the order alternating per pair), so both see the same machine: on a
 * shared machine whose speed drifts minute to minute, the median of the paired ratios is the
 * steadier figure.
 * ZooKeeper is skipped with a note when java or its jars are missing. Every process is killed
 * and every temp dir removed at the end, on error and on SIGINT/SIGTERM.
 *
 * Run: node dist/bench/ensemble.js [--rounds 1] [--duration-ms 10000] [--warmup-ms 3000]
 *        [--server-warmup-ms 5000] [--sessions 9] [--depth 32] [--keys 1000] [--kills 5]
 *        [--only corral|zookeeper] [--skip-throughput] [--skip-failover] [--scenarios reads,mixed,writes]
 *        [--interleave 0] [--corral-bin path] [--json]
 * BENCH_TRACE=1 prints the failover writer's connects and failed requests with their times.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, type Scenario, scenariosNamed, windowShape } from './compare.js';
import { measureFailover, type KillResult } from './ensemble-failover.js';
import { type EnsembleLoadResult, runEnsembleLoad } from './ensemble-load.js';
import { BenchEnsemble } from './ensemble-members.js';
import { isMain } from './is-main.js';
import { environment, ratio, writeResults } from './results.js';
import { type ServerKind, zookeeperInstalled } from './servers.js';

/** The shape of a whole run. */
export interface EnsembleBenchOptions {
  readonly kinds: readonly ServerKind[];
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly serverWarmupMs: number;
  readonly sessions: number;
  readonly depth: number;
  readonly keys: number;
  readonly valueBytes: number;
  readonly kills: number;
  readonly throughput: boolean;
  /** The scenarios to run (`--scenarios`, as compare.js takes it); all of SCENARIOS by default. */
  readonly scenarios: readonly Scenario[];
  readonly failover: boolean;
  /** Pairs of windows per scenario, both ensembles up at once (0: one ensemble after the other). */
  readonly interleave: number;
  readonly corralBin?: string;
}

/** One ensemble's figures for one scenario. */
export interface EnsembleScenarioRun {
  readonly kind: ServerKind;
  readonly scenario: string;
  readonly result: EnsembleLoadResult;
  readonly loadAverage1m: number;
}

/** One ensemble's failover kills. */
export interface FailoverRun {
  readonly kind: ServerKind;
  readonly kills: readonly KillResult[];
  readonly loadAverage1m: number;
}

/** Ensembles running now, for the signal handlers. */
const running = new Set<BenchEnsemble>();

/** Starts an ensemble of `kind`, runs `body` on it, and always stops it. */
async function withEnsemble<T>(kind: ServerKind, options: EnsembleBenchOptions, body: (e: BenchEnsemble) => Promise<T>): Promise<T> {
  const startedMs = performance.now();
  const ensemble = await BenchEnsemble.start({ kind, ...(options.corralBin === undefined ? {} : { corralBin: options.corralBin }) });
  running.add(ensemble);
  console.log(`\n[${kind}] 3-member ensemble serving after ${(performance.now() - startedMs).toFixed(0)} ms`);
  try {
    return await body(ensemble);
  } finally {
    running.delete(ensemble);
    await ensemble.stop();
  }
}

/** The load of every window on `ensemble`, without its read fraction. */
function loadShape(ensemble: BenchEnsemble, options: EnsembleBenchOptions) {
  return { members: ensemble.members.map((m) => ({ host: m.host, port: m.port })), ...windowShape(options) };
}

/** Warms every member up once (JIT, V8's optimizer) with a mix of both paths, as compare.ts. */
async function warmUp(ensemble: BenchEnsemble, options: EnsembleBenchOptions): Promise<void> {
  if (options.serverWarmupMs > 0) await runEnsembleLoad({ ...loadShape(ensemble, options), readFraction: 0.5, durationMs: options.serverWarmupMs, warmupMs: 0 });
}

/** One window of `scenario` on `ensemble`, printed as it ends. */
async function runWindow(kind: ServerKind, ensemble: BenchEnsemble, scenario: Scenario, options: EnsembleBenchOptions, label = ''): Promise<EnsembleScenarioRun> {
  const result = await runEnsembleLoad({ ...loadShape(ensemble, options), readFraction: scenario.readFraction });
  console.log(`[${kind}]${label} ${scenario.name}: ${formatResult(result)}`);
  return { kind, scenario: scenario.name, result, loadAverage1m: loadavg()[0] ?? 0 };
}

/** Throughput and latency of the three scenarios on one fresh ensemble. */
export async function runThroughput(kind: ServerKind, options: EnsembleBenchOptions): Promise<EnsembleScenarioRun[]> {
  return withEnsemble(kind, options, async (ensemble) => {
    await warmUp(ensemble, options);
    const runs: EnsembleScenarioRun[] = [];
    for (const scenario of options.scenarios) runs.push(await runWindow(kind, ensemble, scenario, options));
    return runs;
  });
}

/**
 * `--interleave`: both ensembles up at once; per scenario, `options.interleave` pairs of windows
 * back to back, the order alternating per pair. Returns the pairs, in order.
 */
export async function runInterleaved(options: EnsembleBenchOptions, firstKind: ServerKind): Promise<EnsembleScenarioRun[][]> {
  return withEnsemble('corral', options, (corral) =>
    withEnsemble('zookeeper', options, async (zookeeper) => {
      const ensembles: Record<ServerKind, BenchEnsemble> = { corral, zookeeper };
      const second: ServerKind = firstKind === 'corral' ? 'zookeeper' : 'corral';
      for (const kind of [firstKind, second]) await warmUp(ensembles[kind], options);
      const pairs: EnsembleScenarioRun[][] = [];
      for (const scenario of options.scenarios) {
        for (let pair = 0; pair < options.interleave; pair++) {
          const order = pair % 2 === 0 ? [firstKind, second] : [second, firstKind];
          const runs: EnsembleScenarioRun[] = [];
          for (const kind of order) runs.push(await runWindow(kind, ensembles[kind], scenario, options, ` pair ${pair + 1}`));
          pairs.push(runs);
        }
      }
      return pairs;
    }),
  );
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Per scenario: every pair's ops ratio, their median and range, median ops/s and the median p99 ratio. */
export function formatInterleavedTable(pairs: readonly EnsembleScenarioRun[][]): string {
  const header = 'scenario      | pairs | ops ratio per pair (Corral/ZK)       | median | min-max     | median ops/s C / ZK | median p99 ratio';
  const lines = [header, header.replace(/[^|]/g, '-')];
  const names = [...new Set(pairs.flat().map((r) => r.scenario))];
  for (const name of names) {
    const ofScenario = pairs.filter((p) => p[0]?.scenario === name);
    const c = ofScenario.map((p) => p.find((r) => r.kind === 'corral')?.result);
    const z = ofScenario.map((p) => p.find((r) => r.kind === 'zookeeper')?.result);
    const both = c.flatMap((cr, i) => (cr === undefined || z[i] === undefined ? [] : [[cr, z[i]] as const]));
    if (both.length === 0) continue;
    const ratios = both.map(([cr, zr]) => cr.opsPerSec / zr.opsPerSec);
    const p99Ratios = both.map(([cr, zr]) => cr.all.p99Us / zr.all.p99Us);
    lines.push(
      [
        name.padEnd(13),
        String(both.length).padStart(5),
        ratios.map((r) => r.toFixed(2)).join(' ').padEnd(36),
        median(ratios).toFixed(2).padStart(6),
        `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`.padEnd(11),
        `${median(both.map(([cr]) => cr.opsPerSec)).toFixed(0)} / ${median(both.map(([, zr]) => zr.opsPerSec)).toFixed(0)}`.padStart(19),
        median(p99Ratios).toFixed(2).padStart(16),
      ].join(' | '),
    );
  }
  return lines.join('\n');
}

/** Failover kills on one fresh ensemble. */
export async function runFailover(kind: ServerKind, options: EnsembleBenchOptions): Promise<FailoverRun> {
  return withEnsemble(kind, options, async (ensemble) => {
    const kills = await measureFailover(ensemble, { kills: options.kills, valueBytes: options.valueBytes });
    return { kind, kills, loadAverage1m: loadavg()[0] ?? 0 };
  });
}

/** One line per scenario run. */
function formatResult(r: EnsembleLoadResult): string {
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const errors = Object.keys(r.errors).length === 0 ? 'no errors' : `errors ${JSON.stringify(r.errors)}`;
  return `${r.opsPerSec} ops/s, p50 ${ms(r.all.p50Us)} p99 ${ms(r.all.p99Us)} p99.9 ${ms(r.all.p999Us)} ms, per member ${r.completedByMember.join('/')}, ${errors}`;
}

/** Median and max of the recovery times; a kill without recovery counts as infinitely slow. */
export function recoverySummary(kills: readonly KillResult[]): { medianMs: number; maxMs: number; failed: number } {
  const times = kills.map((k) => k.recoveryMs ?? Number.POSITIVE_INFINITY);
  return {
    medianMs: times.length === 0 ? Number.NaN : median(times),
    maxMs: times.length === 0 ? Number.NaN : Math.max(...times),
    failed: kills.filter((k) => k.recoveryMs === null).length,
  };
}

/** The failover table: per ensemble, every kill, median and max, and the median ratio. */
export function formatFailoverTable(runs: readonly FailoverRun[]): string {
  const lines = ['ensemble  | kills ms (kill -> first write)          | median ms | max ms | sessions kept'];
  lines.push(lines[0]?.replace(/[^|]/g, '-') ?? '');
  for (const run of runs) {
    const s = recoverySummary(run.kills);
    lines.push(
      [
        run.kind.padEnd(9),
        run.kills.map((k) => (k.recoveryMs === null ? 'none' : k.recoveryMs.toFixed(0))).join(' ').padEnd(38),
        s.medianMs.toFixed(0).padStart(9),
        s.maxMs.toFixed(0).padStart(6),
        `${run.kills.filter((k) => k.sessionKept).length}/${run.kills.length}`,
      ].join(' | '),
    );
  }
  const c = runs.find((r) => r.kind === 'corral');
  const z = runs.find((r) => r.kind === 'zookeeper');
  if (c !== undefined && z !== undefined) {
    lines.push(`median recovery ratio Corral/ZooKeeper: ${ratio(recoverySummary(c.kills).medianMs, recoverySummary(z.kills).medianMs)} (< 1: Corral resumes sooner)`);
  }
  return lines.join('\n');
}

/** Parses the flags of the header comment. */
function parseOptions(argv: readonly string[]): EnsembleBenchOptions & { json: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string', default: '1' },
      'duration-ms': { type: 'string', default: '10000' },
      'warmup-ms': { type: 'string', default: '3000' },
      'server-warmup-ms': { type: 'string', default: '5000' },
      sessions: { type: 'string', default: '9' },
      depth: { type: 'string', default: '32' },
      keys: { type: 'string', default: '1000' },
      kills: { type: 'string', default: '5' },
      only: { type: 'string' },
      'skip-throughput': { type: 'boolean', default: false },
      'skip-failover': { type: 'boolean', default: false },
      scenarios: { type: 'string', default: 'reads,mixed,writes' },
      interleave: { type: 'string', default: '0' },
      'corral-bin': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'corral' && values.only !== 'zookeeper') {
    throw new RangeError(`--only must be corral or zookeeper, got "${values.only}"`);
  }
  let kinds: ServerKind[] = values.only === undefined ? ['corral', 'zookeeper'] : [values.only];
  if (kinds.includes('zookeeper') && !zookeeperInstalled()) {
    console.log('Apache ZooKeeper is not installed (java or /usr/share/zookeeper missing): Corral only.');
    kinds = kinds.filter((k) => k !== 'zookeeper');
  }
  const int = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer >= ${min}, got "${text}"`);
    return n;
  };
  return {
    kinds,
    rounds: int('rounds', values.rounds, 1),
    durationMs: int('duration-ms', values['duration-ms'], 1),
    warmupMs: int('warmup-ms', values['warmup-ms'], 0),
    serverWarmupMs: int('server-warmup-ms', values['server-warmup-ms'], 0),
    sessions: int('sessions', values.sessions, 1),
    depth: int('depth', values.depth, 1),
    keys: int('keys', values.keys, 1),
    valueBytes: 1024,
    kills: int('kills', values.kills, 0),
    throughput: !values['skip-throughput'],
    scenarios: scenariosNamed(values.scenarios),
    failover: !values['skip-failover'],
    interleave: int('interleave', values.interleave, 0),
    json: values.json,
    ...(values['corral-bin'] === undefined ? {} : { corralBin: resolve(values['corral-bin']) }),
  };
}

/** On SIGINT/SIGTERM: kill every member now (they run in their own process groups) and exit. */
function installSignalCleanup(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const ensemble of running) ensemble.killNow();
      process.exit(130);
    });
  }
}

/** Runs the rounds; each alternates the order of the ensembles so a change in load hits both alike. */
async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  installSignalCleanup();
  const env = environment();
  if (options.interleave > 0 && options.kinds.length !== 2) throw new RangeError('--interleave needs both Corral and ZooKeeper (no --only, ZooKeeper installed)');
  const rounds: { throughput: EnsembleScenarioRun[]; pairs?: EnsembleScenarioRun[][]; failover: FailoverRun[]; loadAverageEnd1m: number }[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? options.kinds : [...options.kinds].reverse();
    const throughput: EnsembleScenarioRun[] = [];
    let pairs: EnsembleScenarioRun[][] | undefined;
    if (options.throughput && options.interleave > 0) {
      pairs = await runInterleaved(options, order[0] as ServerKind);
      console.log(`\nround ${round + 1} interleaved throughput (load average now ${loadavg()[0]?.toFixed(1)})\n${formatInterleavedTable(pairs)}`);
      throughput.push(...pairs.flat());
    } else if (options.throughput) {
      for (const kind of order) throughput.push(...(await runThroughput(kind, options)));
      console.log(`\nround ${round + 1} throughput (load average now ${loadavg()[0]?.toFixed(1)})\n${formatTable(throughput, 'p99 ratio')}`);
    }
    const failover: FailoverRun[] = [];
    if (options.failover && options.kills > 0) {
      for (const kind of order) failover.push(await runFailover(kind, options));
      console.log(`\nround ${round + 1} failover (load average now ${loadavg()[0]?.toFixed(1)})\n${formatFailoverTable(failover)}`);
    }
    rounds.push({ throughput, ...(pairs === undefined ? {} : { pairs }), failover, loadAverageEnd1m: loadavg()[0] ?? 0 });
  }
  const { json, ...shape } = options;
  const data = { environment: env, options: shape, rounds };
  const path = await writeResults('ensemble', data);
  console.log(`\nresults: ${path}`);
  if (json) console.log(JSON.stringify(data, null, 2));
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
