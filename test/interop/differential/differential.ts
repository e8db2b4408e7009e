import { ServerRun } from './server-run.js';
import { describeStep, type Sequence, type Step } from './steps.js';

/** A server under comparison. */
export interface DiffTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** The first point where two servers answered differently. */
export interface Difference {
  /** The index of the differing step, or `steps.length` when only the final tree dumps differ. */
  readonly stepIndex: number;
  /** What each target observed there (normalised JSON, or the error that stopped it). */
  readonly outcomes: readonly [string, string];
}

/** Settles a promise into its value, or a string naming the error that rejected it. */
async function settle(promise: Promise<string>): Promise<string> {
  try {
    return await promise;
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Runs `steps` on both targets in lockstep (each step on both before the next) under a fresh
 * root znode `root`, then compares the dumps of the two subtrees. Returns the first difference,
 * or null when the servers agreed throughout.
 */
export async function runDifferential(
  targets: readonly [DiffTarget, DiffTarget],
  sessionCount: number,
  steps: readonly Step[],
  root: string,
  onStep?: (index: number, step: Step, outcome: string) => void,
): Promise<Difference | null> {
  const runs = targets.map((t) => new ServerRun({ host: t.host, port: t.port, root, sessionCount })) as [ServerRun, ServerRun];
  try {
    const begun = (await Promise.all(runs.map((run) => settle(run.begin().then(() => 'begun'))))) as [string, string];
    if (begun[0] !== 'begun' || begun[1] !== 'begun') return { stepIndex: 0, outcomes: begun };
    for (const [index, step] of steps.entries()) {
      const outcomes = (await Promise.all(runs.map((run) => settle(run.step(step))))) as [string, string];
      onStep?.(index, step, outcomes[0]);
      if (outcomes[0] !== outcomes[1]) return { stepIndex: index, outcomes };
      if (outcomes[0].startsWith('error: ')) return { stepIndex: index, outcomes };
    }
    const dumps = (await Promise.all(runs.map((run) => settle(run.dump())))) as [string, string];
    if (dumps[0] !== dumps[1] || dumps[0].startsWith('error: ')) return { stepIndex: steps.length, outcomes: dumps };
    const ends = (await Promise.all(runs.map((run) => settle(run.end().then(() => 'ended'))))) as [string, string];
    if (ends[0] !== 'ended' || ends[1] !== 'ended') return { stepIndex: steps.length, outcomes: ends };
    return null;
  } finally {
    for (const run of runs) run.destroy();
  }
}

/** Bounds on shrinking: it replays the sequence at most this many times. */
const SHRINK_MAX_RUNS = 120;

/**
 * Shrinks a failing step list greedily (delta debugging: drop chunks of halving size, keep any
 * removal after which the servers still differ somewhere). Returns the smallest failing list
 * found and its difference. Each replay uses its own root znode under `rootBase`.
 */
export async function shrink(
  targets: readonly [DiffTarget, DiffTarget],
  sessionCount: number,
  failing: { readonly steps: readonly Step[]; readonly difference: Difference },
  rootBase: string,
): Promise<{ steps: readonly Step[]; difference: Difference }> {
  let best = { steps: failing.steps.slice(0, failing.difference.stepIndex + 1), difference: failing.difference };
  let runsLeft = SHRINK_MAX_RUNS;
  for (let chunk = Math.max(1, Math.floor(best.steps.length / 2)); chunk >= 1 && runsLeft > 0; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < best.steps.length && runsLeft > 0; ) {
      const candidate = [...best.steps.slice(0, start), ...best.steps.slice(start + chunk)];
      runsLeft--;
      const difference = await runDifferential(targets, sessionCount, candidate, `${rootBase}-s${runsLeft}`);
      if (difference !== null) best = { steps: candidate.slice(0, difference.stepIndex + 1), difference };
      else start += chunk;
    }
    if (chunk === 1) break;
  }
  return best;
}

/** The failure report: seed, replay command, the (shrunk) steps, and both outcomes. */
export function formatReport(
  sequence: Sequence,
  targets: readonly [DiffTarget, DiffTarget],
  found: { readonly steps: readonly Step[]; readonly difference: Difference },
): string {
  const { difference, steps } = found;
  const where = difference.stepIndex === steps.length ? 'the final tree dump' : `step ${difference.stepIndex}`;
  const lines = [
    `differential run of seed ${sequence.seed} (${sequence.sessionCount} sessions): ${targets[0].name} and ${targets[1].name} differ at ${where}`,
    `replay: CORRAL_DIFF_SEED=${sequence.seed} npx vitest run --project interop test/interop/differential`,
    `minimal steps (${steps.length}):`,
    ...steps.map((step, i) => `  ${String(i).padStart(3)} ${describeStep(step)}`),
    `${targets[0].name}: ${difference.outcomes[0]}`,
    `${targets[1].name}: ${difference.outcomes[1]}`,
  ];
  return lines.join('\n');
}
