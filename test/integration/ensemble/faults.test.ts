/**
 * Corral ensembles (3 and 5 voters) under the faults of issue 4, as real processes: a paused leader
 * (SIGSTOP, then SIGCONT: it rejoins as a follower with no divergence), a follower that lost its
 * data dir (it syncs by SNAP), an observer (serves, does not vote), and a member that loses the
 * quorum (stops serving; its clients get ConnectionLoss and move on).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors.js';
import { ensemblePerTest, fourLetterWord, until } from '../../helpers/index.js';
import { treeDump } from './tree-dump.js';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

const fx = ensemblePerTest({ connectTimeoutMs: 20_000 });
const { client, member } = fx;

/**
 * Retries a create until the ensemble takes it (a member may be between leaders). A create whose
 * reply was lost (ConnectionLoss) may still have been applied, so NodeExists after a failed attempt
 * means the earlier attempt landed; NodeExists on the first attempt is a real failure.
 */
async function eventually<T>(what: string, write: () => Promise<T>): Promise<T | undefined> {
  let result: T | undefined;
  let failedBefore = false;
  await until(
    async () => {
      try {
        result = await write();
        return true;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === ErrorCode.NodeExists) {
          if (failedBefore) return true;
          throw error;
        }
        failedBefore = true;
        return false;
      }
    },
    { timeoutMs: 30_000, what },
  );
  return result;
}

/** The tree as every member serves it after a `sync`, one dump per member. */
async function dumpsOfEveryMember(indexes: readonly number[]): Promise<string[][]> {
  const dumps: string[][] = [];
  for (const index of indexes) {
    const reader = await client(member(index).connectString);
    await reader.sync('/');
    dumps.push(await treeDump(reader));
  }
  return dumps;
}

async function serverState(index: number): Promise<string> {
  return fourLetterWord(member(index).host, member(index).port, 'srvr', { timeoutMs: 2_000 }).catch(() => '');
}

describe('ensembles under faults', () => {
  it('a paused leader (SIGSTOP) is replaced; after SIGCONT it rejoins as a follower and every member serves the same tree', async () => {
    const ensemble = await fx.start(3);
    const old = await ensemble.leader();
    const others = [0, 1, 2].filter((i) => i !== old);
    const writer = await client(others.map((i) => member(i).connectString).join(','));
    await writer.create('/p');
    for (let i = 0; i < 20; i++) await writer.create(`/p/before-${i}`, bytes(`${i}`));
    // Writes in flight at the paused leader: each is either acknowledged (and then kept) or lost
    // with the connection, but never applied on some members only.
    const pinned = await client(member(old).connectString);
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      pinned.create(`/p/inflight-${i}`).then(
        (path) => path,
        () => null,
      ),
    );
    await member(old).kill('SIGSTOP');
    const next = await ensemble.leader(30_000);
    expect(others).toContain(next);
    for (let i = 0; i < 20; i++) await eventually('a write while the old leader is paused', () => writer.create(`/p/paused-${i}`, bytes(`${i}`)));
    await writer.setData('/p', bytes('changed'));
    await member(old).kill('SIGCONT');
    await until(async () => (await ensemble.modes())[old] === 'follower', { timeoutMs: 30_000, what: 'the old leader to follow' });
    await writer.create('/p/after');
    const acknowledged = (await Promise.all(inFlight)).filter((path): path is string => path !== null);
    const [first, ...rest] = await dumpsOfEveryMember([0, 1, 2]);
    const inFlightKept = first?.filter((line) => line.startsWith('/p/inflight-')).length ?? 0;
    expect(inFlightKept).toBeGreaterThanOrEqual(acknowledged.length);
    for (const path of acknowledged) expect(first?.some((line) => line.startsWith(`${path} `))).toBe(true);
    expect(first?.find((line) => line.startsWith('/p '))).toMatch(new RegExp(`^/p data=changed v=1 cv=${41 + inFlightKept} `));
    expect(first?.filter((line) => line.startsWith('/p/'))).toHaveLength(41 + inFlightKept);
    for (const dump of rest) expect(dump).toEqual(first);
  });

  it('a follower restarted after losing its data dir syncs by SNAP and serves the same tree', async () => {
    const ensemble = await fx.start(3);
    const leader = await ensemble.leader();
    const follower = [0, 1, 2].find((i) => i !== leader) as number;
    const writer = await client(member(leader).connectString);
    await writer.create('/s');
    // More txns than a leader keeps in memory for DIFF syncs (logKeepCount 500), so a member
    // starting from nothing must get a snapshot.
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => writer.create(`/s/n-${batch}-${i}`, bytes(`${batch}.${i}`))));
    }
    await member(follower).kill('SIGKILL');
    for (const name of readdirSync(member(follower).dataDir)) {
      if (name !== 'myid') rmSync(join(member(follower).dataDir, name), { recursive: true, force: true });
    }
    await writer.create('/s/while-down');
    await member(follower).restart();
    await until(async () => (await ensemble.modes())[follower] === 'follower', { timeoutMs: 30_000, what: 'the wiped follower to follow' });
    const snapshots = readdirSync(join(member(follower).dataDir, 'version-2')).filter((name) => name.startsWith('snapshot.'));
    expect(snapshots.length).toBeGreaterThan(0);
    const [first, ...rest] = await dumpsOfEveryMember([0, 1, 2]);
    expect(first?.filter((line) => line.startsWith('/s/'))).toHaveLength(801);
    for (const dump of rest) expect(dump).toEqual(first);
  });

  it('an observer receives commits, serves reads and forwarded writes, and does not vote', async () => {
    const ensemble = await fx.start(3, {}, { observers: 1 });
    const leader = await ensemble.leader();
    await until(async () => (await ensemble.modes())[3] === 'observer', { timeoutMs: 30_000, what: 'the observer to observe' });
    const viaObserver = await client(member(3).connectString);
    await viaObserver.create('/o', bytes('from-observer'));
    const viaVoter = await client(member(leader).connectString);
    await viaVoter.create('/o/from-voter');
    await viaObserver.sync('/o');
    expect(await viaObserver.getChildren('/o')).toEqual(['from-voter']);
    expect(new TextDecoder().decode((await viaVoter.getData('/o')).data ?? new Uint8Array())).toBe('from-observer');
    // Two of three voters gone: the last voter and the observer are two of four members, which
    // would be a majority if the observer voted.
    const voters = [0, 1, 2].filter((i) => i !== leader);
    await member(voters[0] as number).kill('SIGKILL');
    await member(leader).kill('SIGKILL');
    await until(async () => (await serverState(3)).includes('not currently serving'), { timeoutMs: 30_000, what: 'the observer to stop serving' });
    await until(async () => (await serverState(voters[1] as number)).includes('not currently serving'), { timeoutMs: 30_000, what: 'the last voter to stop serving' });
  });

  it('a member that loses the quorum stops serving; its client gets ConnectionLoss and moves on with its session', async () => {
    const ensemble = await fx.start(3);
    const leader = await ensemble.leader();
    const lonely = [0, 1, 2].find((i) => i !== leader) as number;
    const gone = [0, 1, 2].filter((i) => i !== lonely);
    const c = await client(member(lonely).connectString, 30_000);
    await c.create('/q');
    const states: string[] = [];
    c.onState((state) => states.push(state));
    const sessionId = c.sessionId;
    for (const i of gone) await member(i).kill('SIGKILL');
    // The sync needs the (dead) leader, so it is still in flight when the member stops serving.
    const failed = await c.sync('/q').then(
      () => null,
      (error: { code?: number }) => error.code,
    );
    expect(failed).toBe(ErrorCode.ConnectionLoss);
    expect(states).toContain('disconnected');
    await until(async () => (await serverState(lonely)).includes('not currently serving'), { timeoutMs: 30_000, what: 'the lonely member to stop serving' });
    await member(gone[0] as number).restart();
    await eventually('a write once the quorum is back', () => c.create('/q/back'));
    expect(c.sessionId).toBe(sessionId);
    expect(await c.getChildren('/q')).toEqual(['back']);
  });

  it('5 voters keep serving with two members down and stop with three', async () => {
    const ensemble = await fx.start(5);
    const leader = await ensemble.leader();
    const down = [0, 1, 2, 3, 4].filter((i) => i !== leader).slice(0, 2);
    const survivor = [0, 1, 2, 3, 4].find((i) => i !== leader && !down.includes(i)) as number;
    const c = await client([0, 1, 2, 3, 4].filter((i) => !down.includes(i)).map((i) => member(i).connectString).join(','));
    await c.create('/five');
    for (const i of down) await member(i).kill('SIGKILL');
    for (let i = 0; i < 10; i++) await eventually('a write with two of five down', () => c.create(`/five/n-${i}`));
    await member(leader).kill('SIGKILL');
    await until(async () => (await serverState(survivor)).includes('not currently serving'), { timeoutMs: 30_000, what: 'two of five to stop serving' });
    for (const i of [...down, leader]) await member(i).restart();
    await until(async () => (await ensemble.modes()).filter((m) => m === 'leader' || m === 'follower').length === 5, { timeoutMs: 60_000, what: 'all five back' });
    const [first, ...rest] = await dumpsOfEveryMember([0, 1, 2, 3, 4]);
    expect(first?.filter((line) => line.startsWith('/five/'))).toHaveLength(10);
    for (const dump of rest) expect(dump).toEqual(first);
  });

  it('a follower restarted while the leader stays makes new sessions and writes (its request ids and session ids do not repeat)', async () => {
    const ensemble = await fx.start(3);
    const leader = await ensemble.leader();
    const follower = [0, 1, 2].find((i) => i !== leader) as number;
    const before = await client(member(follower).connectString);
    const connectedMs = performance.now();
    for (let i = 0; i < 5; i++) await before.create(`/r-${i}`);
    await member(follower).kill('SIGKILL');
    const restartMs = performance.now();
    await member(follower).restart();
    await until(async () => (await ensemble.modes())[follower] === 'follower', { timeoutMs: 30_000, what: 'the follower to rejoin' });
    const after = await client(member(follower).connectString);
    // Session ids are seeded with time since boot (reference §2.4), so the restarted process
    // continues past the ids of its previous run instead of starting over near 0.
    const timeOf = (id: bigint): bigint => (id >> 16n) & 0xff_ffff_ffffn;
    expect(timeOf(after.sessionId) - timeOf(before.sessionId) >= BigInt(Math.floor(restartMs - connectedMs))).toBe(true);
    for (let i = 0; i < 5; i++) await after.create(`/r-after-${i}`);
    expect((await after.getChildren('/')).filter((name) => name.startsWith('r-'))).toHaveLength(10);
  });
});
