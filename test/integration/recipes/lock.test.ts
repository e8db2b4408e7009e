import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lock, LockNotHeldError, RecipeAbortedError, RecipeTimeoutError } from '../../../client/recipes/index.js';
import { until } from '../../helpers/until.js';
import { type TestServer, fourLetterWord } from '../client/zk-server.js';
import { Members, expireSession, describeEachTarget } from './harness.js';

describeEachTarget('Lock', (startServer) => {
  let server: TestServer;
  const members = new Members(() => server);
  let testNumber = 0;
  const lockPath = (): string => `/locks/l${testNumber}`;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    await members.closeAll();
    testNumber++;
  });

  it('lets one holder in at a time among concurrent clients, and everyone gets a turn', async () => {
    const contenders = await Promise.all([1, 2, 3, 4].map(() => members.add()));
    let inside = 0;
    let maxInside = 0;
    let turns = 0;
    await Promise.all(
      contenders.map(async (m) => {
        const lock = new Lock(m.managed, lockPath());
        for (let round = 0; round < 3; round++) {
          await lock.acquire({ timeoutMs: 30_000 });
          inside++;
          maxInside = Math.max(maxInside, inside);
          // Give the others a chance to run while the lock is held.
          await m.managed.client.exists('/');
          inside--;
          turns++;
          await lock.release();
        }
        await lock.close();
      }),
    );
    expect(maxInside).toBe(1);
    expect(turns).toBe(12);
    const observer = await members.plain();
    expect(await observer.getChildren(lockPath())).toEqual([]);
  });

  it('each waiter watches only its predecessor (no herd effect)', async () => {
    const contenders = await Promise.all([1, 2, 3, 4].map(() => members.add()));
    const locks = contenders.map((m) => new Lock(m.managed, lockPath()));
    const first = locks[0] as Lock;
    await first.acquire({ timeoutMs: 10_000 });
    const waiting = locks.slice(1).map((l) => l.acquire({ timeoutMs: 30_000 }));
    const nodes = await until(async () => {
      const n = await first.participantNodes();
      return n.length === 4 ? n : undefined;
    }, { timeoutMs: 10_000, what: 'four contenders' });
    // wchp lists each watched path with the sessions watching it.
    const watched = await until(async () => {
      const text = await fourLetterWord(server.port, 'wchp');
      return nodes.slice(0, 3).every((n) => text.includes(`${lockPath()}/${n}`)) ? text : undefined;
    }, { timeoutMs: 10_000, what: 'the predecessor watches' });
    for (const node of nodes.slice(0, 3)) {
      const section = watched.split(`${lockPath()}/${node}\n`)[1]?.split('\n/')[0] ?? '';
      expect(section.trim().split('\n').filter((l) => l.trim().startsWith('0x'))).toHaveLength(1);
    }
    expect(watched).not.toContain(`${lockPath()}/${nodes[3]}`);
    await first.release();
    // The waiters queued in whatever order their creates reached the server; each release
    // must hand the lock to exactly the next one.
    const order: number[] = [];
    for (let turn = 1; turn < 4; turn++) {
      const holder = await until(() => {
        const held = locks.map((l, i) => (l.isHeld ? i : -1)).filter((i) => i >= 0);
        expect(held.length).toBeLessThanOrEqual(1);
        return held.length === 1 ? locks[held[0]!] : undefined;
      }, { timeoutMs: 10_000, what: `holder number ${turn + 1}` });
      expect(holder.nodePath).toBe(`${lockPath()}/${nodes[turn]}`);
      order.push(locks.indexOf(holder));
      await holder.release();
    }
    expect(order.sort()).toEqual([1, 2, 3]);
    await Promise.all(waiting);
  });

  it('acquire times out with RecipeTimeoutError and leaves no node behind', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    const holder = new Lock(a.managed, lockPath());
    const other = new Lock(b.managed, lockPath());
    await holder.acquire();
    await expect(other.acquire({ timeoutMs: 300 })).rejects.toBeInstanceOf(RecipeTimeoutError);
    expect(other.isHeld).toBe(false);
    expect(await holder.participantNodes()).toHaveLength(1);
    await holder.release();
    await other.acquire({ timeoutMs: 10_000 });
    expect(other.isHeld).toBe(true);
  });

  it('acquire stops on an AbortSignal with RecipeAbortedError', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    const holder = new Lock(a.managed, lockPath());
    await holder.acquire();
    const controller = new AbortController();
    const waiter = new Lock(b.managed, lockPath());
    const pending = waiter.acquire({ signal: controller.signal });
    await until(async () => (await holder.participantNodes()).length === 2, { timeoutMs: 10_000, what: 'the waiter node' });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(RecipeAbortedError);
    await until(async () => (await holder.participantNodes()).length === 1, { timeoutMs: 10_000, what: 'the waiter node to go' });
  });

  it('release without holding rejects with LockNotHeldError', async () => {
    const a = await members.add();
    const lock = new Lock(a.managed, lockPath());
    await expect(lock.release()).rejects.toBeInstanceOf(LockNotHeldError);
  });

  it('a holder whose session expires learns it lost the lock, and the next waiter gets it', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    const holder = new Lock(a.managed, lockPath());
    const waiter = new Lock(b.managed, lockPath());
    let lostEvents = 0;
    holder.on('lost', () => lostEvents++);
    await holder.acquire();
    const waiting = waiter.acquire({ timeoutMs: 60_000 });
    await until(async () => (await holder.participantNodes()).length === 2, { timeoutMs: 10_000, what: 'the waiter node' });
    await expireSession(server, a);
    expect(lostEvents).toBe(1);
    expect(holder.isHeld).toBe(false);
    await waiting;
    expect(waiter.isHeld).toBe(true);
    // The holder can contend again on its replacement session.
    const again = holder.acquire({ timeoutMs: 60_000 });
    await waiter.release();
    await again;
    expect(holder.isHeld).toBe(true);
    await holder.release();
  });
});
