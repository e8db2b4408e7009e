import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkClient } from '../../../client/index.js';
import { TreeCache, type TreeCacheMode } from '../../../client/recipes/index.js';
import { ErrorCode, ZkError } from '../../../protocol/index.js';
import { until } from '../../helpers/until.js';
import type { TestServer } from '../client/zk-server.js';
import { Members, expireSession, suspend, describeEachTarget } from './harness.js';

const text = (data: Uint8Array | null): string => (data === null ? '<null>' : new TextDecoder().decode(data));

/** The subtree as the server has it: path -> data text. */
async function serverTree(client: ZkClient, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (path: string): Promise<void> => {
    try {
      const { data } = await client.getData(path);
      out.set(path, text(data));
      for (const name of await client.getChildren(path)) await walk(path === '/' ? `/${name}` : `${path}/${name}`);
    } catch (err) {
      if (!(err instanceof ZkError && err.code === ErrorCode.NoNode)) throw err;
    }
  };
  await walk(root);
  return out;
}

function cacheTree(cache: TreeCache): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, node] of cache.entries()) out.set(path, text(node.data));
  return out;
}

const sorted = (m: Map<string, string>): [string, string][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

const modes: readonly Exclude<TreeCacheMode, 'auto'>[] = ['recursive', 'perNode'];

describeEachTarget('TreeCache', (startServer) => {
  let server: TestServer;
  const members = new Members(() => server);
  const caches: TreeCache[] = [];
  let testNumber = 0;
  const root = (): string => `/tree/t${testNumber}`;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    for (const c of caches.splice(0)) await c.close();
    await members.closeAll();
    testNumber++;
  });

  async function converged(cache: TreeCache, observer: ZkClient): Promise<void> {
    let last: [string, string][] = [];
    await until(async () => {
      last = sorted(await serverTree(observer, root()));
      return JSON.stringify(sorted(cacheTree(cache))) === JSON.stringify(last);
    }, { timeoutMs: 15_000, what: `the cache to match the server (${JSON.stringify(last)})` });
  }

  it('auto mode uses the persistent recursive watch on a 3.6+ server', async () => {
    const m = await members.add();
    const cache = new TreeCache(m.managed, root());
    caches.push(cache);
    await cache.start({ timeoutMs: 15_000 });
    expect(cache.mode).toBe('recursive');
    expect(cache.paths()).toEqual([]);
  });

  describe.each(modes)('mode %s', (mode) => {
    async function startCache(): Promise<{ cache: TreeCache; events: string[] }> {
      const m = await members.add();
      const cache = new TreeCache(m.managed, root(), { mode });
      caches.push(cache);
      const events: string[] = [];
      cache.on('created', (p, n) => events.push(`created ${p} ${text(n.data)}`));
      cache.on('changed', (p, n) => events.push(`changed ${p} ${text(n.data)}`));
      cache.on('deleted', (p) => events.push(`deleted ${p}`));
      cache.on('initialized', () => events.push('initialized'));
      await cache.start({ timeoutMs: 15_000 });
      expect(cache.mode).toBe(mode);
      return { cache, events };
    }

    it('loads the existing subtree, reporting created for each node (parents first) and then initialized', async () => {
      const zk = await members.plain();
      await zk.create('/tree').catch(() => undefined);
      await zk.create(root(), 'r');
      await zk.create(`${root()}/a`, 'A');
      await zk.create(`${root()}/a/b`, 'B');
      await zk.create(`${root()}/c`, null);
      const { cache, events } = await startCache();
      expect(events).toEqual([
        `created ${root()} r`,
        `created ${root()}/a A`,
        `created ${root()}/c <null>`,
        `created ${root()}/a/b B`,
        'initialized',
      ]);
      expect(cache.childNames(root())).toEqual(['a', 'c']);
      expect(cache.get(`${root()}/a/b`)?.stat.version).toBe(0);
    });

    it('follows creates, data changes and deletes made by other clients, including a missing root', async () => {
      const zk = await members.plain();
      await zk.create('/tree').catch(() => undefined);
      const { cache, events } = await startCache();
      expect(events).toEqual(['initialized']);
      await zk.create(root(), 'r');
      await until(() => cache.get(root()) !== undefined, { timeoutMs: 10_000, what: 'the root' });
      await zk.create(`${root()}/x`, '1');
      await until(() => cache.get(`${root()}/x`) !== undefined, { timeoutMs: 10_000, what: 'x' });
      await zk.create(`${root()}/x/y`, '2');
      await until(() => cache.get(`${root()}/x/y`) !== undefined, { timeoutMs: 10_000, what: 'x/y' });
      await zk.setData(`${root()}/x`, '3');
      await until(() => text(cache.get(`${root()}/x`)?.data ?? null) === '3', { timeoutMs: 10_000, what: 'x = 3' });
      await zk.delete(`${root()}/x/y`);
      await zk.delete(`${root()}/x`);
      await until(() => cache.paths().length === 1, { timeoutMs: 10_000, what: 'x gone' });
      expect(events).toEqual([
        'initialized',
        `created ${root()} r`,
        `created ${root()}/x 1`,
        `created ${root()}/x/y 2`,
        `changed ${root()}/x 3`,
        `deleted ${root()}/x/y`,
        `deleted ${root()}/x`,
      ]);
    });

    it('converges with the server under concurrent writers', async () => {
      const writers = await Promise.all([1, 2, 3].map(() => members.plain()));
      await writers[0]!.create('/tree').catch(() => undefined);
      await writers[0]!.create(root());
      const { cache } = await startCache();
      // A cache must never go back to an older version of a node it already showed.
      const regressions: string[] = [];
      cache.on('changed', (p, node, previous) => {
        if (node.stat.czxid === previous.stat.czxid && node.stat.mzxid <= previous.stat.mzxid) regressions.push(p);
      });
      // Writers race on shared leaves; losing a race (NodeExists, NoNode) is part of the workload.
      const tolerate = (err: unknown): void => {
        if (!(err instanceof ZkError && (err.code === ErrorCode.NodeExists || err.code === ErrorCode.NoNode))) throw err;
      };
      await Promise.all(
        writers.map(async (w, i) => {
          await w.create(`${root()}/w${i}`, `${i}`);
          for (let n = 0; n < 20; n++) {
            const shared = `${root()}/shared${n % 3}`;
            if (n % 3 === 0) await w.create(shared, `${i}:${n}`).catch(tolerate);
            else if (n % 3 === 1) await w.setData(shared, `${i}:${n}`).then(() => undefined, tolerate);
            else await w.delete(shared).catch(tolerate);
            const own = `${root()}/w${i}/n${n % 4}`;
            if ((await w.exists(own)) === null) await w.create(own, `${n}`);
            else await w.setData(own, `${n}`);
          }
          await w.delete(`${root()}/w${i}/n0`);
        }),
      );
      await converged(cache, writers[0]!);
      expect(regressions).toEqual([]);
    });

    it('re-reads the subtree after a reconnect, so changes made while disconnected are not missed', async () => {
      const zk = await members.plain();
      await zk.create('/tree').catch(() => undefined);
      await zk.create(root(), 'r');
      await zk.create(`${root()}/keep`, 'k');
      await zk.create(`${root()}/gone`, 'g');
      await zk.create(`${root()}/gone/deep`, 'd');
      const m = await members.add();
      const cache = new TreeCache(m.managed, root(), { mode });
      caches.push(cache);
      const events: string[] = [];
      cache.on('created', (p) => events.push(`created ${p}`));
      cache.on('changed', (p, n) => events.push(`changed ${p} ${text(n.data)}`));
      cache.on('deleted', (p) => events.push(`deleted ${p}`));
      await cache.start({ timeoutMs: 15_000 });
      events.length = 0;
      await suspend(m, async () => {
        await zk.delete(`${root()}/gone/deep`);
        await zk.delete(`${root()}/gone`);
        await zk.setData(`${root()}/keep`, 'k2');
        await zk.create(`${root()}/new`, 'n');
      });
      await converged(cache, zk);
      expect(events.sort()).toEqual(
        [`changed ${root()}/keep k2`, `created ${root()}/new`, `deleted ${root()}/gone`, `deleted ${root()}/gone/deep`].sort(),
      );
      // Watching still works after the reconnect.
      await zk.setData(`${root()}/new`, 'n2');
      await until(() => text(cache.get(`${root()}/new`)?.data ?? null) === 'n2', { timeoutMs: 10_000, what: 'n2' });
    });

    it('keeps following on the replacement session after its session expires', async () => {
      const zk = await members.plain();
      await zk.create('/tree').catch(() => undefined);
      await zk.create(root(), 'r');
      const m = await members.add();
      // One of the cache owner's own ephemerals: it must vanish from the cache with the old session.
      await m.managed.client.create(`${root()}/mine`, 'e', { mode: 'ephemeral' });
      const cache = new TreeCache(m.managed, root(), { mode });
      caches.push(cache);
      await cache.start({ timeoutMs: 15_000 });
      expect(cache.get(`${root()}/mine`)).toBeDefined();
      await zk.create(`${root()}/before`, 'b');
      await until(() => cache.get(`${root()}/before`) !== undefined, { timeoutMs: 10_000, what: 'before' });
      await expireSession(server, m);
      await zk.create(`${root()}/after`, 'a');
      await converged(cache, zk);
      expect(cache.get(`${root()}/mine`)).toBeUndefined();
      await zk.setData(`${root()}/after`, 'a2');
      await until(() => text(cache.get(`${root()}/after`)?.data ?? null) === 'a2', { timeoutMs: 10_000, what: 'a2' });
    });
  });
});
