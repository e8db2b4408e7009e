/**
 * The agent's shared key watcher, in process against a real Corral and (when installed) Apache
 * ZooKeeper 3.8: a multi changing several keys (or a subtree and a key) renders once, with or
 * without `wait`, a key that is
 * created, deleted and created again is followed, and the watches keep working after the server
 * restarts (the keys are read again on the reconnect).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../agent/index.js';
import { ZkClient } from '../../../client/index.js';
import { reapAll, type ServerHandle, tempDir, type TempDir, until } from '../../helpers/index.js';
import { readOrNull } from './agent-process.js';
import { suiteName, targets } from '../../interop/targets.js';
import { silentLogger } from '../../../util/index.js';

/** The `rendered` count of corral_agent_renders_total from the agent's /metrics. */
async function renderedCount(agent: Agent): Promise<number> {
  const address = agent.statusAddress;
  if (address === null) throw new Error('no status endpoint');
  const text = await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
  const match = /corral_agent_renders_total\{[^}]*outcome="rendered"\} (\d+)/.exec(text);
  return Number(match?.[1] ?? 0);
}

/**
 * The render count once the render that wrote the file's current content is counted: a render
 * is counted only after its rename and the folder's fsync, so right after the file changes the
 * count can lag by one. A render after it would be counted within moments, so look a few more
 * times before answering.
 */
async function settledRenderCount(agent: Agent, atLeast: number): Promise<number> {
  await until(async () => (await renderedCount(agent)) >= atLeast, { timeoutMs: 15_000, what: `render ${atLeast} counted` });
  let count = 0;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = await renderedCount(agent);
  }
  return count;
}

describe.each(targets)('agent key watcher against $label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'agent key watcher'), () => {
    let server: ServerHandle;
    let client: ZkClient;
    let dir: TempDir;
    let agent: Agent | null = null;
    let counter = 0;

    beforeAll(async () => {
      server = await target.start();
      client = new ZkClient(server.connectString, { sessionTimeoutMs: 30_000 });
      await client.connect({ timeoutMs: 15_000 });
    });
    afterAll(async () => {
      await client?.close();
      await server?.dispose();
      await reapAll();
    });
    afterEach(async () => {
      await agent?.stop();
      agent = null;
      await dir?.cleanup();
    });

    async function startAgent(template: string, extra = ''): Promise<{ out: string }> {
      dir = await tempDir('corral-key-watch-');
      const out = join(dir.path, 'out.txt');
      const configFile = join(dir.path, 'agent.yaml');
      await writeFile(configFile, `sessionTimeoutMs: 20000\nstatus: { port: 0 }\ntemplates:\n  - { contents: '${template}', destination: out.txt${extra} }\n`);
      agent = await Agent.create({ configFile, overrides: { server: server.connectString }, logger: silentLogger(), env: {} });
      await agent.start();
      return { out };
    }

    it.each([
      { when: 'when wait is set', extra: ', wait: { minMs: 100, maxMs: 5000 }' },
      { when: 'without wait', extra: '' },
    ])('a multi that changes three keys renders once $when', async ({ extra }) => {
      const root = `/kw-${target.name}-${++counter}`;
      await client.create(root);
      for (const k of ['a', 'b', 'c']) await client.create(`${root}/${k}`, `${k}0`);
      const template = ['a', 'b', 'c'].map((k) => `{{key "${root}/${k}"}}`).join(',');
      const { out } = await startAgent(template, extra);
      await until(async () => (await readOrNull(out)) === 'a0,b0,c0', { timeoutMs: 15_000, what: 'first render' });
      expect(await settledRenderCount(agent as Agent, 1)).toBe(1);
      const txn = client.transaction();
      for (const k of ['a', 'b', 'c']) txn.setData(`${root}/${k}`, `${k}1`);
      await txn.commit();
      await until(async () => (await readOrNull(out)) === 'a1,b1,c1', { timeoutMs: 15_000, what: 'the multi rendered' });
      expect(await settledRenderCount(agent as Agent, 2)).toBe(2);
    });

    it('a multi over a subtree (many nodes, created, changed and deleted) and a key renders once without wait', async () => {
      const root = `/kw-${target.name}-${++counter}`;
      await client.create(root);
      await client.create(`${root}/t`);
      // Enough nodes that the caches' reads (one at a time) take longer than any short window.
      const names = Array.from({ length: 150 }, (_, i) => `n${String(i).padStart(3, '0')}`);
      const setup = client.transaction();
      for (const n of names) setup.create(`${root}/t/${n}`, '0');
      await setup.commit();
      await client.create(`${root}/k`, 'k0');
      const { out } = await startAgent(`{{#each (tree "${root}/t")}}{{key}}={{value}};{{/each}}|{{key "${root}/k"}}`);
      const before = `${names.map((n) => `${n}=0;`).join('')}|k0`;
      await until(async () => (await readOrNull(out)) === before, { timeoutMs: 15_000, what: 'first render' });
      expect(await settledRenderCount(agent as Agent, 1)).toBe(1);
      const txn = client.transaction();
      for (const n of names.slice(1)) txn.setData(`${root}/t/${n}`, '1');
      txn.delete(`${root}/t/${names[0]}`);
      txn.create(`${root}/t/z`, 'new');
      txn.setData(`${root}/k`, 'k1');
      await txn.commit();
      const after = `${names.slice(1).map((n) => `${n}=1;`).join('')}z=new;|k1`;
      await until(async () => (await readOrNull(out)) === after, { timeoutMs: 15_000, what: 'the multi rendered' });
      expect(await settledRenderCount(agent as Agent, 2)).toBe(2);
    });

    it('follows a key through create, delete and create again, and after a server restart', async () => {
      const path = `/kw-${target.name}-${++counter}`;
      const { out } = await startAgent(`v={{keyOrDefault "${path}" "none"}}`);
      await until(async () => (await readOrNull(out)) === 'v=none', { timeoutMs: 15_000, what: 'the default' });
      await client.create(path, 'one');
      await until(async () => (await readOrNull(out)) === 'v=one', { timeoutMs: 15_000, what: 'the created key' });
      await client.delete(path);
      await until(async () => (await readOrNull(out)) === 'v=none', { timeoutMs: 15_000, what: 'the deleted key' });
      await client.create(path, 'two');
      await until(async () => (await readOrNull(out)) === 'v=two', { timeoutMs: 15_000, what: 'the key created again' });

      await server.restart();
      await until(() => agent?.status().agent.connected, { timeoutMs: 30_000, what: 'the agent to reconnect' });
      await until(() => client.state === 'connected', { timeoutMs: 30_000, what: 'the test client to reconnect' });
      await client.setData(path, 'three');
      await until(async () => (await readOrNull(out)) === 'v=three', { timeoutMs: 15_000, what: 'a change after the restart' });
    });
  });
});
