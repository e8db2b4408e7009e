/**
 * FailoverController with two members against a real server (Corral and Apache ZooKeeper 3.8):
 * election, failover on health loss with fencing, graceful manual hand-over without fencing,
 * failover after the active's session is lost, refusing to go active when fencing fails, and
 * fencing an app that failed to go standby on a hand-over or on close. Both apps' roles are
 * sampled on every change and checked never to overlap. Also on 3-member Corral and ZooKeeper
 * ensembles, with the two members' clients on different servers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FailoverController, readGroupStatus, requestFailover, type FailoverApp, type HealthView } from '../../../agent/failover/index.js';
import { ZkClient } from '../../../client/index.js';
import { ManagedClient } from '../../../client/recipes/index.js';
import { silentLogger } from '../../../util/logger.js';
import { reapAll, until, type ServerHandle } from '../../helpers/index.js';
import { suiteName, targets, threeMemberTargets } from '../../interop/targets.js';

/** An in-process app whose role every controller move is recorded against. */
class FakeApp implements FailoverApp {
  role: 'active' | 'standby' = 'standby';
  token: string | null = null;
  readonly tokens: string[] = [];
  /** When set, toStandby rejects and the app stays active (only fencing moves it). */
  failsStandby = false;
  /** When set, toActive waits for this before it completes. */
  gate: Promise<void> | null = null;
  toActiveCalls = 0;
  constructor(
    readonly id: string,
    readonly world: World,
  ) {}
  async toActive(token: string): Promise<void> {
    this.toActiveCalls++;
    if (this.gate !== null) await this.gate;
    this.role = 'active';
    this.token = token;
    this.tokens.push(token);
    this.world.sample();
  }
  async toStandby(): Promise<void> {
    if (this.failsStandby) throw new Error(`${this.id} refuses to go standby`);
    this.role = 'standby';
    this.world.sample();
  }
  /** What a fencing method does: forces the app down whatever it says. */
  fence(): void {
    this.role = 'standby';
    this.world.sample();
  }
}

/** Both apps, and a check run on every role change: never two actives. */
class World {
  readonly apps: FakeApp[] = [];
  overlaps = 0;
  fenced: string[] = [];
  sample(): void {
    // A promoted app while another still reports active is an overlap, whoever did it.
    if (this.apps.filter((app) => app.role === 'active').length > 1) this.overlaps++;
  }
}

class Health implements HealthView {
  #healthy = true;
  readonly #listeners = new Set<(healthy: boolean) => void>();
  isHealthy(): boolean {
    return this.#healthy;
  }
  onChange(listener: (healthy: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(healthy: boolean): void {
    this.#healthy = healthy;
    for (const listener of this.#listeners) listener(healthy);
  }
}

interface Member {
  readonly id: string;
  readonly app: FakeApp;
  readonly health: Health;
  readonly managed: ManagedClient;
  readonly controller: FailoverController;
}

/** What the suite needs of a server: a connect string per member index, and the whole service. */
interface SuiteServer {
  /** The connect string the `index`th member's client uses. */
  connectString(index: number): string;
  /** Signals every server process (SIGSTOP/SIGCONT for the suspension test). */
  kill(signal: NodeJS.Signals): Promise<void>;
  dispose(): Promise<void>;
}

describe.each(targets)('failover controller against $label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'two members'), () => {
    controllerSuite(async () => {
      const server = await target.start();
      return { connectString: () => server.connectString, kill: (signal) => server.kill(signal), dispose: () => server.dispose() };
    }, { isEnsemble: false });
  });
});

// On 3-member ensembles each member's client talks to a different server: the lock, breadcrumb
// and hand-over decisions must hold across members too (the slow expiry and whole-service
// pause cases run on the standalone targets only, to keep the suite short).
describe.each(threeMemberTargets)('failover controller against $label', (target) => {
  describe.skipIf(target.skip)(target.skip ? `two members SKIPPED: ${target.skipReason}` : 'two members, one server each', () => {
    controllerSuite(async () => {
      const ensemble = await target.start();
      return {
        connectString: (index) => {
          const m = ensemble.members[index % ensemble.members.length] as ServerHandle;
          return `${m.host}:${m.port}`;
        },
        kill: (signal) => ensemble.kill(signal),
        dispose: () => ensemble.dispose(),
      };
    }, { isEnsemble: true });
  });
});

function controllerSuite(start: () => Promise<SuiteServer>, options: { readonly isEnsemble: boolean }): void {
  let server: SuiteServer;
  let members: Member[] = [];
  let world: World;
  let groupNumber = 0;
  let fenceWorks = true;

  beforeAll(async () => {
    server = await start();
  }, 90_000);
  afterAll(async () => {
    await server?.dispose();
    await reapAll();
  });
  afterEach(async () => {
    for (const m of members) {
      await m.controller.close();
      await m.managed.close();
    }
    members = [];
  });

  async function member(id: string, group: string, prefer: { preferred: string; failback: boolean } | null = null): Promise<Member> {
    const managed = new ManagedClient(() => new ZkClient(server.connectString(members.length), { sessionTimeoutMs: 4_000 }));
    await managed.start();
    const app = new FakeApp(id, world);
    world.apps.push(app);
    const health = new Health();
    const controller = new FailoverController({
      managed,
      group,
      member: { id, address: `127.0.0.1:${id}` },
      app,
      health,
      fencers: [
        async (target) => {
          if (!fenceWorks) return false;
          world.fenced.push(target.id);
          const fencedApp = world.apps.find((a) => a.id === target.id);
          fencedApp?.fence();
          return true;
        },
      ],
      retryMs: 200,
      log: silentLogger(),
      ...(prefer === null ? {} : prefer),
    });
    const m = { id, app, health, managed, controller };
    members.push(m);
    controller.start();
    return m;
  }

  async function pair(): Promise<[Member, Member]> {
    world = new World();
    fenceWorks = true;
    const group = `g${++groupNumber}`;
    const a = await member('a', group);
    await until(() => a.app.role === 'active', { timeoutMs: 10_000, what: 'first member active' });
    const b = await member('b', group);
    await until(() => b.controller.state.role === 'standby', { timeoutMs: 10_000, what: 'second member standby' });
    // b publishes its status just after it turns standby (on an ensemble, through another server).
    await until(async () => (await readGroupStatus(a.managed.client, group)).members.length === 2, {
      timeoutMs: 10_000,
      what: 'both members published',
    });
    return [a, b];
  }

  it('elects one active; the other stays standby; the token is the lock czxid', async () => {
    const [a, b] = await pair();
    expect(b.app.role).toBe('standby');
    expect(BigInt(a.app.token ?? '0')).toBeGreaterThan(0n);
    const status = await readGroupStatus(a.managed.client, `g${groupNumber}`);
    expect(status.active?.id).toBe('a');
    expect(status.members.map((m) => [m.id, m.role])).toEqual([
      ['a', 'active'],
      ['b', 'standby'],
    ]);
    expect(world.overlaps).toBe(0);
  });

  it('fails over when the active turns unhealthy, fencing it, with a larger token', async () => {
    const [a, b] = await pair();
    a.health.set(false);
    await until(() => b.app.role === 'active', { timeoutMs: 10_000, what: 'standby takes over' });
    expect(a.app.role).toBe('standby');
    expect(world.fenced).toEqual(['a']);
    expect(BigInt(b.app.token ?? '0')).toBeGreaterThan(BigInt(a.app.tokens[0] ?? '0'));
    expect(world.overlaps).toBe(0);
  });

  it('hands over gracefully on request, with no fencing', async () => {
    const [a, b] = await pair();
    const status = await requestFailover(a.managed.client, `g${groupNumber}`, 'b', { timeoutMs: 10_000 });
    expect(status.active?.id).toBe('b');
    expect(b.app.role).toBe('active');
    expect(a.app.role).toBe('standby');
    expect(world.fenced).toEqual([]);
    expect(world.overlaps).toBe(0);
  });

  it.skipIf(options.isEnsemble)('goes standby when its connection is lost; the other wins after expiry and fences it', async () => {
    const [a, b] = await pair();
    a.managed.client.destroy();
    await until(() => a.app.role === 'standby', { timeoutMs: 10_000, what: 'old active standby' });
    await until(() => b.app.role === 'active', { timeoutMs: 20_000, what: 'standby takes over after expiry' });
    expect(world.fenced).toContain('a');
    expect(world.overlaps).toBe(0);
  });

  it('a preferred member with failback takes the active role back cleanly once healthy', async () => {
    world = new World();
    fenceWorks = true;
    const group = `g${++groupNumber}`;
    const prefer = { preferred: 'a', failback: true };
    const a = await member('a', group, prefer);
    await until(() => a.app.role === 'active', { timeoutMs: 10_000, what: 'preferred member active' });
    const b = await member('b', group, prefer);
    await until(() => b.controller.state.role === 'standby', { timeoutMs: 10_000, what: 'b standby' });
    a.health.set(false);
    await until(() => b.app.role === 'active', { timeoutMs: 10_000, what: 'b takes over' });
    world.fenced.length = 0;
    a.health.set(true);
    await until(() => a.app.role === 'active' && b.app.role === 'standby', { timeoutMs: 15_000, what: 'failback to a' });
    // b handed over on request, so a needed no fencing.
    expect(world.fenced).toEqual([]);
    expect(world.overlaps).toBe(0);
  });

  it('does not go active while every fencing method fails, and does once one works', async () => {
    const [a, b] = await pair();
    fenceWorks = false;
    a.health.set(false);
    await until(() => b.controller.state.reason.startsWith('could not fence'), { timeoutMs: 10_000, what: 'fencing failure' });
    expect(b.app.role).toBe('standby');
    fenceWorks = true;
    await until(() => b.app.role === 'active', { timeoutMs: 10_000, what: 'active after fencing works' });
    expect(world.overlaps).toBe(0);
  });

  it('a manual hand-over whose toStandby fails keeps the breadcrumb, so the next active fences', async () => {
    const [a, b] = await pair();
    a.app.failsStandby = true;
    await requestFailover(a.managed.client, `g${groupNumber}`, 'b', { timeoutMs: 10_000 }).catch(() => undefined);
    await until(() => b.app.role === 'active', { timeoutMs: 10_000, what: 'b active' });
    expect(world.fenced).toEqual(['a']);
    expect(a.app.role).toBe('standby');
    expect(world.overlaps).toBe(0);
  });

  it('closing while the app refuses to go standby keeps the breadcrumb, so the next active fences', async () => {
    const [a, b] = await pair();
    a.app.failsStandby = true;
    await a.controller.close();
    await until(() => b.app.role === 'active', { timeoutMs: 10_000, what: 'b active' });
    expect(world.fenced).toEqual(['a']);
    expect(a.app.role).toBe('standby');
    expect(world.overlaps).toBe(0);
  });

  it.skipIf(options.isEnsemble)('a suspension while toActive runs does not leave the role active with the app standby', async () => {
    world = new World();
    fenceWorks = true;
    const a = await member('a', `g${++groupNumber}`);
    // Hold the first toActive until the connection has been suspended and is back.
    let open = (): void => undefined;
    a.app.gate = new Promise<void>((resolve) => (open = resolve));
    await until(() => a.controller.state.role === 'becoming-active', { timeoutMs: 10_000, what: 'becoming active' });
    await server.kill('SIGSTOP');
    try {
      await until(() => a.controller.state.role === 'standby', { timeoutMs: 10_000, what: 'demoted on suspension' });
    } finally {
      await server.kill('SIGCONT');
    }
    await until(() => a.managed.isConnected, { timeoutMs: 10_000, what: 'reconnected' });
    a.app.gate = null;
    open();
    await until(() => a.app.toActiveCalls >= 2 && a.app.role === 'active' && a.controller.state.role === 'active', {
      timeoutMs: 10_000,
      what: 'app and controller both active again',
    });
  });
}
