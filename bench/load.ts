/**
 * The load generator: N bare sessions, each keeping up to D requests in flight, a mix of getData
 * and setData on K pre-created znodes of V bytes, a warm-up, then a measured window. Reports
 * ops/s, latency percentiles and errors. It speaks the wire protocol with protocol/'s codec and
 * no client library, so that client overhead stays out of the figures.
 *
 * Run: node dist/bench/load.js --server 127.0.0.1:2181 --sessions 8 --depth 32 \
 *        --read-fraction 0.9 --value-bytes 1024 --keys 1000 --duration-ms 10000 --warmup-ms 3000 [--json]
 */
import { parseArgs } from 'node:util';
import { errorCodeName, OpCode } from '../protocol/index.js';
import { Rng } from '../util/index.js';
import { bulkCreate } from './bulk-create.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { isMain } from './is-main.js';
import { WireSession } from './wire-session.js';

/** Everything a load run needs. */
export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly sessions: number;
  /** Requests in flight per session. */
  readonly depth: number;
  /** Fraction of requests that are getData; the rest are setData. */
  readonly readFraction: number;
  readonly valueBytes: number;
  readonly keys: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Parent of the keys (default /bench); keys are <prefix>/k<i>. */
  readonly keyPrefix?: string;
  /** Seed of the op and key choices (default 1). */
  readonly seed?: number;
}

/** The figures of one run; latencies in microseconds. */
export interface LoadResult {
  readonly options: LoadOptions;
  readonly opsPerSec: number;
  readonly completed: number;
  readonly measuredMs: number;
  readonly all: LatencySummary;
  readonly reads: LatencySummary;
  readonly writes: LatencySummary;
  /** Failed requests in the measured window, by error name. */
  readonly errors: Readonly<Record<string, number>>;
  /** Time spent creating the keys (0 when they existed). */
  readonly setupMs: number;
}

/** After the window closes, the longest wait for in-flight requests before giving up on them. */
const DRAIN_TIMEOUT_MS = 30_000;

/** Creates the parent and the K keys (existing ones are kept) and returns how long it took. */
export async function prepareKeys(options: LoadOptions): Promise<number> {
  const prefix = options.keyPrefix ?? '/bench';
  const session = await WireSession.open({ host: options.host, port: options.port });
  try {
    const data = new Uint8Array(options.valueBytes).fill(0x61);
    const parent = await bulkCreate({ sessions: [session], count: 1, pathOf: () => prefix, data: new Uint8Array(0), depth: 1, existsIsOk: true });
    const keys = await bulkCreate({ sessions: [session], count: options.keys, pathOf: (i) => `${prefix}/k${i}`, data, depth: 64, existsIsOk: true });
    const failed = { ...parent.errors, ...keys.errors };
    if (Object.keys(failed).length > 0) throw new Error(`prepareKeys: creates failed: ${JSON.stringify(failed)}`);
    return parent.elapsedMs + keys.elapsedMs;
  } finally {
    await session.close();
  }
}

/** Window bounds and shared tallies of one run. */
/** The shared window and counters of one run's sessions. */
export interface RunState {
  readonly startMs: number;
  readonly endMs: number;
  readonly reads: LatencyHistogram;
  readonly writes: LatencyHistogram;
  readonly errors: Record<string, number>;
}

/** Prepares the keys, opens the sessions, runs warm-up and window, closes, and reports. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validate(options);
  const setupMs = await prepareKeys(options);
  const sessions = await Promise.all(
    Array.from({ length: options.sessions }, () => WireSession.open({ host: options.host, port: options.port })),
  );
  const now = performance.now();
  const state: RunState = {
    startMs: now + options.warmupMs,
    endMs: now + options.warmupMs + options.durationMs,
    reads: new LatencyHistogram(),
    writes: new LatencyHistogram(),
    errors: {},
  };
  const rng = new Rng(options.seed ?? 1);
  try {
    await Promise.all(sessions.map((session) => drive(session, options, state, rng.fork())));
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
  return { options, ...summariseRun(options.durationMs, state), setupMs: Math.round(setupMs) };
}

/** The figures every run reports from its shared state: throughput, latencies, errors. */
export function summariseRun(durationMs: number, state: RunState) {
  const all = new LatencyHistogram();
  all.merge(state.reads);
  all.merge(state.writes);
  return {
    opsPerSec: Math.round((all.count * 1000) / durationMs),
    completed: all.count,
    measuredMs: durationMs,
    all: all.summary(),
    reads: state.reads.summary(),
    writes: state.writes.summary(),
    errors: state.errors,
  };
}

/**
 * Keeps `depth` requests in flight on one session until the window ends, then waits for the
 * stragglers (bounded). Only replies that arrive inside the window are counted; `onCompleted`
 * is called for each of those that succeeded.
 */
export function drive(
  session: WireSession,
  options: Omit<LoadOptions, 'host' | 'port'>,
  state: RunState,
  rng: Rng,
  onCompleted: () => void = () => undefined,
): Promise<void> {
  const prefix = options.keyPrefix ?? '/bench';
  const paths = Array.from({ length: options.keys }, (_, i) => `${prefix}/k${i}`);
  const value = new Uint8Array(options.valueBytes).fill(0x62);
  return new Promise<void>((resolve) => {
    const drainTimer = setTimeout(() => session.destroy(), options.warmupMs + options.durationMs + DRAIN_TIMEOUT_MS);
    const finishIfDrained = (): void => {
      if (session.outstanding > 0) return;
      clearTimeout(drainTimer);
      resolve();
    };
    const issue = (): void => {
      const path = paths[rng.int(0, paths.length - 1)] as string;
      const isRead = rng.chance(options.readFraction);
      const sentMs = performance.now();
      const onReply = (err: number): void => {
        const doneMs = performance.now();
        if (doneMs >= state.startMs && doneMs < state.endMs) {
          if (err !== 0) {
            const name = errorCodeName(err);
            state.errors[name] = (state.errors[name] ?? 0) + 1;
          } else {
            (isRead ? state.reads : state.writes).record((doneMs - sentMs) * 1000);
            onCompleted();
          }
        }
        if (doneMs < state.endMs && !session.isClosed) issue();
        else finishIfDrained();
      };
      if (isRead) session.send({ op: OpCode.getData, path, watch: false }, onReply);
      else session.send({ op: OpCode.setData, path, data: value, version: -1 }, onReply);
    };
    for (let d = 0; d < options.depth; d++) issue();
  });
}

/** Rejects option values that would make a run meaningless or unbounded. */
function validate(o: LoadOptions): void {
  const positive: [string, number][] = [
    ['sessions', o.sessions],
    ['depth', o.depth],
    ['keys', o.keys],
    ['duration-ms', o.durationMs],
  ];
  for (const [name, v] of positive) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
  }
  if (!(o.readFraction >= 0 && o.readFraction <= 1)) throw new RangeError(`--read-fraction must be in [0, 1], got ${o.readFraction}`);
  if (!Number.isInteger(o.valueBytes) || o.valueBytes < 0) throw new RangeError(`--value-bytes must be >= 0, got ${o.valueBytes}`);
  if (!Number.isInteger(o.warmupMs) || o.warmupMs < 0) throw new RangeError(`--warmup-ms must be >= 0, got ${o.warmupMs}`);
  if (o.durationMs + o.warmupMs > 600_000) throw new RangeError('a run is bounded to 10 minutes (warm-up + duration)');
}

/** One line per figure, for people. */
export function formatLoadResult(r: LoadResult): string {
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const o = r.options;
  const lines = [
    `server ${o.host}:${o.port}  sessions ${o.sessions}  depth ${o.depth}  read-fraction ${o.readFraction}  value ${o.valueBytes} B  keys ${o.keys}`,
    `measured ${r.measuredMs} ms after ${o.warmupMs} ms warm-up: ${r.opsPerSec} ops/s (${r.completed} ok)`,
    `latency ms: p50 ${ms(r.all.p50Us)}  p90 ${ms(r.all.p90Us)}  p99 ${ms(r.all.p99Us)}  p99.9 ${ms(r.all.p999Us)}  max ${ms(r.all.maxUs)}`,
  ];
  if (r.reads.count > 0 && r.writes.count > 0) {
    lines.push(`  reads  p50 ${ms(r.reads.p50Us)}  p99 ${ms(r.reads.p99Us)}   writes p50 ${ms(r.writes.p50Us)}  p99 ${ms(r.writes.p99Us)}`);
  }
  lines.push(`errors: ${Object.keys(r.errors).length === 0 ? 'none' : JSON.stringify(r.errors)}`);
  return lines.join('\n');
}

/** Parses `host:port`. */
export function parseServer(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`--server must be host:port, got "${text}"`);
  return { host: text.slice(0, at), port };
}

/** The CLI: flags as in the header comment. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string', default: '127.0.0.1:2181' },
      sessions: { type: 'string', default: '8' },
      depth: { type: 'string', default: '32' },
      'read-fraction': { type: 'string', default: '0.9' },
      'value-bytes': { type: 'string', default: '1024' },
      keys: { type: 'string', default: '1000' },
      'duration-ms': { type: 'string', default: '10000' },
      'warmup-ms': { type: 'string', default: '3000' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const result = await runLoad({
    ...parseServer(values.server),
    sessions: Number(values.sessions),
    depth: Number(values.depth),
    readFraction: Number(values['read-fraction']),
    valueBytes: Number(values['value-bytes']),
    keys: Number(values.keys),
    durationMs: Number(values['duration-ms']),
    warmupMs: Number(values['warmup-ms']),
    seed: Number(values.seed),
  });
  console.log(values.json ? JSON.stringify(result, null, 2) : formatLoadResult(result));
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
