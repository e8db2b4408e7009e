/**
 * The agent runner as a user runs it (`corral agent …`, real files and processes), against a
 * standalone Corral and, when installed, Apache ZooKeeper 3.8: live config reloads, `--once`,
 * `--dry-run`, the status endpoint and metrics, maintenance through `corral agent maint`, and a
 * check-before-swap that keeps the live file.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStatusAddress, statusAddressPath } from '../../../agent/index.js';
import { ZkClient } from '../../../client/index.js';
import { reapAll, type ServerHandle, signalGroup, tempDir, type TempDir, until, waitForExit } from '../../helpers/index.js';
import { suiteName, targets } from '../../interop/targets.js';
import { agentStatus, getJson, readOrNull, runCorralCli, type RunningAgent, startAgent } from './agent-process.js';

const sessionTimeoutMs = 4_000;

describe.each(targets)('agent runner against $label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'agent runner'), () => {
    let server: ServerHandle;
    let client: ZkClient;
    let dir: TempDir;
    let agent: RunningAgent | null = null;
    let root: string;
    let counter = 0;

    beforeAll(async () => {
      server = await target.start();
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

    async function freshRoot(): Promise<string> {
      dir = await tempDir('corral-agent-runner-');
      root = `/runner-${target.name}-${++counter}`;
      await client.create(root);
      return root;
    }

    it('applies a valid config change without restarting, and refuses an invalid one keeping the running config', async () => {
      await freshRoot();
      await client.create(`${root}/a`, 'one');
      await client.create(`${root}/b`, 'bee');
      const base = [`sessionTimeoutMs: ${sessionTimeoutMs}`, 'status: { port: 0 }', 'templates:', `  - { contents: 'a={{key "${root}/a"}}', destination: a.txt }`];
      agent = await startAgent(dir.path, [...base, ''].join('\n'), server.connectString);
      const pid = agent.proc.child.pid;
      await until(async () => (await readOrNull(join(dir.path, 'a.txt'))) === 'a=one', { timeoutMs: 15_000, what: 'first render' });

      // A new template in the file and a new service in services.d apply in the running agent.
      await writeFile(agent.configFile, [...base, `  - { contents: 'b={{key "${root}/b"}}', destination: b.txt }`, ''].join('\n'));
      await mkdir(join(dir.path, 'services.d'));
      await writeFile(join(dir.path, 'services.d', 'web.yaml'), 'name: reload-web\nid: rw-1\naddress: 127.0.0.1\nport: 1\ninitial: healthy\n');
      await until(async () => (await readOrNull(join(dir.path, 'b.txt'))) === 'b=bee', { timeoutMs: 15_000, what: 'the added template' });
      await until(async () => (await client.exists('/services/reload-web/rw-1')) !== null, { timeoutMs: 15_000, what: 'the added service' });
      expect(agent.proc.child.pid).toBe(pid);
      expect(agent.proc.hasExited()).toBe(false);

      // An invalid change is reported, and the running config (both templates) goes on working.
      await writeFile(agent.configFile, [...base, '  - { destination: c.txt, bogus: 1 }', ''].join('\n'));
      const refused = await until(async () => (await agentStatus(agent as RunningAgent)).agent.lastConfigError, { timeoutMs: 15_000, what: 'the refusal' });
      expect(refused).toContain('templates');
      await client.setData(`${root}/b`, 'bee2');
      await until(async () => (await readOrNull(join(dir.path, 'b.txt'))) === 'b=bee2', { timeoutMs: 15_000, what: 'the kept template' });
      expect((await agentStatus(agent)).templates).toHaveLength(2);
      expect(agent.proc.stderr()).toContain('config change refused; keeping the running config');
    });

    it('--once renders every template and exits 0; a missing key with policy fail exits 1 naming the template and line', async () => {
      await freshRoot();
      await client.create(`${root}/k`, 'value');
      const good = join(dir.path, 'good.yaml');
      await writeFile(good, `templates:\n  - { contents: 'k={{key "${root}/k"}}', destination: once.txt }\n`);
      const ok = await runCorralCli(dir.path, ['agent', '--config', good, '--server', server.connectString, '--once']);
      expect(ok.code).toBe(0);
      expect(await readFile(join(dir.path, 'once.txt'), 'utf8')).toBe('k=value');

      await writeFile(join(dir.path, 'missing.hbs'), `first line\nx={{key "${root}/absent"}}\n`);
      const bad = join(dir.path, 'bad.yaml');
      await writeFile(bad, 'templates:\n  - { source: missing.hbs, destination: missing.txt, missing: fail }\n');
      const failed = await runCorralCli(dir.path, ['agent', '--config', bad, '--server', server.connectString, '--once']);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain('missing.hbs');
      expect(failed.stderr).toMatch(/line 2\b|"line":2/);
      expect(failed.stderr).toContain(`${root}/absent`);
      expect(existsSync(join(dir.path, 'missing.txt'))).toBe(false);
    });

    it('--dry-run prints the render to stdout and touches no file', async () => {
      await freshRoot();
      await client.create(`${root}/k`, 'dry');
      const config = join(dir.path, 'dry.yaml');
      await writeFile(config, `templates:\n  - { contents: 'k={{key "${root}/k"}}', destination: dry.txt, command: "touch ran" }\n`);
      const before = (await readdir(dir.path)).sort();
      const result = await runCorralCli(dir.path, ['agent', '--config', config, '--server', server.connectString, '--once', '--dry-run']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`> ${join(dir.path, 'dry.txt')}\nk=dry\n`);
      expect((await readdir(dir.path)).sort()).toEqual(before);
    });

    it('serves status JSON, Prometheus metrics and its address file; `corral agent maint` takes a service out and back', async () => {
      await freshRoot();
      await client.create(`${root}/k`, 'v');
      const yaml = [
        `sessionTimeoutMs: ${sessionTimeoutMs}`,
        'status: { port: 0 }',
        'services:',
        '  - { name: maint-web, id: mw-1, address: 127.0.0.1, port: 2, initial: healthy }',
        'templates:',
        `  - { contents: 'k={{key "${root}/k"}}', destination: k.txt }`,
        '',
      ].join('\n');
      agent = await startAgent(dir.path, yaml, server.connectString);
      const path = '/services/maint-web/mw-1';
      await until(async () => (await client.exists(path)) !== null, { timeoutMs: 15_000, what: 'registration' });
      const status = await until(async () => {
        const s = await agentStatus(agent as RunningAgent);
        return s.templates[0]?.state === 'rendered' ? s : null;
      }, { timeoutMs: 15_000, what: 'a rendered template in /status' });
      expect(status.agent.connected).toBe(true);
      expect(status.services).toEqual([expect.objectContaining({ id: 'mw-1', state: 'registered', maintenance: false })]);
      expect(status.templates[0]).toMatchObject({ destination: join(dir.path, 'k.txt'), lastError: null });

      const metrics = await (await fetch(`${agent.statusUrl}/metrics`)).text();
      expect(metrics).toContain('corral_agent_connected 1');
      expect(metrics).toMatch(/corral_agent_service_registered\{service="maint-web",id="mw-1"\} 1/);
      expect(metrics).toMatch(/corral_agent_renders_total\{template="templates\[0\]",outcome="rendered"\} \d/);

      // The file that lets `corral agent status --config` find a port the OS chose.
      const address = await readStatusAddress(statusAddressPath(agent.configFile, {}));
      expect(address).toEqual({ host: '127.0.0.1', port: status.agent.status?.port, pid: agent.proc.child.pid });
      const byConfig = await runCorralCli(dir.path, ['agent', 'status', '--config', agent.configFile, '--json']);
      expect(byConfig.code).toBe(0);
      expect(byConfig.stdout).toContain('maint-web');

      const on = await runCorralCli(dir.path, ['agent', 'maint', 'mw-1', 'on', '--status', agent.statusUrl]);
      expect(on.code).toBe(0);
      await until(async () => (await client.exists(path)) === null, { timeoutMs: 15_000, what: 'maintenance on' });
      expect((await agentStatus(agent)).services[0]?.maintenance).toBe(true);
      const off = await runCorralCli(dir.path, ['agent', 'maint', 'maint-web', 'off', '--status', agent.statusUrl]);
      expect(off.code).toBe(0);
      await until(async () => (await client.exists(path)) !== null, { timeoutMs: 15_000, what: 'maintenance off' });
      const unknown = await runCorralCli(dir.path, ['agent', 'maint', 'nope', 'on', '--status', agent.statusUrl]);
      expect(unknown.code).toBe(2);

      signalGroup(agent.proc, 'SIGTERM');
      expect(await waitForExit(agent.proc, 15_000)).toBe(true);
      expect(existsSync(statusAddressPath(agent.configFile, {}))).toBe(false);
      expect(await getJson(`${agent.statusUrl}/status`)).toBeNull();
    });

    it('a failing check-before-swap keeps the live file and reports the failure', async () => {
      await freshRoot();
      await client.create(`${root}/k`, 'good');
      const yaml = [
        `sessionTimeoutMs: ${sessionTimeoutMs}`,
        'status: { port: 0 }',
        'templates:',
        `  - { contents: 'k={{key "${root}/k"}}', destination: live.txt, check: "grep -q good {{file}}" }`,
        '',
      ].join('\n');
      agent = await startAgent(dir.path, yaml, server.connectString);
      const live = join(dir.path, 'live.txt');
      await until(async () => (await readOrNull(live)) === 'k=good', { timeoutMs: 15_000, what: 'first render' });
      await client.setData(`${root}/k`, 'bad');
      const failure = await until(async () => (await agentStatus(agent as RunningAgent)).templates[0]?.lastError, { timeoutMs: 15_000, what: 'the check failure' });
      expect(failure).toContain('check failed');
      expect(await readFile(live, 'utf8')).toBe('k=good');
      expect((await readdir(dir.path)).filter((name) => name.startsWith('live.txt'))).toEqual(['live.txt']);
      await client.setData(`${root}/k`, 'good again');
      await until(async () => (await readOrNull(live)) === 'k=good again', { timeoutMs: 15_000, what: 'the next good render' });
    });
  });
});
