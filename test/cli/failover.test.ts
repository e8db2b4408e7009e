// `corral failover` run as a user would (`node dist/cli/run.js failover ...`, `npm run build`
// first) against a real Corral server where two in-process FailoverControllers form a group:
// status as text and --json, a graceful hand-over with --to, and an unknown member (exit 2).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailoverController, type FailoverApp, type HealthView } from '../../agent/failover/index.js';
import { ZkClient } from '../../client/index.js';
import { ManagedClient } from '../../client/recipes/index.js';
import { silentLogger } from '../../util/logger.js';
import { corralBin } from '../helpers/corral.js';
import { reapAll, startCorral, tempDir, type ServerHandle, type TempDir, until } from '../helpers/index.js';
import { type CliEnv, runCli, stopAll } from './cli-process.js';

class App implements FailoverApp {
  role: 'active' | 'standby' = 'standby';
  async toActive(): Promise<void> {
    this.role = 'active';
  }
  async toStandby(): Promise<void> {
    this.role = 'standby';
  }
}

const healthy: HealthView = { isHealthy: () => true, onChange: () => () => undefined };

let server: ServerHandle;
let dir: TempDir;
let cli: CliEnv;
const members: { id: string; app: App; managed: ManagedClient; controller: FailoverController }[] = [];

beforeAll(async () => {
  if (!existsSync(corralBin)) throw new Error(`${corralBin} is missing; run \`npm run build\` first`);
  server = await startCorral();
  dir = await tempDir('corral-cli-failover-');
  cli = { cwd: dir.path, env: { ZOOKEEPER_CONNECT: server.connectString, HOME: dir.path } };
  for (const id of ['nn1', 'nn2']) {
    const managed = new ManagedClient(() => new ZkClient(server.connectString, { sessionTimeoutMs: 10_000 }));
    await managed.start();
    const app = new App();
    const controller = new FailoverController({
      managed,
      group: 'cli-ha',
      member: { id, address: `127.0.0.1:${id === 'nn1' ? 9871 : 9872}` },
      app,
      health: healthy,
      fencers: [async () => true],
      retryMs: 200,
      log: silentLogger(),
    });
    members.push({ id, app, managed, controller });
    controller.start();
    // nn1 first, so it is the active one.
    await until(() => controller.state.role === (id === 'nn1' ? 'active' : 'standby'), { timeoutMs: 10_000, what: `${id} settled` });
  }
});

afterAll(async () => {
  await stopAll();
  for (const m of members) {
    await m.controller.close();
    await m.managed.close();
  }
  await dir?.cleanup();
  await server?.dispose();
  await reapAll();
});

describe('corral failover', () => {
  it('status prints who is active and each member with its role and reason', async () => {
    const result = await runCli(cli, ['failover', 'cli-ha', 'status']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('group cli-ha: active nn1 (127.0.0.1:9871)');
    expect(lines).toContain('  nn1: active, healthy (holds the lock)');
    expect(lines).toContain('  nn2: standby, healthy (active is nn1)');
  });

  it('status --json gives the lock holder, the breadcrumb and the members', async () => {
    const result = await runCli(cli, ['failover', 'cli-ha', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { group: string; active: { id: string } | null; breadcrumb: { id: string } | null; members: { id: string; role: string }[] };
    expect(status.group).toBe('cli-ha');
    expect(status.active?.id).toBe('nn1');
    expect(status.breadcrumb?.id).toBe('nn1');
    expect(status.members.map((m) => [m.id, m.role])).toEqual([
      ['nn1', 'active'],
      ['nn2', 'standby'],
    ]);
  });

  it('--to an unknown member exits 2 and names the members', async () => {
    const result = await runCli(cli, ['failover', 'cli-ha', '--to', 'nn9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('member nn9 is not in failover group cli-ha (members: nn1, nn2)');
    expect(members[0]?.app.role).toBe('active');
  });

  it('--to a member hands over cleanly and waits until it is active', async () => {
    const result = await runCli(cli, ['failover', 'cli-ha', '--to', 'nn2', '--timeout-ms', '15000', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { active: { id: string } | null; breadcrumb: { id: string } | null };
    expect(status.active?.id).toBe('nn2');
    expect(members[1]?.app.role).toBe('active');
    expect(members[0]?.app.role).toBe('standby');
  });
});
