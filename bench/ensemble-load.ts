/**
 * load.ts's generator with its sessions spread over the members of an ensemble: session i
 * connects to member i mod n, and otherwise everything is as in load.ts (same seeded op and key
 * choices, `depth` requests in flight per session, only replies inside the window count), so one
 * histogram covers every member and the percentiles are exact, not merged from summaries.
 * load.ts takes a single server and keeps its driver private, hence the driver below mirrors it.
 */
import { OpCode } from '../protocol/index.js';
import { Rng } from '../util/index.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { drive, type LoadOptions, type LoadResult, prepareKeys, type RunState as LoadRunState, summariseRun } from './load.js';
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

/** The figures of one run, as load.ts reports them (without its key set-up time); latencies in microseconds. */
export interface EnsembleLoadResult extends Omit<LoadResult, 'options' | 'setupMs'> {
  readonly options: EnsembleLoadOptions;
  /** Completed requests in the window per member (by index): how evenly the load was spread. */
  readonly completedByMember: readonly number[];
}

/** After the window closes, the longest wait for in-flight requests (as load.ts). */

/** Window bounds and shared tallies of one run. */
interface RunState extends LoadRunState {
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
    await Promise.all(
      sessions.map((session, i) => {
        const member = memberOf(i);
        return drive(session, options, state, rng.fork(), () => {
          state.completedByMember[member] = (state.completedByMember[member] ?? 0) + 1;
        });
      }),
    );
    return summarise(options, state);
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}

/** The result of a finished run. */
function summarise(options: EnsembleLoadOptions, state: RunState): EnsembleLoadResult {
  return { options, ...summariseRun(options.durationMs, state), completedByMember: state.completedByMember };
}

