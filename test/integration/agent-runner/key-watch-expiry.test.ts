/**
 * The agent's shared key watcher after a session expiry, in process against a real Corral server
 * process: the agent talks to the server through a cuttable proxy, is cut off until the server
 * has expired its session, and reconnects on a new session (a new client). The rendered file
 * must then follow changes made while it was cut off (the re-read) and changes made after the
 * re-registration (the watches now live on the new client), for a key that exists and for one
 * that did not exist (an exist watch) when the session expired.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../agent/index.js';
import { ZkClient } from '../../../client/index.js';
import { hex, silentLogger } from '../../../util/index.js';
import { tempDir, type TempDir, until } from '../../helpers/index.js';
import { readOrNull } from './agent-process.js';
import { fourLetterWord, TestServer } from '../client/zk-server.js';
import { CuttableProxy } from '../recipes/proxy.js';

/** The shortest session a server with tickTime=2000 grants (2 * tickTime): the expiry comes soon. */
const sessionTimeoutMs = 4_000;

describe('agent key watcher after a session expiry (Corral server process)', () => {
  let server: TestServer;
  let client: ZkClient;
  let proxy: CuttableProxy | null = null;
  let dir: TempDir | null = null;
  let agent: Agent | null = null;

  beforeAll(async () => {
    server = await TestServer.start('corral');
    client = new ZkClient(server.connectString, { sessionTimeoutMs: 30_000 });
    await client.connect({ timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.destroy();
  });
  afterEach(async () => {
    await agent?.stop();
    agent = null;
    await proxy?.close();
    proxy = null;
    await dir?.cleanup();
    dir = null;
  });

  /** Starts an agent behind a fresh proxy rendering `template` into out.txt. */
  async function startAgent(template: string, extraYaml = ''): Promise<{ agent: Agent; proxy: CuttableProxy; out: string }> {
    proxy = await CuttableProxy.start(server.port);
    dir = await tempDir('corral-key-expiry-');
    const configFile = join(dir.path, 'agent.yaml');
    await writeFile(configFile, `sessionTimeoutMs: ${sessionTimeoutMs}\ntemplates:\n  - { contents: '${template}', destination: out.txt }\n${extraYaml}`);
    agent = await Agent.create({ configFile, overrides: { server: proxy.connectString }, logger: silentLogger(), env: {} });
    await agent.start();
    return { agent, proxy, out: join(dir.path, 'out.txt') };
  }

  /** Cuts the agent off until the server has expired its session, running `whileCut` meanwhile. */
  async function expire(running: { agent: Agent; proxy: CuttableProxy }, whileCut: () => Promise<void>): Promise<void> {
    const sessionId = running.agent.status().agent.sessionId;
    running.proxy.cut();
    await whileCut();
    await until(async () => !(await fourLetterWord(server.port, 'dump')).includes(sessionId), {
      timeoutMs: 30_000,
      what: `the server to expire session ${sessionId}`,
    });
    running.proxy.restore();
    await until(() => running.agent.status().agent.connected && running.agent.status().agent.sessionId !== sessionId, {
      timeoutMs: 30_000,
      what: 'the agent on a new session',
    });
  }

  it('the rendered file follows changes made during and after the expiry, on the new session', async () => {
    await client.create('/kwx');
    await client.create('/kwx/a', 'a0');
    const running = await startAgent('{{key "/kwx/a"}},{{keyOrDefault "/kwx/b" "none"}}');
    const { out } = running;
    await until(async () => (await readOrNull(out)) === 'a0,none', { timeoutMs: 15_000, what: 'the first render' });

    await expire(running, () => client.setData('/kwx/a', 'a1').then(() => undefined));
    await until(async () => (await readOrNull(out)) === 'a1,none', { timeoutMs: 15_000, what: 'the change made while cut off' });

    // Only watches registered by the new client can bring these in.
    await client.setData('/kwx/a', 'a2');
    await until(async () => (await readOrNull(out)) === 'a2,none', { timeoutMs: 15_000, what: 'a data change after the expiry' });
    await client.create('/kwx/b', 'b1');
    await until(async () => (await readOrNull(out)) === 'a2,b1', { timeoutMs: 15_000, what: 'a key created after the expiry' });
    await client.setData('/kwx/a', 'a3');
    await client.setData('/kwx/b', 'b2');
    await until(async () => (await readOrNull(out)) === 'a3,b2', { timeoutMs: 15_000, what: 'the re-armed watches' });
    await client.delete('/kwx/b');
    await until(async () => (await readOrNull(out)) === 'a3,none', { timeoutMs: 15_000, what: 'a key deleted after the expiry' });
  });

  it('keeps the last good file while cut off, and re-registers its service on the new session', async () => {
    await client.create('/kwy');
    await client.create('/kwy/a', 'a0');
    const service = 'services:\n  - { name: expiry-web, id: ew-1, address: 127.0.0.1, port: 5, initial: healthy }\n';
    const running = await startAgent('{{key "/kwy/a"}}', service);
    const { out } = running;
    const path = '/services/expiry-web/ew-1';
    await until(async () => (await readOrNull(out)) === 'a0', { timeoutMs: 15_000, what: 'the first render' });
    const first = await until(async () => client.exists(path), { timeoutMs: 15_000, what: 'the registration' });
    expect(hex(first.ephemeralOwner)).toBe(running.agent.status().agent.sessionId);

    // While cut off the key changes; every sample of the file until the expiry shows the last good render.
    const samples: (string | null)[] = [];
    await expire(running, async () => {
      await client.setData('/kwy/a', 'a1');
      const sessionId = running.agent.status().agent.sessionId;
      while ((await fourLetterWord(server.port, 'dump')).includes(sessionId)) {
        samples.push(await readOrNull(out));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    expect(samples.length).toBeGreaterThan(0);
    expect(new Set(samples)).toEqual(new Set(['a0']));

    // The ephemeral went with the old session; the agent registers it again in the new one.
    const again = await until(
      async () => {
        const stat = await client.exists(path);
        return stat !== null && hex(stat.ephemeralOwner) === running.agent.status().agent.sessionId ? stat : null;
      },
      { timeoutMs: 15_000, what: 'the registration in the new session' },
    );
    expect(hex(again.ephemeralOwner)).not.toBe(hex(first.ephemeralOwner));
    expect(running.agent.status().services[0]?.state).toBe('registered');
    await until(async () => (await readOrNull(out)) === 'a1', { timeoutMs: 15_000, what: 'the change made while cut off' });
  });
});
