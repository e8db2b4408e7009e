/**
 * TTL checks as an app uses them, against a standalone Corral: reports through the agent's
 * status endpoint (`PUT /check/<service>/<check>/pass|fail`) and `corral agent check`, the
 * registration following them with the service's rise/fall; and `corral agent status --config`
 * still reaching an agent whose config was broken after it started; `onUnhealthy: mark` keeping
 * the znode with `enabled: false`, which the `service` helper leaves out.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZkClient } from '../../../client/index.js';
import { reapAll, type ServerHandle, signalGroup, startCorral, tempDir, type TempDir, until, waitForExit } from '../../helpers/index.js';
import { agentStatus, readOrNull, runCorralCli, type RunningAgent, startAgent } from './agent-process.js';

describe('agent TTL checks and locating a running agent', () => {
  let server: ServerHandle;
  let client: ZkClient;
  let dir: TempDir;
  let agent: RunningAgent | null = null;

  beforeAll(async () => {
    server = await startCorral();
    client = new ZkClient(server.connectString, { sessionTimeoutMs: 10_000 });
    await client.connect({ timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.dispose();
    await reapAll();
  });
  afterEach(async () => {
    if (agent !== null) {
      signalGroup(agent.proc, 'SIGTERM');
      if (!(await waitForExit(agent.proc, 15_000))) signalGroup(agent.proc, 'SIGKILL');
      agent = null;
    }
    await dir?.cleanup();
  });

  async function put(path: string, body = ''): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${(agent as RunningAgent).statusUrl}${path}`, { method: 'PUT', body, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('registers on a pass report, deregisters after ttl x fall of silence, and after fall fail reports', async () => {
    dir = await tempDir('corral-agent-ttl-');
    const yaml = [
      'sessionTimeoutMs: 4000',
      'status: { port: 0 }',
      'services:',
      '  - name: ttl-web',
      '    id: tw-1',
      '    address: 127.0.0.1',
      '    port: 3',
      '    rise: 1',
      '    fall: 2',
      '    checks: [{ name: heartbeat, ttl: { ttlMs: 1000 } }]',
      '',
    ].join('\n');
    agent = await startAgent(dir.path, yaml, server.connectString);
    const path = '/services/ttl-web/tw-1';
    expect((await agentStatus(agent)).services[0]?.state).not.toBe('registered');
    expect(await client.exists(path)).toBeNull();

    // The CLI finds the agent from its config file, as `agent maint` does.
    const pass = await runCorralCli(dir.path, ['agent', 'check', 'tw-1', 'heartbeat', 'pass', '--config', agent.configFile, '--note', 'all good']);
    expect(pass.stderr).toBe('');
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('heartbeat pass for tw-1');
    await until(async () => (await client.exists(path)) !== null, { timeoutMs: 15_000, what: 'registration after a pass report' });

    // Silence: the TTL expires `fall` times and the registration goes.
    await until(async () => (await client.exists(path)) === null, { timeoutMs: 15_000, what: 'deregistration after the TTL x fall' });
    const expired = await agentStatus(agent);
    expect(expired.services[0]?.state).toBe('removed');

    // The app itself over HTTP: a pass brings it back; fall fail reports take it out, with the note.
    expect((await put('/check/ttl-web/heartbeat/pass')).status).toBe(200);
    await until(async () => (await client.exists(path)) !== null, { timeoutMs: 15_000, what: 're-registration after a pass report' });
    const failed = await put('/check/tw-1/heartbeat/fail', 'disk full');
    expect(failed).toEqual({ status: 200, body: { ok: true, services: ['tw-1'], check: 'heartbeat', status: 'fail' } });
    await put('/check/tw-1/heartbeat/fail', 'disk full');
    await until(async () => (await client.exists(path)) === null, { timeoutMs: 15_000, what: 'deregistration after fail reports' });
    const status = (await agentStatus(agent)) as unknown as { services: { checks: { name: string; lastOutput: string | null }[] }[] };
    expect(status.services[0]?.checks).toContainEqual(expect.objectContaining({ name: 'heartbeat', healthy: false }));

    // Unknown services and checks are refused (404 on HTTP, exit 2 from the CLI).
    expect((await put('/check/tw-1/nope/pass')).status).toBe(404);
    expect((await put('/check/nope/heartbeat/pass')).status).toBe(404);
    const unknown = await runCorralCli(dir.path, ['agent', 'check', 'tw-1', 'nope', 'pass', '--status', agent.statusUrl]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no TTL check named "nope"');
  });

  it('`agent status --config` still reaches an agent whose config was broken after it started', async () => {
    dir = await tempDir('corral-agent-locate-');
    const yaml = ['sessionTimeoutMs: 4000', 'status: { port: 0 }', 'services:', '  - { name: loc-web, id: lw-1, address: 127.0.0.1, port: 4, initial: healthy }', ''].join('\n');
    agent = await startAgent(dir.path, yaml, server.connectString);
    await until(async () => (await agentStatus(agent as RunningAgent)).services[0]?.state === 'registered', { timeoutMs: 15_000, what: 'registration' });

    // An invalid service in services.d: the agent refuses the change and keeps running.
    await mkdir(join(dir.path, 'services.d'));
    await writeFile(join(dir.path, 'services.d', 'bad.yaml'), 'name: bad\naddress: 127.0.0.1\nport: not-a-port\n');
    await until(async () => (await agentStatus(agent as RunningAgent)).agent.lastConfigError, { timeoutMs: 15_000, what: 'the refusal' });
    const byConfig = await runCorralCli(dir.path, ['agent', 'status', '--config', agent.configFile, '--json']);
    expect(byConfig.stderr).toBe('');
    expect(byConfig.code).toBe(0);
    const shown = JSON.parse(byConfig.stdout) as { agent: { lastConfigError: string | null }; services: { id: string }[] };
    expect(shown.agent.lastConfigError).toContain('bad.yaml');
    expect(shown.services.map((s) => s.id)).toEqual(['lw-1']);
    const maint = await runCorralCli(dir.path, ['agent', 'maint', 'lw-1', 'on', '--config', agent.configFile]);
    expect(maint.code).toBe(0);

    // A config file that is not even YAML any more: the default address file still names the agent.
    await writeFile(agent.configFile, 'status: [unclosed\n');
    await until(async () => (await agentStatus(agent as RunningAgent)).agent.lastConfigError?.includes('agent.yaml') === true, { timeoutMs: 15_000, what: 'the YAML refusal' });
    const broken = await runCorralCli(dir.path, ['agent', 'status', '--config', agent.configFile, '--json']);
    expect(broken.code).toBe(0);
    expect((JSON.parse(broken.stdout) as { agent: { lastConfigError: string } }).agent.lastConfigError).toContain('agent.yaml');
  });

  it('onUnhealthy mark keeps the znode with enabled false, and the service helper leaves that instance out', async () => {
    dir = await tempDir('corral-agent-mark-');
    const yaml = [
      'sessionTimeoutMs: 4000',
      'status: { port: 0 }',
      'services:',
      '  - { name: mark-web, id: mk-1, address: 127.0.0.1, port: 6, initial: healthy, rise: 1, fall: 1, onUnhealthy: mark,',
      '      checks: [{ name: beat, ttl: { ttlMs: 600000 } }] }',
      '  - { name: mark-web, id: mk-2, address: 127.0.0.1, port: 7, initial: healthy }',
      'templates:',
      `  - { contents: '{{#service "mark-web"}}{{id}}@{{port}};{{/service}}', destination: lb.txt }`,
      '',
    ].join('\n');
    agent = await startAgent(dir.path, yaml, server.connectString);
    const lb = join(dir.path, 'lb.txt');
    const path = '/services/mark-web/mk-1';
    await until(async () => (await readOrNull(lb)) === 'mk-1@6;mk-2@7;', { timeoutMs: 15_000, what: 'both instances rendered' });

    expect((await put('/check/mk-1/beat/fail', 'overloaded')).status).toBe(200);
    await until(async () => (await readOrNull(lb)) === 'mk-2@7;', { timeoutMs: 15_000, what: 'the marked instance left out' });
    const marked = JSON.parse(new TextDecoder().decode((await client.getData(path)).data ?? new Uint8Array())) as Record<string, unknown>;
    expect(marked).toMatchObject({ id: 'mk-1', name: 'mark-web', enabled: false });
    expect((await agentStatus(agent)).services.find((s) => s.id === 'mk-1')?.state).toBe('marked');

    expect((await put('/check/mk-1/beat/pass')).status).toBe(200);
    await until(async () => (await readOrNull(lb)) === 'mk-1@6;mk-2@7;', { timeoutMs: 15_000, what: 'the instance back' });
    const back = JSON.parse(new TextDecoder().decode((await client.getData(path)).data ?? new Uint8Array())) as Record<string, unknown>;
    expect(back['enabled']).not.toBe(false);
    expect(await readFile(lb, 'utf8')).toBe('mk-1@6;mk-2@7;');
  });
});
