import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderLatch, RecipeClosedError, RecipeTimeoutError } from '../../../client/recipes/index.js';
import { until } from '../../helpers/until.js';
import type { TestServer } from '../client/zk-server.js';
import { type Member, Members, expireSession, suspend, describeEachTarget } from './harness.js';

describeEachTarget('LeaderLatch', (startServer) => {
  let server: TestServer;
  const members = new Members(() => server);
  let testNumber = 0;
  const latchPath = (): string => `/election/e${testNumber}`;
  const latches: LeaderLatch[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    for (const l of latches.splice(0)) await l.close();
    await members.closeAll();
    testNumber++;
  });

  async function join(member: Member, id: string): Promise<LeaderLatch> {
    const latch = new LeaderLatch(member.managed, latchPath(), { id });
    latches.push(latch);
    await latch.start();
    return latch;
  }

  const leaders = (all: readonly LeaderLatch[]): string[] => all.filter((l) => l.isLeader).map((l) => l.id);

  it('elects exactly one leader among concurrent participants, the earliest, and passes it on in order', async () => {
    const ms = await Promise.all([1, 2, 3].map(() => members.add()));
    const all: LeaderLatch[] = [];
    for (const [i, m] of ms.entries()) all.push(await join(m, `p${i}`));
    await until(() => leaders(all).length === 1, { timeoutMs: 10_000, what: 'one leader' });
    expect(leaders(all)).toEqual(['p0']);
    const participants = await all[2]!.participants();
    expect(participants.map((p) => [p.id, p.isLeader])).toEqual([['p0', true], ['p1', false], ['p2', false]]);
    await all[0]!.close();
    await all[1]!.awaitLeadership({ timeoutMs: 10_000 });
    expect(leaders(all)).toEqual(['p1']);
    await all[1]!.close();
    await all[2]!.awaitLeadership({ timeoutMs: 10_000 });
    expect(leaders(all)).toEqual(['p2']);
  });

  it('start() is idempotent and starting many at once still yields one leader', async () => {
    const ms = await Promise.all([1, 2, 3, 4].map(() => members.add()));
    const all = ms.map((m, i) => {
      const latch = new LeaderLatch(m.managed, latchPath(), { id: `c${i}` });
      latches.push(latch);
      return latch;
    });
    await Promise.all(all.flatMap((l) => [l.start(), l.start()]));
    await until(() => leaders(all).length === 1, { timeoutMs: 10_000, what: 'one leader' });
    expect(await all[0]!.participants()).toHaveLength(4);
  });

  it('awaitLeadership times out with RecipeTimeoutError, and rejects with RecipeClosedError on close', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    await join(a, 'a');
    const follower = await join(b, 'b');
    await expect(follower.awaitLeadership({ timeoutMs: 200 })).rejects.toBeInstanceOf(RecipeTimeoutError);
    const waiting = follower.awaitLeadership();
    await follower.close();
    await expect(waiting).rejects.toBeInstanceOf(RecipeClosedError);
  });

  it('a leader that loses its connection reports notLeader at once and leads again after reconnecting', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    const leader = await join(a, 'a');
    const follower = await join(b, 'b');
    await leader.awaitLeadership({ timeoutMs: 10_000 });
    const seen: string[] = [];
    leader.on('isLeader', () => seen.push('isLeader'));
    leader.on('notLeader', () => seen.push('notLeader'));
    await suspend(a, async () => {
      await until(() => !leader.isLeader, { timeoutMs: 10_000, what: 'notLeader while cut off' });
    });
    // Same session: its node is still first, so it leads again; nobody else led meanwhile.
    await leader.awaitLeadership({ timeoutMs: 10_000 });
    expect(seen).toEqual(['notLeader', 'isLeader']);
    expect(follower.isLeader).toBe(false);
    expect(a.events).toEqual(['connected', 'suspended', 'reconnected']);
  });

  it('after its session expires the leader steps down, another leads, and it re-joins on a new session', async () => {
    const [a, b] = await Promise.all([members.add(), members.add()]);
    const leader = await join(a, 'a');
    const follower = await join(b, 'b');
    await leader.awaitLeadership({ timeoutMs: 10_000 });
    const oldNode = leader.nodePath;
    const leaderStates: boolean[] = [];
    const followerStates: boolean[] = [];
    leader.on('notLeader', () => leaderStates.push(false));
    leader.on('isLeader', () => leaderStates.push(true));
    follower.on('isLeader', () => followerStates.push(true));
    await expireSession(server, a);
    await follower.awaitLeadership({ timeoutMs: 15_000 });
    expect(leader.isLeader).toBe(false);
    expect(leaderStates).toEqual([false]);
    await until(async () => (await follower.participants()).length === 2, { timeoutMs: 15_000, what: 're-join' });
    const participants = await follower.participants();
    expect(participants.map((p) => p.id)).toEqual(['b', 'a']);
    expect(leader.nodePath).not.toBe(oldNode);
    expect(a.managed.generation).toBe(1);
    await follower.close();
    await leader.awaitLeadership({ timeoutMs: 10_000 });
    expect(leaderStates).toEqual([false, true]);
  });
});
