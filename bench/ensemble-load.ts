/**
 * load.ts's generator with its sessions spread over the members of an ensemble: session i
 * connects to member i mod n, and otherwise everything is as in load.ts (same seeded op and key
 * choices, `depth` requests in flight per session, only replies inside the window count), so one
 * histogram covers every member and the percentiles are exact, not merged from summaries.
 * load.ts takes a single server and keeps its driver private, hence the driver below mirrors it.
 */
import { errorCodeName, OpCode } from '../protocol/index.js';
import { Rng } from '../util/index.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { type LoadOptions, prepareKeys } from './load.js';
import { WireSession } from './wire-session.js';

/** A member's client address. */
export interface MemberAddress {
  readonly host: string;
  readonly port: number;
}

/** load.ts's options with a list of members instead of one server. */
export interface EnsembleLoadOptions extends Omit<LoadOptions, 'host' | 'port'> {
  readonly members: readonly MemberAddress[];
}

/** The figures of one run, as load.ts reports them; latencies in microseconds. */
export interface EnsembleLoadResult {
  readonly options: EnsembleLoadOptions;
  readonly opsPerSec: number;
  readonly completed: number;
  readonly measuredMs: number;
  readonly all: LatencySummary;
  readonly reads: LatencySummary;
  readonly writes: LatencySummary;
  /** Failed requests in the measured window, by error name. */
  readonly errors: Readonly<Record<string, number>>;
  /** Completed requests in the window per member (by index): how evenly the load was spread. */
  readonly completedByMember: readonly number[];
}

/** After the window closes, the longest wait for in-flight requests (as load.ts). */
const DRAIN_TIMEOUT_MS = 30_000;

/** Window bounds and shared tallies of one run. */
interface RunState {
  readonly startMs: number;
  readonly endMs: number;
  readonly reads: LatencyHistogram;
  readonly writes: LatencyHistogram;
  readonly errors: Record<string, number>;
  readonly completedByMember: number[];
}

/**
 * Creates the keys through the first member, opens the sessions round-robin over the members,
 * `sync`s each (so a follower has applied the keys before its first read), runs warm-up and
 * window, closes the sessions and reports.
 */
export async function runEnsembleLoad(options: EnsembleLoadOptions): Promise<EnsembleLoadResult> {
  const first = options.members[0];
  if (first === undefined) throw new RangeError('runEnsembleLoad: no members');
  if (!Number.isInteger(options.sessions) || options.sessions <= 0) throw new RangeError('--sessions must be a positive integer');
  await prepareKeys({ ...options, host: first.host, port: first.port });
  const memberOf = (i: number): number => i % options.members.length;
  const sessions = await Promise.all(
    Array.from({ length: options.sessions }, (_, i) => WireSession.open(options.members[memberOf(i)] as MemberAddress)),
  );
  try {
    const prefix = options.keyPrefix ?? '/bench';
    await Promise.all(sessions.map((session) => session.request({ op: OpCode.sync, path: prefix }, 30_000)));
    const now = performance.now();
    const state: RunState = {
      startMs: now + options.warmupMs,
      endMs: now + options.warmupMs + options.durationMs,
      reads: new LatencyHistogram(),
      writes: new LatencyHistogram(),
      errors: {},
      completedByMember: options.members.map(() => 0),
    };
    const rng = new Rng(options.seed ?? 1);
    await Promise.all(sessions.map((session, i) => drive(session, memberOf(i), options, state, rng.fork())));
    return summarise(options, state);
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}

/** The result of a finished run. */
function summarise(options: EnsembleLoadOptions, state: RunState): EnsembleLoadResult {
  const all = new LatencyHistogram();
  all.merge(state.reads);
  all.merge(state.writes);
  return {
    options,
    opsPerSec: Math.round((all.count * 1000) / options.durationMs),
    completed: all.count,
    measuredMs: options.durationMs,
    all: all.summary(),
    reads: state.reads.summary(),
    writes: state.writes.summary(),
    errors: state.errors,
    completedByMember: state.completedByMember,
  };
}

/**
 * Keeps `depth` requests in flight on one session until the window ends, then waits for the
 * stragglers (bounded). Only replies that arrive inside the window are counted. (load.ts's drive.)
 */
function drive(session: WireSession, member: number, options: EnsembleLoadOptions, state: RunState, rng: Rng): Promise<void> {
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
            state.completedByMember[member] = (state.completedByMember[member] ?? 0) + 1;
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
