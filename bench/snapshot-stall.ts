/**
 * How long Corral's event loop stalls, seen from a client, while it snapshots 1,000,000 znodes.
 * Loads the znodes (default snapCount), restarts with snapCount=1000, and runs a probe session
 * that sends a getData every 5 ms (pipelined, so a stall shows up as the queueing it causes):
 *   1. "restart snapshot": from the first answer until the log says "snapshot taken" (a restart
 *      that replayed a log snapshots right after recovery);
 *   2. "idle baseline": 5 s with no snapshot running;
 *   3. "write-triggered" (twice): 1,000 setData (past snapCount) start a snapshot; probes run
 *      from the end of that burst until the next "snapshot taken" line.
 * Beside the client's view, each snapshot phase reports the server's own view: the largest
 * event-loop delay the server measured while writing that snapshot (`maxEventLoopDelayMs` on its
 * "snapshot taken" log line; perf_hooks.monitorEventLoopDelay, 5 ms period, delay beyond it).
 *
 * Run: node dist/bench/snapshot-stall.js [--count 1000000] [--probe-ms 5] [--corral-bin path]
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OpCode } from '../protocol/index.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { isMain } from './is-main.js';
import { memoryPath, populate } from './memory.js';
import { environment, writeResults } from './results.js';
import { startBenchServer, startOnPort, type StartOptions } from './servers.js';
import { WireSession } from './wire-session.js';

/** Latency of the probes during one phase, with the phase's length. */
export interface PhaseResult {
  readonly phase: string;
  readonly durationMs: number;
  readonly probes: LatencySummary;
  /** Probes that had no reply when the phase ended (still stuck at its end). */
  readonly unanswered: number;
  /** The server's own max event-loop delay (ms) during the snapshots that finished in this phase; null if none did. */
  readonly serverMaxLoopDelayMs: number | null;
}

/** What one "snapshot taken" line says. */
export interface SnapshotTaken {
  readonly zxid: string;
  readonly durationMs: number | null;
  readonly maxEventLoopDelayMs: number | null;
}

/** Longest wait for a snapshot to finish before the run gives up. */
const SNAPSHOT_TIMEOUT_MS = 180_000;

/** Sends a getData every `intervalMs` on `session` until stopped; records each reply's latency. */
class Prober {
  readonly #histogram = new LatencyHistogram();
  readonly #timer: NodeJS.Timeout;
  #inFlight = 0;

  constructor(session: WireSession, path: string, intervalMs: number) {
    this.#timer = setInterval(() => {
      const sentMs = performance.now();
      this.#inFlight++;
      session.send({ op: OpCode.getData, path, watch: false }, (err) => {
        this.#inFlight--;
        if (err === 0) this.#histogram.record((performance.now() - sentMs) * 1000);
      });
    }, intervalMs);
  }

  /** Stops sending and summarises this phase's replies. */
  stop(phase: string, durationMs: number, serverMaxLoopDelayMs: number | null = null): PhaseResult {
    clearInterval(this.#timer);
    return { phase, durationMs: Math.round(durationMs), probes: this.#histogram.summary(), unanswered: this.#inFlight, serverMaxLoopDelayMs };
  }
}

/** The "snapshot taken" log lines the server has written so far, oldest first. */
async function snapshotLines(outFile: string): Promise<SnapshotTaken[]> {
  const text = await readFile(outFile, 'utf8');
  const taken: SnapshotTaken[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"msg":"snapshot taken"')) continue;
    const fields = JSON.parse(line) as { zxid?: unknown; durationMs?: unknown; maxEventLoopDelayMs?: unknown };
    taken.push({
      zxid: String(fields.zxid),
      durationMs: typeof fields.durationMs === 'number' ? fields.durationMs : null,
      maxEventLoopDelayMs: typeof fields.maxEventLoopDelayMs === 'number' ? fields.maxEventLoopDelayMs : null,
    });
  }
  return taken;
}

/** Number of "snapshot taken" log lines the server has written so far. */
async function snapshotsTaken(outFile: string): Promise<number> {
  return (await snapshotLines(outFile)).length;
}

/** The largest server-measured loop delay of the snapshots after the first `count`; null when none reported one. */
async function serverLoopDelaySince(outFile: string, count: number): Promise<number | null> {
  const delays = (await snapshotLines(outFile)).slice(count).map((taken) => taken.maxEventLoopDelayMs);
  const known = delays.filter((delay): delay is number => delay !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** Polls the log every 50 ms until it holds more than `count` "snapshot taken" lines. */
async function untilSnapshotCount(outFile: string, count: number): Promise<void> {
  const deadline = performance.now() + SNAPSHOT_TIMEOUT_MS;
  while ((await snapshotsTaken(outFile)) <= count) {
    if (performance.now() > deadline) throw new Error(`no snapshot finished within ${SNAPSHOT_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Probes one phase that ends when `until` resolves; with `snapshots`, also reports the server's
 * max loop delay over the snapshots logged to `snapshots.outFile` after the first
 * `snapshots.before`.
 */
async function probePhase(
  session: WireSession,
  phase: string,
  probeMs: number,
  until: () => Promise<void>,
  snapshots?: { readonly outFile: string; readonly before: number },
): Promise<PhaseResult> {
  const prober = new Prober(session, memoryPath(0, 10), probeMs);
  const startMs = performance.now();
  try {
    await until();
  } catch (error) {
    // A failed wait still stops the interval, so the process can exit.
    prober.stop(phase, 0);
    throw error;
  }
  const elapsedMs = performance.now() - startMs;
  const serverDelay = snapshots === undefined ? null : await serverLoopDelaySince(snapshots.outFile, snapshots.before);
  const result = prober.stop(phase, elapsedMs, serverDelay);
  console.log(`${phase}: ${JSON.stringify(result)}`);
  return result;
}

/** Sends `count` setData to /m/p0/n0 with 50 in flight and resolves when all are answered. */
async function writeBurst(session: WireSession, count: number): Promise<void> {
  const data = new Uint8Array(100).fill(0x77);
  let sent = 0;
  await new Promise<void>((resolveBurst) => {
    let answered = 0;
    const issue = (): void => {
      if (sent >= count) return;
      sent++;
      session.send({ op: OpCode.setData, path: memoryPath(0, 10), data, version: -1 }, () => {
        answered++;
        if (answered === count) resolveBurst();
        else issue();
      });
    };
    for (let i = 0; i < 50; i++) issue();
  });
}

/** The whole run; returns every phase. */
export async function measureSnapshotStall(count: number, probeMs: number, corralBin?: string): Promise<{ readonly loadMs: number; readonly recoveryMs: number; readonly phases: PhaseResult[]; readonly snapshots: SnapshotTaken[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'corral-bench-stall-'));
  const outFile = join(dir, 'corral.out');
  const base: StartOptions = { kind: 'corral', dir, ...(corralBin === undefined ? {} : { corralBin }) };
  let server = await startBenchServer(base);
  try {
    const load = await populate(server, { count, valueBytes: 100, parents: 10, sessions: 4, depth: 200 });
    await server.stop();
    const before = await snapshotsTaken(outFile);
    server = await startOnPort({ ...base, cfg: { snapCount: 1000 } }, server.port);
    const probe = await WireSession.open({ host: server.host, port: server.port });
    const writer = await WireSession.open({ host: server.host, port: server.port });
    const phases: PhaseResult[] = [];
    phases.push(await probePhase(probe, 'restart snapshot', probeMs, () => untilSnapshotCount(outFile, before), { outFile, before }));
    phases.push(await probePhase(probe, 'idle baseline', probeMs, () => new Promise((r) => setTimeout(r, 5_000))));
    for (const round of [1, 2]) {
      await writeBurst(writer, 1000);
      const taken = await snapshotsTaken(outFile);
      phases.push(await probePhase(probe, `write-triggered snapshot ${round}`, probeMs, () => untilSnapshotCount(outFile, taken), { outFile, before: taken }));
    }
    await Promise.all([probe.close(), writer.close()]);
    const snapshots = (await snapshotLines(outFile)).slice(before);
    return { loadMs: Math.round(load.elapsedMs), recoveryMs: Math.round(server.readyMs), phases, snapshots };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CLI: flags as in the header comment. */
async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      count: { type: 'string', default: '1000000' },
      'probe-ms': { type: 'string', default: '5' },
      'corral-bin': { type: 'string' },
    },
  });
  const env = environment();
  const corralBin = values['corral-bin'] === undefined ? undefined : resolve(values['corral-bin']);
  const result = await measureSnapshotStall(Number(values.count), Number(values['probe-ms']), corralBin);
  const ms = (us: number): string => (us / 1000).toFixed(1);
  console.log('\nphase                        | length s | probes | p50 ms | p99 ms | max ms | unanswered | server loop delay max ms');
  for (const p of result.phases) {
    console.log(
      `${p.phase.padEnd(28)} | ${(p.durationMs / 1000).toFixed(1).padStart(8)} | ${String(p.probes.count).padStart(6)} | ${ms(p.probes.p50Us).padStart(6)} | ${ms(p.probes.p99Us).padStart(6)} | ${ms(p.probes.maxUs).padStart(6)} | ${String(p.unanswered).padStart(10)} | ${p.serverMaxLoopDelayMs === null ? '-' : p.serverMaxLoopDelayMs.toFixed(1)}`,
    );
  }
  console.log('\nsnapshot (after restart) | zxid | duration ms | server loop delay max ms');
  result.snapshots.forEach((taken, index) => {
    console.log(`${String(index + 1).padStart(24)} | ${taken.zxid} | ${taken.durationMs ?? '-'} | ${taken.maxEventLoopDelayMs ?? '-'}`);
  });
  console.log(`\nresults: ${await writeResults('snapshot-stall', { environment: env, count: values.count, ...result })}`);
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
