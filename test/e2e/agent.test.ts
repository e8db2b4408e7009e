/**
 * The agent end to end, against Corral and Apache ZooKeeper 3.8: a real HTTP app registered as a
 * service (it leaves discovery when it dies and comes back when it returns), a key change that
 * re-renders a file and signals or restarts the supervised app (seen from the app's side), and
 * an agent killed with -9 whose registrations go when its session expires.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkClient } from '../../client/index.js';
import { reapAll, reservePort, type ServerHandle, signalGroup, tempDir, type TempDir, until } from '../helpers/index.js';
import { suiteName, targets } from '../interop/targets.js';
import { getJson, killStarted, startAgent, startApp, testClient, webApp } from './harness.js';

const sessionTimeoutMs = 4_000;
const checkIntervalMs = 300;
const fall = 2;

async function exists(client: ZkClient, path: string): Promise<boolean> {
  return (await client.exists(path)) !== null;
}

describe.each(targets)('agent against $label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'agent e2e'), () => {
    let server: ServerHandle;
    let client: ZkClient;
    let dir: TempDir;

    beforeAll(async () => {
      server = await target.start();
      client = await testClient(server.connectString);
    });
    afterAll(async () => {
      await client?.close();
      await server?.dispose();
      await reapAll();
    });
    afterEach(async () => {
      await killStarted();
      await dir?.cleanup();
    });

    function serviceYaml(name: string, port: number): string {
      return [
        `sessionTimeoutMs: ${sessionTimeoutMs}`,
        'status: { port: 0 }',
        'services:',
        `  - { name: ${name}, id: ${name}-1, address: 127.0.0.1, port: ${port}, rise: 1, fall: ${fall},`,
        `      checks: [ { http: { url: "http://127.0.0.1:${port}/health", intervalMs: ${checkIntervalMs}, timeoutMs: 250 } } ] }`,
        '',
      ].join('\n');
    }

    it('registers a healthy app, removes it within interval x fall of its death, and registers it again', async () => {
      dir = await tempDir('corral-e2e-');
      const port = await reservePort();
      let app = await startApp(webApp, port, 'w1');
      await startAgent(dir.path, 'agent', serviceYaml('web', port), server.connectString);
      const path = '/services/web/web-1';
      await until(() => exists(client, path), { timeoutMs: 10_000, what: 'registration' });
      const data = JSON.parse(new TextDecoder().decode((await client.getData(path)).data ?? new Uint8Array()));
      expect(data).toMatchObject({ name: 'web', id: 'web-1', address: '127.0.0.1', port, serviceType: 'DYNAMIC' });

      signalGroup(app, 'SIGKILL');
      await until(async () => !(await exists(client, path)), { timeoutMs: checkIntervalMs * (fall + 1) + 5_000, what: 'deregistration' });

      app = await startApp(webApp, port, 'w1');
      await until(() => exists(client, path), { timeoutMs: checkIntervalMs * 2 + 5_000, what: 're-registration' });
    });

    it('re-renders on a key change and signals the app; a change of its env subtree restarts it', async () => {
      dir = await tempDir('corral-e2e-');
      const port = await reservePort();
      const root = `/e2e-${target.name}-render`;
      await client.create(root);
      await client.create(`${root}/greeting`, 'one');
      await client.create(`${root}/env`);
      await client.create(`${root}/env/greeting`, 'hello');
      const conf = join(dir.path, 'app.conf');
      const yaml = [
        `sessionTimeoutMs: ${sessionTimeoutMs}`,
        'status: { port: 0 }',
        'templates:',
        `  - { contents: "greeting={{key \\"${root}/greeting\\"}}\\n", destination: app.conf }`,
        'exec:',
        `  command: [ "${process.execPath}", "${webApp}", "${port}", "w1" ]`,
        '  reloadSignal: SIGHUP',
        '  killTimeoutMs: 5000',
        `  env: { prefix: ${root}/env, custom: { CONFIG_FILE: "${conf}" } }`,
        '',
      ].join('\n');
      await startAgent(dir.path, 'agent', yaml, server.connectString);
      const info = (): Promise<Record<string, unknown> | null> => getJson(`http://127.0.0.1:${port}/info`);
      const first = await until(info, { timeoutMs: 15_000, what: 'the app' });
      expect(first['config']).toBe('greeting=one\n');
      expect(first['greeting']).toBe('hello');

      await client.setData(`${root}/greeting`, 'two');
      const reloaded = await until(async () => {
        const now = await info();
        return now?.['config'] === 'greeting=two\n' ? now : null;
      }, { timeoutMs: 10_000, what: 'the app to re-read its config after SIGHUP' });
      expect(reloaded['pid']).toBe(first['pid']);
      expect(Number(reloaded['reloads'])).toBeGreaterThan(0);
      expect(await readFile(conf, 'utf8')).toBe('greeting=two\n');

      await client.setData(`${root}/env/greeting`, 'bonjour');
      const restarted = await until(async () => {
        const now = await info();
        return now?.['greeting'] === 'bonjour' ? now : null;
      }, { timeoutMs: 15_000, what: 'the app restarted with the new env' });
      expect(restarted['pid']).not.toBe(first['pid']);
    });

    it('a kill -9 of the agent removes its registrations when its session expires', async () => {
      dir = await tempDir('corral-e2e-');
      const port = await reservePort();
      await startApp(webApp, port, 'w2');
      const agent = await startAgent(dir.path, 'agent', serviceYaml('killed', port), server.connectString);
      const path = '/services/killed/killed-1';
      await until(() => exists(client, path), { timeoutMs: 10_000, what: 'registration' });
      const owner = (await client.exists(path))?.ephemeralOwner;
      signalGroup(agent.proc, 'SIGKILL');
      // The registration is ephemeral: it stays until the server expires the agent's session.
      expect((await client.exists(path))?.ephemeralOwner).toBe(owner);
      await until(async () => !(await exists(client, path)), { timeoutMs: sessionTimeoutMs * 2 + 5_000, what: 'expiry' });
    });

    it('SIGTERM deregisters first, then stops the app, and passes on its exit code', async () => {
      dir = await tempDir('corral-e2e-');
      const port = await reservePort();
      const yaml = [
        serviceYaml('term', port),
        'exec:',
        `  command: [ "${process.execPath}", "${webApp}", "${port}", "w3" ]`,
        '  killTimeoutMs: 5000',
        '',
      ].join('\n');
      const agent = await startAgent(dir.path, 'agent', yaml, server.connectString);
      const path = '/services/term/term-1';
      await until(() => exists(client, path), { timeoutMs: 15_000, what: 'registration' });
      signalGroup(agent.proc, 'SIGTERM');
      expect(await agent.proc.exited).toBe(0);
      expect(await exists(client, path)).toBe(false);
      const log = agent.proc.stderr();
      expect(log.indexOf('"state":"removed"')).toBeGreaterThan(-1);
      expect(log.indexOf('"state":"removed"')).toBeLessThan(log.indexOf('"msg":"child exited"'));
    });
  });
});
