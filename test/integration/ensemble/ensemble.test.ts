/**
 * A 3-member Corral ensemble as real processes: writes through any member reach every member,
 * sessions are global, and after kill -9 of the leader a new one is elected, writes resume,
 * nothing acknowledged is lost, clients keep their sessions and ephemerals, and the old leader
 * catches up when it comes back.
 */
import { describe, expect, it } from 'vitest';
import { ensemblePerTest, until } from '../../helpers/index.js';

const text = (data: Uint8Array | null): string => new TextDecoder().decode(data ?? new Uint8Array());
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

const fx = ensemblePerTest();
const client = fx.client;

describe('3-member ensemble', () => {
  it('replicates writes made through any member to every member', async () => {
    const ensemble = await fx.start(3);
    const members = ensemble.members;
    const writers = await Promise.all(members.map((m) => client(m.connectString)));
    await writers[0]?.create('/r');
    for (const [i, writer] of writers.entries()) await writer.create(`/r/from-${i}`, bytes(`v${i}`));
    for (const m of members) {
      const reader = await client(m.connectString);
      await reader.sync('/r');
      expect((await reader.getChildren('/r')).sort()).toEqual(['from-0', 'from-1', 'from-2']);
      expect(text((await reader.getData('/r/from-2')).data)).toBe('v2');
    }
    const modes = await ensemble.modes();
    expect(modes.filter((mode) => mode === 'leader')).toHaveLength(1);
    expect(modes.filter((mode) => mode === 'follower')).toHaveLength(2);
  });

  it('sessions are global: a watch set through one member fires for a write through another', async () => {
    const ensemble = await fx.start(3);
    const [a, b] = [await client(ensemble.members[0]?.connectString ?? ''), await client(ensemble.members[1]?.connectString ?? '')];
    const events: string[] = [];
    await a.exists('/w', { watch: (event) => events.push(`${event.type}:${event.path}`) });
    await b.create('/w');
    await until(() => events.length === 1, { timeoutMs: 10_000, what: 'the NodeCreated event' });
    expect(events).toEqual(['1:/w']);
    await a.create('/w/e', null, { mode: 'ephemeral' });
    await a.close();
    await b.sync('/w');
    expect(await b.getChildren('/w')).toEqual([]);
  });

  it('survives kill -9 of the leader: writes resume, nothing acknowledged is lost, sessions and ephemerals stay', async () => {
    const ensemble = await fx.start(3);
    const leaderIndex = await ensemble.leader();
    const c = await client(ensemble.connectString, 20_000);
    await c.create('/k');
    await c.create('/k/eph', null, { mode: 'ephemeral' });
    const acknowledged: string[] = [];
    for (let i = 0; i < 50; i++) acknowledged.push(await c.create(`/k/n-`, bytes(`${i}`), { mode: 'persistentSequential' }));
    const sessionId = c.sessionId;
    await ensemble.members[leaderIndex]?.kill('SIGKILL');
    const newLeader = await ensemble.leader(30_000);
    expect(newLeader).not.toBe(leaderIndex);
    // Writes resume through the same client (it fails over to a live member, same session).
    await until(
      async () => {
        try {
          acknowledged.push(await c.create(`/k/n-`, bytes('after'), { mode: 'persistentSequential' }));
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30_000, what: 'a write after the leader died' },
    );
    expect(c.sessionId).toBe(sessionId);
    const children = await c.getChildren('/k');
    for (const path of acknowledged) expect(children).toContain(path.slice('/k/'.length));
    expect(children).toContain('eph');
    // The old leader comes back and catches up.
    await ensemble.members[leaderIndex]?.restart();
    const back = await client(ensemble.members[leaderIndex]?.connectString ?? '');
    await until(
      async () => {
        await back.sync('/k');
        return (await back.getChildren('/k')).length === children.length;
      },
      { timeoutMs: 30_000, what: 'the old leader to catch up' },
    );
  });
});
