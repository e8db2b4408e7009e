/**
 * The client-facing scenarios of the interop and client suites against a 3-member Corral
 * ensemble, each client on a different member: node-zookeeper-client CRUD, watches and multi
 * (test/interop/{crud,watches,multi}.test.ts), concurrent sequential creates, and the client
 * suite's kill -9/restart failover. Where a client reads what a client of another member wrote,
 * a `sync` through the reading member comes first (reference §8: reads are served locally).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZkClient, type WatchedEvent } from '../../../client/index.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { EventType } from '../../../protocol/index.js';
import { fourLetterWord, reapAll, until, type ServerHandle } from '../../helpers/index.js';
import { startCorralEnsemble, type CorralEnsemble } from '../../helpers/corral-ensemble.js';
import { codeOf, CreateMode, InteropClient } from '../../interop/zk-client.js';

let ensemble: CorralEnsemble | undefined;
const interop: InteropClient[] = [];
const native: ZkClient[] = [];
/** One ZkClient per member, used only to `sync` that member. */
const syncers: ZkClient[] = [];

function member(index: number): ServerHandle {
  const m = ensemble?.members[index];
  if (m === undefined) throw new Error(`no member ${index}`);
  return m;
}

/** A node-zookeeper-client session on member `index` only. */
async function on(index: number): Promise<InteropClient> {
  const c = await InteropClient.connect(member(index).connectString, { timeoutMs: 15_000 });
  interop.push(c);
  return c;
}

/** Makes member `index` apply everything the leader committed so far (a sync from any of its sessions). */
async function syncMember(index: number): Promise<void> {
  await syncers[index]?.sync('/');
}

async function nativeClient(connectString: string, options: { sessionTimeoutMs?: number } = {}): Promise<ZkClient> {
  const c = new ZkClient(connectString, { sessionTimeoutMs: options.sessionTimeoutMs ?? 20_000, backoffMsMin: 50, backoffMsMax: 300, requestTimeoutMs: 30_000 });
  native.push(c);
  // A member may be between leaders (or rejoining) for a while on this loaded machine.
  await c.connect({ timeoutMs: 30_000 });
  return c;
}

beforeAll(async () => {
  ensemble = await startCorralEnsemble(3);
  await until(async () => (await ensemble?.modes())?.every((m) => m === 'leader' || m === 'follower'), { timeoutMs: 30_000, what: 'every member serving' });
  for (let i = 0; i < 3; i++) syncers.push(await nativeClient(member(i).connectString));
});

afterEach(async () => {
  await Promise.all(interop.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  for (const c of [...native.splice(0), ...syncers.splice(0)]) c.destroy();
  await ensemble?.dispose();
  await reapAll();
});

describe('node-zookeeper-client scenarios with each client on a different member', () => {
  it('CRUD: versions, stats and errors agree across members', async () => {
    const [a, b, c] = [await on(0), await on(1), await on(2)];
    expect(await a.create('/crud', 'v0')).toBe('/crud');
    await syncMember(1);
    const first = await b.getData('/crud');
    expect(first.data).toBe('v0');
    expect(first.stat).toMatchObject({ version: 0, cversion: 0, aversion: 0, dataLength: 2, numChildren: 0, ephemeralOwner: 0n });
    const set = await b.setData('/crud', 'v1', 0);
    expect(set.mzxid > set.czxid).toBe(true);
    // Writes are checked by the leader against the latest state, whichever member takes them.
    expect(await codeOf(c.setData('/crud', 'v2', 0))).toBe(ErrorCode.BadVersion);
    expect(await codeOf(c.create('/crud', 'again'))).toBe(ErrorCode.NodeExists);
    expect(await codeOf(c.create('/missing/child'))).toBe(ErrorCode.NoNode);
    await syncMember(2);
    expect((await c.getData('/crud')).stat).toEqual(set);
    await a.create('/crud/child');
    expect(await codeOf(c.remove('/crud'))).toBe(ErrorCode.NotEmpty);
    await c.remove('/crud/child');
    await c.remove('/crud', 1);
    await syncMember(0);
    expect(await a.exists('/crud')).toBeNull();
  });

  it('ephemerals belong to their session wherever it is read, and go when it closes', async () => {
    const [owner, watcher] = [await on(0), await on(1)];
    await owner.create('/eph', null, { mode: CreateMode.ephemeral });
    await syncMember(1);
    const stat = await watcher.exists('/eph', { watch: true });
    expect(stat?.ephemeralOwner).not.toBe(0n);
    await owner.close();
    await until(() => watcher.events.length === 1, { timeoutMs: 10_000, what: 'NodeDeleted through another member' });
    expect(watcher.events[0]).toMatchObject({ type: EventType.NodeDeleted, path: '/eph' });
    expect(await watcher.exists('/eph')).toBeNull();
  });

  it('watches set through one member fire for writes through another, once, in write order', async () => {
    const [writer, watcher] = [await on(0), await on(2)];
    await writer.create('/w', 'x');
    await syncMember(2);
    await watcher.getData('/w', { watch: true });
    await watcher.getChildren('/w', { watch: true });
    await writer.setData('/w', 'y');
    await writer.create('/w/c');
    await writer.setData('/w', 'z');
    await until(() => watcher.events.length === 2, { timeoutMs: 10_000, what: 'two events' });
    expect(watcher.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, '/w'],
      [EventType.NodeChildrenChanged, '/w'],
    ]);
    await syncMember(2);
    expect((await watcher.getData('/w')).data).toBe('z');
  });

  it('multi through a follower: all or nothing, results per op, seen the same on every member', async () => {
    const [a, b] = [await on(1), await on(2)];
    const ok = await a.multi((t) => t.create('/m', 'm').create('/m/1').setData('/m', 'n', 0).check('/m', 1));
    expect(ok.err).toBe(ErrorCode.Ok);
    expect(ok.results.map((r) => r.err)).toEqual([0, 0, 0, 0]);
    const failed = await b.multi((t) => t.create('/m/2').remove('/nonexistent').setData('/m', 'o'));
    expect(failed.results.map((r) => r.err)).toEqual([ErrorCode.Ok, ErrorCode.NoNode, ErrorCode.RuntimeInconsistency]);
    for (const [index, c] of [[1, a], [2, b]] as const) {
      await syncMember(index);
      expect((await c.getChildren('/m')).children).toEqual(['1']);
      expect((await c.getData('/m')).data).toBe('n');
    }
  });

  it('sequential creates from clients of every member get unique, gapless suffixes', async () => {
    const clients = [await on(0), await on(1), await on(2)];
    await clients[0]?.create('/seq');
    const made = await Promise.all(
      clients.flatMap((c) => Array.from({ length: 10 }, () => c.create('/seq/n-', null, { mode: CreateMode.persistentSequential }))),
    );
    expect(new Set(made).size).toBe(30);
    expect(made.map((p) => Number(p.slice('/seq/n-'.length))).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

describe('ZkClient failover in a 3-member ensemble', () => {
  it('survives kill -9 and restart of its member: session, ephemerals and watches kept, in-flight requests fail with ConnectionLoss', async () => {
    const ens = ensemble as CorralEnsemble;
    const c = await nativeClient(ens.connectString, { sessionTimeoutMs: 20_000 });
    await c.create('/f');
    await c.create('/f/eph', null, { mode: 'ephemeral' });
    await c.create('/f/data', new TextEncoder().encode('before'));
    const sessionId = c.sessionId;
    const dataEvents: WatchedEvent[] = [];
    const recursiveEvents: WatchedEvent[] = [];
    await c.getData('/f/data', { watch: (e) => dataEvents.push(e) });
    await c.addWatch('/f/sub', 'persistentRecursive', (e) => recursiveEvents.push(e));
    const states: string[] = [];
    c.onState((s) => states.push(s));
    const sid = `sid=0x${sessionId.toString(16)}`;
    const connected = await until(
      async () => {
        for (let i = 0; i < 3; i++) if ((await fourLetterWord(member(i).host, member(i).port, 'cons')).includes(sid)) return i + 1;
        return 0;
      },
      { timeoutMs: 10_000, what: 'the member holding the session' },
    );
    const index = connected - 1;

    // Paused, the member holds the request unanswered; killed, the request fails.
    await member(index).kill('SIGSTOP');
    const inFlight = c.getData('/f/data').then(
      () => null,
      (error: { code?: number }) => error.code,
    );
    await member(index).kill('SIGKILL');
    expect(await inFlight).toBe(ErrorCode.ConnectionLoss);
    await until(() => c.state === 'connected' && states.includes('disconnected'), { timeoutMs: 30_000, what: 'reconnected to another member' });
    expect(c.sessionId).toBe(sessionId);
    // If the killed member led, the client may have reconnected to a member that has not yet
    // noticed and then stops serving for the election (as ZooKeeper's followers do), so the
    // client may go round disconnected → connected more than once, but never expires; persistent
    // watches get no catch-up events after such a reconnect (reference §7.5, as in ZooKeeper). So
    // check and write only once a new leader serves and the client's member answers a sync.
    await ens.leader(30_000);
    // A sync that fails with ConnectionLoss is retried by until().
    await until(async () => c.state === 'connected' && (await c.sync('/f'), true), {
      timeoutMs: 30_000,
      what: 'a sync through the member the client is on',
    });
    expect(states.length % 2).toBe(0);
    expect(states).toEqual(states.map((_, i) => (i % 2 === 0 ? 'disconnected' : 'connected')));
    expect(c.sessionId).toBe(sessionId);
    expect(await c.exists('/f/eph')).not.toBeNull();

    const other = [0, 1, 2].find((i) => i !== index) as number;
    const writer = await nativeClient(member(other).connectString);
    await writer.setData('/f/data', new TextEncoder().encode('after'));
    await writer.create('/f/sub');
    await writer.create('/f/sub/x');
    await until(() => dataEvents.length === 1 && recursiveEvents.length === 2, { timeoutMs: 10_000, what: 'events after failover' });
    expect(dataEvents[0]).toMatchObject({ type: EventType.NodeDataChanged, path: '/f/data' });
    expect(recursiveEvents.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeCreated, '/f/sub'],
      [EventType.NodeCreated, '/f/sub/x'],
    ]);

    await member(index).restart();
    await until(async () => ['leader', 'follower'].includes((await ens.modes())[index] ?? ''), { timeoutMs: 30_000, what: 'the killed member to rejoin' });
    const back = await nativeClient(member(index).connectString);
    await back.sync('/f');
    expect((await back.getChildren('/f')).sort()).toEqual(['data', 'eph', 'sub']);
  });
});
