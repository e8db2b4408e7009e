import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestAuthId } from '../../../protocol/index.js';
import {
  reapAll,
  type ServerHandle,
  startCorral,
  startZooKeeper,
  zookeeperAvailability,
  type ZooCfg,
} from '../../helpers/index.js';
import { type DiffTarget, formatReport, runDifferential, shrink } from './differential.js';
import { SUPER } from './server-run.js';
import { describeStep, generateSequence, type Step } from './steps.js';

/**
 * Differential testing: seeded random sequences of client operations from 2-3 sessions, run step
 * by step against Apache ZooKeeper 3.8 and Corral over raw sockets, comparing every reply, every
 * watch event and the final tree. CORRAL_DIFF_SEED=<n> replays one seed, CORRAL_DIFF_SEEDS=a-b runs a range; CORRAL_DIFF_STEPS sets
 * the sequence length (default 200); CORRAL_DIFF_KNOWN=1 also generates the steps behind the one
 * difference Corral keeps on purpose (a standalone check that succeeds: steps.ts, GeneratorOptions),
 * so a seed that draws one fails there; CORRAL_DIFF_SHRINK=0 skips shrinking.
 */
const zk = zookeeperAvailability();
/** The seeds to run: CORRAL_DIFF_SEED=<n> for one, CORRAL_DIFF_SEEDS=<from>-<to> for a range, else 1-30. */
function seedsToRun(): number[] {
  const one = process.env.CORRAL_DIFF_SEED;
  if (one !== undefined) return [Number(one)];
  const [from, to] = (process.env.CORRAL_DIFF_SEEDS ?? '1-30').split('-').map(Number);
  const first = from ?? 1;
  return Array.from({ length: Math.max(0, (to ?? first) - first + 1) }, (_, i) => first + i);
}
const seeds = seedsToRun();
const stepCount = Number(process.env.CORRAL_DIFF_STEPS ?? 200);
const includeKnownDifferences = process.env.CORRAL_DIFF_KNOWN === '1';

/**
 * Both servers: TTL nodes enabled, a super user for the tree dump, and the container/TTL reaper
 * pushed out of the test's lifetime, since it runs on each server's own clock and would delete
 * nodes at different steps. ZooKeeper reads `znode.container.checkIntervalMs` only as a JVM system
 * property (ContainerManager), hence JAVA_TOOL_OPTIONS for its process.
 */
const cfg: ZooCfg = {
  extendedTypesEnabled: 'true',
  'DigestAuthenticationProvider.superDigest': digestAuthId(SUPER.user, SUPER.password),
  'znode.container.checkIntervalMs': 3_600_000,
};

const suite = zk.ok
  ? 'differential: Corral answers as ZooKeeper 3.8'
  : `differential SKIPPED: Apache ZooKeeper 3.8 is not installed: ${zk.reason}`;

describe.skipIf(!zk.ok)(suite, () => {
  const servers: ServerHandle[] = [];
  let targets: readonly [DiffTarget, DiffTarget] | undefined;
  const savedToolOptions = process.env.JAVA_TOOL_OPTIONS;

  beforeAll(async () => {
    process.env.JAVA_TOOL_OPTIONS = '-Dznode.container.checkIntervalMs=3600000';
    try {
      const [zookeeper, corral] = await Promise.all([startZooKeeper({ cfg }), startCorral({ cfg })]);
      servers.push(zookeeper, corral);
      targets = [
        { name: 'zookeeper', host: zookeeper.host, port: zookeeper.port },
        { name: 'corral', host: corral.host, port: corral.port },
      ];
    } finally {
      if (savedToolOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
      else process.env.JAVA_TOOL_OPTIONS = savedToolOptions;
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.dispose()));
    await reapAll();
  });

  it.each(seeds)('seed %i: every reply, event and the final tree match', async (seed) => {
    if (targets === undefined) throw new Error('servers not started');
    const sequence = generateSequence(seed, stepCount, { includeKnownDifferences });
    const root = `/diff${seed}`;
    // CORRAL_DIFF_TRACE=1 prints every agreed step with its outcome (to follow a replayed seed).
    const trace =
      process.env.CORRAL_DIFF_TRACE === '1'
        ? (index: number, step: Step, outcome: string) => process.stderr.write(`${index} ${describeStep(step)}\n    => ${outcome}\n`)
        : undefined;
    const difference = await runDifferential(targets, sequence.sessionCount, sequence.steps, root, trace);
    if (difference === null) return;
    if (process.env.CORRAL_DIFF_SHRINK === '0' || difference.outcomes.some((o) => o.startsWith('error: ') || o.includes('"closed"'))) {
      // A server stopped answering (or closed a connection, which may mean it is dying):
      // shrinking would only replay against a dead server; report the full prefix and the logs.
      const logs = servers.map((s) => `${s.kind} stderr (tail):\n${s.stderr.slice(-3000)}`).join('\n');
      expect.fail(`${formatReport(sequence, targets, { steps: sequence.steps.slice(0, difference.stepIndex + 1), difference })}\n${logs}`);
    }
    const shrunk = await shrink(targets, sequence.sessionCount, { steps: sequence.steps, difference }, root);
    expect.fail(formatReport(sequence, targets, shrunk));
  });
});
