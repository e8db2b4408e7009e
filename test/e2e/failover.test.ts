/**
 * Failover end to end, against Corral and Apache ZooKeeper 3.8: two agents, each with a
 * master-app.mjs (examples/namenode-ha). Both apps' /state are sampled every ~50 ms for the whole
 * test, and no sample may show two actives: after kill -9 of the active app, after kill -9 of the
 * active's agent (the old app must then be fenced), and while the server is paused (SIGSTOP),
 * after which exactly one app becomes active again.
 *
 * Against 3-member ensembles (Corral and ZooKeeper 3.8) a real partition: each agent talks to a
 * different single follower, the active's follower is paused while the leader and the other
 * follower keep quorum, so the standby can and must win; plus the agent kill -9 case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reapAll, reservePort, type ServerHandle, signalGroup, tempDir, type TempDir, type TrackedProcess, until } from '../helpers/index.js';
import type { CorralEnsemble } from '../helpers/corral-ensemble.js';
import { suiteName, targets, threeMemberTargets } from '../interop/targets.js';
import { type AgentProcess, getJson, killStarted, masterApp, namenodeDir, RoleSampler, startAgent, startApp } from './harness.js';

const sessionTimeoutMs = 4_000;
const checkIntervalMs = 300;

interface Member {
  readonly id: string;
  readonly port: number;
  app: TrackedProcess;
  agent: AgentProcess;
}

function memberYaml(group: string, id: string, port: number): string {
  const admin = `node ${namenodeDir}/haadmin.mjs`;
  return [
    `sessionTimeoutMs: ${sessionTimeoutMs}`,
    'status: { port: 0 }',
    'failover:',
    `  group: ${group}`,
    `  id: ${id}`,
    `  address: 127.0.0.1:${port}`,
    `  checks: [ { http: { url: "http://127.0.0.1:${port}/health", intervalMs: ${checkIntervalMs}, timeoutMs: 250 } } ]`,
    '  rise: 1',
    '  fall: 1',
    `  toActive: ${admin} active 127.0.0.1:${port} {{token}}`,
    `  toStandby: ${admin} standby 127.0.0.1:${port}`,
    `  fencing: [ { command: "node ${namenodeDir}/fence.mjs", timeoutMs: 5000 } ]`,
    '  retryMs: 300',
    '',
  ].join('\n');
}

describe.each(targets)('failover against $label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'failover e2e'), () => {
    let server: ServerHandle;
    let dir: TempDir;
    let sampler: RoleSampler | null = null;
    let groupNumber = 0;

    beforeAll(async () => {
      server = await target.start();
    });
    afterAll(async () => {
      await server?.dispose();
      await reapAll();
    });
    afterEach(async () => {
      await sampler?.stop();
      sampler = null;
      // A test that paused the server must leave it running for the next one.
      server.kill('SIGCONT').catch(() => undefined);
      await killStarted();
      await dir?.cleanup();
    });

    async function pair(): Promise<[Member, Member, RoleSampler]> {
      dir = await tempDir('corral-e2e-failover-');
      const group = `e2e-${++groupNumber}`;
      const members: Member[] = [];
      for (const id of ['nn1', 'nn2']) {
        const port = await reservePort();
        const app = await startApp(masterApp, port, id);
        members.push({ id, port, app, agent: undefined as unknown as AgentProcess });
      }
      const s = new RoleSampler(members.map((m) => m.port));
      sampler = s;
      for (const m of members) m.agent = await startAgent(dir.path, m.id, memberYaml(group, m.id, m.port), server.connectString);
      await until(() => s.last.filter((r) => r === 'active').length === 1 && s.last.includes('standby'), {
        timeoutMs: 20_000,
        what: 'one active and one standby',
      });
      const [a, b] = members as [Member, Member];
      return s.last[0] === 'active' ? [a, b, s] : [b, a, s];
    }

    function index(s: RoleSampler, m: Member): number {
      return s.ports.indexOf(m.port);
    }

    it('kill -9 of the active app: the standby becomes active, never two at once', async () => {
      const [active, standby, s] = await pair();
      signalGroup(active.app, 'SIGKILL');
      await until(() => s.last[index(s, standby)] === 'active', {
        timeoutMs: sessionTimeoutMs + checkIntervalMs + 10_000,
        what: 'the standby to become active',
      });
      await s.stop();
      expect(s.overlaps).toEqual([]);
    });

    it("kill -9 of the active's agent: the standby becomes active after fencing the old app", async () => {
      const [active, standby, s] = await pair();
      signalGroup(active.agent.proc, 'SIGKILL');
      await until(() => s.last[index(s, standby)] === 'active', {
        timeoutMs: sessionTimeoutMs * 2 + checkIntervalMs + 10_000,
        what: 'the standby to become active',
      });
      const old = await getJson(`http://127.0.0.1:${active.port}/state`);
      expect(old).toMatchObject({ role: 'standby', fenced: true });
      await s.stop();
      expect(s.overlaps).toEqual([]);
    });

    it('a paused server (SIGSTOP) never leaves two actives, and exactly one is active after SIGCONT', async () => {
      const [active, , s] = await pair();
      await server.kill('SIGSTOP');
      // Both members lose the server; the active must step down before its session can expire.
      await until(() => s.last[index(s, active)] === 'standby', { timeoutMs: sessionTimeoutMs + 10_000, what: 'the active to step down' });
      await server.kill('SIGCONT');
      await until(() => s.last.filter((r) => r === 'active').length === 1, { timeoutMs: sessionTimeoutMs * 3 + 15_000, what: 'one active again' });
      // Let both members settle for a few samples; the one-active state must hold.
      const settledAt = s.samples.length;
      await until(() => s.samples.length >= settledAt + 20, { timeoutMs: 10_000, what: 'more samples' });
      await s.stop();
      expect(s.last.filter((r) => r === 'active')).toHaveLength(1);
      expect(s.overlaps).toEqual([]);
    });
  });
});

describe.each(threeMemberTargets)('failover against $label', (target) => {
  describe.skipIf(target.skip)(target.skip ? `failover e2e on an ensemble SKIPPED: ${target.skipReason}` : 'failover e2e on an ensemble', () => {
    let ensemble: CorralEnsemble;
    let dir: TempDir | undefined;
    let sampler: RoleSampler | null = null;
    let groupNumber = 0;

    beforeAll(async () => {
      ensemble = await target.start();
    }, 90_000);
    afterAll(async () => {
      await ensemble?.dispose();
      await reapAll();
    });
    afterEach(async () => {
      await sampler?.stop();
      sampler = null;
      // A test that paused a member must leave it running for the next one.
      await ensemble.kill('SIGCONT');
      await killStarted();
      await dir?.cleanup();
    });

    /** Two agents, agent i connected to `hosts[i]` only; returns [active, standby]. */
    async function pair(hosts: readonly [string, string]): Promise<[Member & { host: string }, Member & { host: string }, RoleSampler]> {
      dir = await tempDir('corral-e2e-failover-ensemble-');
      const group = `e2e-ens-${++groupNumber}`;
      const members: (Member & { host: string })[] = [];
      for (const [i, id] of ['nn1', 'nn2'].entries()) {
        const port = await reservePort();
        const app = await startApp(masterApp, port, id);
        members.push({ id, port, app, host: hosts[i] as string, agent: undefined as unknown as AgentProcess });
      }
      const s = new RoleSampler(members.map((m) => m.port));
      sampler = s;
      for (const m of members) m.agent = await startAgent(dir.path, m.id, memberYaml(group, m.id, m.port), m.host);
      await until(() => s.last.filter((r) => r === 'active').length === 1 && s.last.includes('standby'), {
        timeoutMs: 30_000,
        what: 'one active and one standby',
      });
      const [a, b] = members as [Member & { host: string }, Member & { host: string }];
      return s.last[0] === 'active' ? [a, b, s] : [b, a, s];
    }

    async function followers(): Promise<[number, number]> {
      const leader = await ensemble.leader();
      return [0, 1, 2].filter((i) => i !== leader) as [number, number];
    }

    function hostOf(i: number): string {
      const m = ensemble.members[i] as ServerHandle;
      return `${m.host}:${m.port}`;
    }

    it('partition: pausing the member the active talks to makes the standby active, never two at once', async () => {
      const pinned = await followers();
      const [active, standby, s] = await pair([hostOf(pinned[0]), hostOf(pinned[1])]);
      const paused = pinned[active.host === hostOf(pinned[0]) ? 0 : 1];
      const activeAt = s.ports.indexOf(active.port);
      const standbyAt = s.ports.indexOf(standby.port);
      // The leader and the other follower keep quorum: the standby's agent can win the lock once
      // the active's session expires, and the active must have stepped down before that.
      const pausedAt = s.samples.length;
      await ensemble.members[paused]?.kill('SIGSTOP');
      await until(() => s.last[standbyAt] === 'active', {
        timeoutMs: sessionTimeoutMs * 2 + checkIntervalMs + 15_000,
        what: 'the standby to become active while the active is partitioned',
      });
      const firstActive = s.samples.findIndex((sample) => sample.roles[standbyAt] === 'active');
      const old = await getJson(`http://127.0.0.1:${active.port}/state`);
      // It lost its connection, so it went standby on its own (not fenced yet) before its session
      // could expire; the new active then fenced it too (its breadcrumb was still there).
      expect(old).toMatchObject({ role: 'standby' });
      const steppedDown = s.samples.slice(pausedAt, firstActive).some((sample) => sample.roles[activeAt] === 'standby' && sample.fenced[activeAt] === false);
      expect(steppedDown).toBe(true);
      await ensemble.members[paused]?.kill('SIGCONT');
      // After the partition heals the old active's agent finds the lock taken and stays standby.
      const healedAt = s.samples.length;
      await until(() => s.samples.length >= healedAt + 40, { timeoutMs: 20_000, what: 'samples after the partition heals' });
      await s.stop();
      expect(s.last[standbyAt]).toBe('active');
      expect(s.last[activeAt]).toBe('standby');
      expect(s.overlaps).toEqual([]);
    });

    it("kill -9 of the active's agent: the standby becomes active after fencing the old app", async () => {
      const pinned = await followers();
      const [active, standby, s] = await pair([hostOf(pinned[0]), hostOf(pinned[1])]);
      signalGroup(active.agent.proc, 'SIGKILL');
      await until(() => s.last[s.ports.indexOf(standby.port)] === 'active', {
        timeoutMs: sessionTimeoutMs * 2 + checkIntervalMs + 15_000,
        what: 'the standby to become active',
      });
      const old = await getJson(`http://127.0.0.1:${active.port}/state`);
      expect(old).toMatchObject({ role: 'standby', fenced: true });
      await s.stop();
      expect(s.overlaps).toEqual([]);
    });
  });
});
