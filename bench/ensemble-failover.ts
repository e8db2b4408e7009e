/**
 * Write availability after kill -9 of an ensemble's leader: a writer session on a follower keeps
 * issuing setData (1 KiB, one at a time); the leader's process group gets SIGKILL; the figure is
 * the time from just before the signal until the first successful setData that was sent after
 * it. Then the killed member is restarted on its own dataDir and the next kill waits until it
 * serves again as a follower.
 */
import { bulkCreate } from './bulk-create.js';
import { type BenchEnsemble, sleep } from './ensemble-members.js';
import { type MemberAddress } from './ensemble-load.js';
import { FailoverWriter } from './ensemble-writer.js';
import { CONNECTION_LOSS, WireSession } from './wire-session.js';

/** One kill and what followed it. */
export interface KillResult {
  /** Member ids (`server.N`). */
  readonly leaderId: number;
  readonly writerMemberId: number;
  /** Kill -> first successful write sent after it; null when none came within the bound. */
  readonly recoveryMs: number | null;
  /** True when the writer's session survived; false when it had to open a fresh one. */
  readonly sessionKept: boolean;
  readonly reconnects: number;
  /** setData requests given up after 5 s without an answer. */
  readonly timeouts: number;
  /** The member the first write after the kill succeeded on (-1 if none). */
  readonly resumedOnMemberId: number;
  /** The leader once the ensemble is whole again. */
  readonly newLeaderId: number;
  /** Restart of the killed member -> it follows and the ensemble is whole. */
  readonly rejoinMs: number;
}

/** The shape of a failover measurement. */
export interface FailoverOptions {
  readonly kills: number;
  readonly valueBytes: number;
  /** Unmeasured writes before each kill (default 1 s). */
  readonly writeBeforeKillMs?: number;
  /** Longest wait for a write after a kill before it counts as failed (default 60 s). */
  readonly recoveryTimeoutMs?: number;
}

/** The znode the writer updates. */
const FAILOVER_PATH = '/bench-failover';

/** Runs `options.kills` kill/measure/restart cycles on `ensemble`, one after the other. */
export async function measureFailover(ensemble: BenchEnsemble, options: FailoverOptions): Promise<KillResult[]> {
  const addresses: MemberAddress[] = ensemble.members.map((m) => ({ host: m.host, port: m.port }));
  await createFailoverNode(addresses[0] as MemberAddress, options.valueBytes);
  const results: KillResult[] = [];
  for (let kill = 0; kill < options.kills; kill++) {
    const result = await killOnce(ensemble, addresses, options);
    results.push(result);
    const shown = result.recoveryMs === null ? 'none' : `${result.recoveryMs.toFixed(0)} ms`;
    console.log(
      `[${ensemble.kind}] kill ${kill + 1}: leader ${result.leaderId} -> write resumed after ${shown} on member ${result.resumedOnMemberId} ` +
        `(session ${result.sessionKept ? 'kept' : 'NEW'}, ${result.reconnects} reconnects, ${result.timeouts} timeouts); ` +
        `new leader ${result.newLeaderId}; old leader back as follower after ${result.rejoinMs.toFixed(0)} ms`,
    );
  }
  return results;
}

/** Creates the writer's znode (kept when it exists). */
async function createFailoverNode(address: MemberAddress, valueBytes: number): Promise<void> {
  const session = await WireSession.open(address);
  try {
    const data = new Uint8Array(valueBytes).fill(0x66);
    const created = await bulkCreate({ sessions: [session], count: 1, pathOf: () => FAILOVER_PATH, data, depth: 1, existsIsOk: true });
    if (Object.keys(created.errors).length > 0) throw new Error(`create ${FAILOVER_PATH}: ${JSON.stringify(created.errors)}`);
  } finally {
    await session.close();
  }
}

/** Shared between the writer loop and the killer. */
interface WriteLoopState {
  successes: number;
  /** performance.now() just before the kill, once it happened. */
  killedAtMs: number | null;
  deadlineMs: number;
}

/** One kill of the current leader with a writer on a follower, then the restart. */
async function killOnce(ensemble: BenchEnsemble, addresses: readonly MemberAddress[], options: FailoverOptions): Promise<KillResult> {
  const leader = await ensemble.waitForFullEnsemble();
  const follower = leader === 0 ? 1 : 0;
  const writer = new FailoverWriter(addresses, follower);
  const state: WriteLoopState = { successes: 0, killedAtMs: null, deadlineMs: performance.now() + 60_000 };
  const loop = writeUntilResumed(writer, state, new Uint8Array(options.valueBytes).fill(0x67));
  try {
    await sleep(options.writeBeforeKillMs ?? 1_000);
    const writerMember = writer.memberIndex;
    if (state.successes === 0) throw new Error(`${ensemble.kind}: the writer on member ${follower + 1} made no write before the kill`);
    state.deadlineMs = performance.now() + (options.recoveryTimeoutMs ?? 60_000);
    state.killedAtMs = performance.now();
    if (process.env['BENCH_TRACE'] === '1') console.log(`  trace ${state.killedAtMs.toFixed(0)} kill -9 member ${leader + 1}`);
    await ensemble.killMember(leader);
    const resumed = await loop;
    const recoveryMs = resumed === null ? null : resumed.doneMs - state.killedAtMs;
    const rejoinStartMs = performance.now();
    await ensemble.restartMember(leader);
    const newLeader = await ensemble.waitForFullEnsemble();
    return {
      leaderId: leader + 1,
      writerMemberId: writerMember + 1,
      recoveryMs,
      sessionKept: writer.tally.freshSessions === 0,
      reconnects: writer.tally.reconnects,
      timeouts: writer.tally.timeouts,
      resumedOnMemberId: resumed === null ? -1 : resumed.memberIndex + 1,
      newLeaderId: newLeader + 1,
      rejoinMs: performance.now() - rejoinStartMs,
    };
  } finally {
    // Ends the loop if something above threw while it still ran.
    state.deadlineMs = 0;
    await loop;
    await writer.close();
  }
}

/**
 * Writes one setData at a time until a write sent after the kill succeeds (returns when and on
 * which member), or the deadline passes (null). Errors other than ConnectionLoss (a member
 * that is not serving yet) are retried after 10 ms.
 */
async function writeUntilResumed(
  writer: FailoverWriter,
  state: WriteLoopState,
  value: Uint8Array,
): Promise<{ doneMs: number; memberIndex: number } | null> {
  while (performance.now() < state.deadlineMs) {
    const sentMs = performance.now();
    const err = await writer.setData(FAILOVER_PATH, value, state.deadlineMs);
    const doneMs = performance.now();
    if (err === 0) {
      state.successes++;
      if (state.killedAtMs !== null && sentMs >= state.killedAtMs) return { doneMs, memberIndex: writer.memberIndex };
    } else if (err !== CONNECTION_LOSS) {
      await sleep(10);
    }
  }
  return null;
}
