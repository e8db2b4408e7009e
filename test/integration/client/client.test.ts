import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type WatchedEvent, ZkClient, type ZkClientOptions, isTransactionError } from '../../../client/index.js';
import {
  CREATOR_ALL_ACL,
  ErrorCode,
  EventType,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  ZkError,
  digestAuthId,
} from '../../../protocol/index.js';
import { CuttableProxy } from '../recipes/proxy.js';
import { startSuiteServer, type SuiteServer, suiteTargets, unavailableReason, until, type Target } from './zk-server.js';

function suiteName(target: Target, skipReason: string | undefined): string {
  return skipReason === undefined ? `client against ${target}` : `client against ${target} (skipped: ${skipReason})`;
}

const text = (data: Uint8Array | null): string | null => (data === null ? null : new TextDecoder().decode(data));

async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ZkError) return err.code;
    throw err;
  }
  throw new Error('expected a ZkError, but the call succeeded');
}

describe.each(suiteTargets)('client suite', (target) => {
  const skipReason = unavailableReason(target);
  describe.skipIf(skipReason !== undefined)(suiteName(target, skipReason), () => {
  let server: SuiteServer;
  const clients: ZkClient[] = [];
  let testNumber = 0;
  let root = '';

  async function client(options: ZkClientOptions & { chroot?: string } = {}): Promise<ZkClient> {
    const c = new ZkClient(server.nextConnectString() + (options.chroot ?? ''), { sessionTimeoutMs: 20_000, ...options });
    clients.push(c);
    await c.connect({ timeoutMs: 15_000 });
    return c;
  }

  beforeAll(async () => {
    server = await startSuiteServer(target);
  });

  afterAll(async () => {
    await server?.destroy();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  // Each test works under its own fresh root so tests do not see each other's nodes.
  async function freshRoot(c: ZkClient): Promise<string> {
    testNumber++;
    root = `/t${testNumber}`;
    await c.create(root);
    return root;
  }

  it('connects, reports states, and closes', async () => {
    const c = new ZkClient(server.nextConnectString(), { sessionTimeoutMs: 20_000 });
    const states = c.states();
    const seen: string[] = [];
    c.onState((s) => seen.push(s));
    await c.connect({ timeoutMs: 15_000 });
    expect(c.state).toBe('connected');
    expect(c.sessionId).not.toBe(0n);
    expect(c.negotiatedTimeoutMs).toBe(20_000);
    await c.close();
    const collected: string[] = [];
    for await (const s of states) collected.push(s);
    expect(collected).toEqual(['connected', 'closed']);
    expect(seen).toEqual(['connected', 'closed']);
    expect(await codeOf(c.exists('/'))).toBe(ErrorCode.SessionExpired);
  });

  it('create in every mode returns the actual path; create2 returns the Stat', async () => {
    const c = await client();
    const r = await freshRoot(c);
    expect(await c.create(`${r}/p`, 'x')).toBe(`${r}/p`);
    expect(await c.create(`${r}/e`, null, { mode: 'ephemeral' })).toBe(`${r}/e`);
    expect(await c.create(`${r}/s-`, null, { mode: 'persistentSequential' })).toBe(`${r}/s-0000000002`);
    expect(await c.create(`${r}/es-`, null, { mode: 'ephemeralSequential' })).toBe(`${r}/es-0000000003`);
    expect(await c.create(`${r}/c`, null, { mode: 'container' })).toBe(`${r}/c`);
    expect(await c.create(`${r}/ttl`, null, { mode: 'persistentWithTtl', ttlMs: 60_000 })).toBe(`${r}/ttl`);
    const created = await c.create2(`${r}/two`, 'abc');
    expect(created.path).toBe(`${r}/two`);
    expect(created.stat.dataLength).toBe(3);
    expect(created.stat.version).toBe(0);
    expect((await c.exists(`${r}/e`))?.ephemeralOwner).toBe(c.sessionId);
    expect((await c.exists(`${r}/p`))?.ephemeralOwner).toBe(0n);
    expect((await c.getChildren(r)).sort()).toEqual(['c', 'e', 'es-0000000003', 'p', 's-0000000002', 'ttl', 'two']);
  });

  it('errors carry the ZooKeeper code and the path', async () => {
    const c = await client();
    const r = await freshRoot(c);
    await c.create(`${r}/a`, 'x');
    await c.create(`${r}/a/child`);
    await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
    expect(await codeOf(c.create(`${r}/a`))).toBe(ErrorCode.NodeExists);
    expect(await codeOf(c.create(`${r}/missing/x`))).toBe(ErrorCode.NoNode);
    expect(await codeOf(c.create(`${r}/eph/x`))).toBe(ErrorCode.NoChildrenForEphemerals);
    expect(await codeOf(c.delete(`${r}/a`))).toBe(ErrorCode.NotEmpty);
    expect(await codeOf(c.delete(`${r}/a/child`, 5))).toBe(ErrorCode.BadVersion);
    expect(await codeOf(c.setData(`${r}/a`, 'y', 7))).toBe(ErrorCode.BadVersion);
    expect(await codeOf(c.getData(`${r}/nope`))).toBe(ErrorCode.NoNode);
    expect(await codeOf(c.create('/bad/', null))).toBe(ErrorCode.BadArguments);
    expect(await codeOf(c.create(`${r}/acl`, null, { acl: [] }))).toBe(ErrorCode.InvalidAcl);
    expect(await codeOf(c.delete('/zookeeper'))).toBe(ErrorCode.BadArguments);
    const err = await c.getData(`${r}/nope`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkError);
    expect((err as ZkError).path).toBe(`${r}/nope`);
  });

  it('reads and writes: exists, getData (null vs empty), setData, delete, getChildren, sync, counts', async () => {
    const c = await client();
    const r = await freshRoot(c);
    expect(await c.exists(`${r}/n`)).toBeNull();
    await c.create(`${r}/n`, null);
    await c.create(`${r}/empty`, '');
    expect((await c.getData(`${r}/n`)).data).toBeNull();
    expect(text((await c.getData(`${r}/empty`)).data)).toBe('');
    const stat = await c.setData(`${r}/n`, 'v1', 0);
    expect(stat.version).toBe(1);
    const { data, stat: after } = await c.getData(`${r}/n`);
    expect(text(data)).toBe('v1');
    expect(after.mzxid).toBe(stat.mzxid);
    await c.create(`${r}/n/k1`);
    await c.create(`${r}/n/k1/g`);
    const withStat = await c.getChildrenWithStat(`${r}/n`);
    expect(withStat.children).toEqual(['k1']);
    expect(withStat.stat.numChildren).toBe(1);
    expect(await c.getAllChildrenNumber(`${r}/n`)).toBe(2);
    await c.sync(`${r}/n`);
    await c.delete(`${r}/n/k1/g`, 0);
    expect(await c.exists(`${r}/n/k1/g`)).toBeNull();
    expect(c.lastZxidSeen).toBeGreaterThan(0n);
  });

  it('getACL, setACL with aversion, and digest auth gating access', async () => {
    const owner = await client();
    const r = await freshRoot(owner);
    await owner.addAuth('digest', 'bob:secret');
    await owner.create(`${r}/private`, 'hidden', { acl: CREATOR_ALL_ACL });
    const { acl } = await owner.getACL(`${r}/private`);
    expect(acl).toEqual([{ perms: Perms.All, id: { scheme: 'digest', id: digestAuthId('bob', 'secret') } }]);
    const other = await client();
    expect(await codeOf(other.getData(`${r}/private`))).toBe(ErrorCode.NoAuth);
    await other.addAuth('digest', 'bob:secret');
    expect(text((await other.getData(`${r}/private`)).data)).toBe('hidden');
    const who = await other.whoAmI();
    expect(who).toContainEqual({ authScheme: 'digest', user: 'bob' });
    await owner.create(`${r}/open`);
    expect(await codeOf(owner.setACL(`${r}/open`, READ_ACL_UNSAFE, 3))).toBe(ErrorCode.BadVersion);
    const stat = await owner.setACL(`${r}/open`, READ_ACL_UNSAFE, 0);
    expect(stat.aversion).toBe(1);
    expect(await codeOf(other.setData(`${r}/open`, 'x'))).toBe(ErrorCode.NoAuth);
    expect((await owner.getACL(`${r}/open`)).acl).toEqual(READ_ACL_UNSAFE);
    await owner.create(`${r}/reopened`, null, { acl: OPEN_ACL_UNSAFE });
    await other.setData(`${r}/reopened`, 'x');
  });

  it('an auth packet for an unknown scheme fails the session with AuthFailed', async () => {
    const c = await client();
    expect(await codeOf(c.addAuth('nosuchscheme', 'x'))).toBe(ErrorCode.AuthFailed);
    expect(c.state).toBe('authFailed');
    expect(await codeOf(c.exists('/'))).toBe(ErrorCode.AuthFailed);
  });

  it('one-shot watches fire once with the right event type', async () => {
    const c = await client();
    const writer = await client();
    const r = await freshRoot(c);
    await c.create(`${r}/w`, 'a');
    const events: WatchedEvent[] = [];
    const record = (e: WatchedEvent): void => {
      events.push(e);
    };
    await c.getData(`${r}/w`, { watch: record });
    expect(await c.exists(`${r}/later`, { watch: record })).toBeNull();
    await c.getChildren(r, { watch: record });
    await writer.setData(`${r}/w`, 'b');
    await writer.setData(`${r}/w`, 'c');
    await writer.create(`${r}/later`);
    await until(() => events.length >= 3, { timeoutMs: 10_000, what: 'three events' });
    await writer.sync('/');
    expect(events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, `${r}/w`],
      [EventType.NodeCreated, `${r}/later`],
      [EventType.NodeChildrenChanged, r],
    ]);
    const deleted: WatchedEvent[] = [];
    await c.exists(`${r}/later`, { watch: (e) => deleted.push(e) });
    await writer.delete(`${r}/later`);
    await until(() => deleted.length === 1, { timeoutMs: 10_000, what: 'NodeDeleted' });
    expect(deleted[0]?.type).toBe(EventType.NodeDeleted);
  });

  it('persistent and recursive watches keep firing; the iterator form removes the watch on break', async () => {
    const c = await client();
    const writer = await client();
    const r = await freshRoot(c);
    const persistent: WatchedEvent[] = [];
    await c.addWatch(r, 'persistent', (e) => persistent.push(e));
    const events = await c.watch(r, 'persistentRecursive');
    await writer.create(`${r}/a`);
    await writer.create(`${r}/a/b`);
    await writer.setData(`${r}/a/b`, 'x');
    await writer.setData(r, 'y');
    const seen: [number, string][] = [];
    for await (const e of events) {
      seen.push([e.type, e.path]);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual([
      [EventType.NodeCreated, `${r}/a`],
      [EventType.NodeCreated, `${r}/a/b`],
      [EventType.NodeDataChanged, `${r}/a/b`],
      [EventType.NodeDataChanged, r],
    ]);
    // On 3.8 the last mode set on a path wins on the server (reference Appendix A), so the
    // persistent listener only hears what the recursive registration delivers for `r` itself.
    expect(persistent.map((e) => e.path).every((p) => p === r)).toBe(true);
  });

  it('removeWatches removes a data watch, raises DataWatchRemoved, then answers NoWatcher', async () => {
    const c = await client();
    const r = await freshRoot(c);
    const events: WatchedEvent[] = [];
    await c.getData(r, { watch: (e) => events.push(e) });
    await c.removeWatches(r, 'data');
    expect(events.map((e) => e.type)).toEqual([EventType.DataWatchRemoved]);
    expect(await codeOf(c.removeWatches(r, 'data'))).toBe(ErrorCode.NoWatcher);
    await c.setData(r, 'changed');
    await c.sync(r);
    expect(events).toHaveLength(1);
  });

  it('transaction: commits all ops, or none and names the failing op', async () => {
    const c = await client();
    const r = await freshRoot(c);
    const results = await c
      .transaction()
      .create(`${r}/m`, 'x')
      .create(`${r}/seq-`, null, { mode: 'persistentSequential' })
      .setData(`${r}/m`, 'y')
      .check(`${r}/m`, 1)
      .delete(`${r}/m`)
      .commit();
    expect(results.map((x) => x.type)).toEqual(['create', 'create', 'setData', 'check', 'delete']);
    expect(results[1]).toMatchObject({ type: 'create', path: `${r}/seq-0000000001` });
    const failure = await c.transaction().create(`${r}/n`).delete(`${r}/missing`).setData(r, 'z').commit().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ZkError);
    expect((failure as ZkError).code).toBe(ErrorCode.NoNode);
    expect((failure as ZkError).path).toBe(`${r}/missing`);
    expect(isTransactionError(failure) && failure.opIndex).toBe(1);
    expect(isTransactionError(failure) && failure.opErrors).toEqual([0, ErrorCode.NoNode, ErrorCode.RuntimeInconsistency]);
    expect(await c.exists(`${r}/n`)).toBeNull();
  });

  it('multiRead answers each read on its own', async () => {
    const c = await client();
    const r = await freshRoot(c);
    await c.create(`${r}/d`, 'v');
    const results = await c.multiRead([
      { op: 'getData', path: `${r}/d` },
      { op: 'getChildren', path: r },
      { op: 'getData', path: `${r}/missing` },
    ]);
    expect(results[0]?.type === 'getData' && text(results[0].data)).toBe('v');
    expect(results[1]).toEqual({ type: 'getChildren', children: ['d'] });
    expect(results[2]?.type === 'error' && results[2].error.code).toBe(ErrorCode.NoNode);
  });

  it('chroot: paths are prefixed going out and stripped from replies and events', async () => {
    const plain = await client();
    const r = await freshRoot(plain);
    const c = await client({ chroot: r });
    expect(await c.create('/x', 'in')).toBe('/x');
    expect(await c.create('/s-', null, { mode: 'ephemeralSequential' })).toBe('/s-0000000001');
    // Another client's writes: on an ensemble `plain` may sit on a member that applies them later.
    await plain.sync(r);
    expect(text((await plain.getData(`${r}/x`)).data)).toBe('in');
    expect((await c.getChildren('/')).sort()).toEqual(['s-0000000001', 'x']);
    expect(await c.getEphemerals()).toEqual(['/s-0000000001']);
    const events: WatchedEvent[] = [];
    await c.getData('/x', { watch: (e) => events.push(e) });
    await plain.setData(`${r}/x`, 'changed');
    await until(() => events.length === 1, { timeoutMs: 10_000, what: 'chrooted event' });
    expect(events[0]).toMatchObject({ type: EventType.NodeDataChanged, path: '/x' });
    const tx = await c.transaction().create('/t').commit();
    expect(tx[0]).toMatchObject({ type: 'create', path: '/t' });
  });

  it('ephemerals go when their session closes, and watchers hear it', async () => {
    const owner = await client();
    const watcher = await client();
    const r = await freshRoot(owner);
    await owner.create(`${r}/eph`, null, { mode: 'ephemeral' });
    expect(await owner.getEphemerals(r)).toEqual([`${r}/eph`]);
    await watcher.sync(r);
    const events: WatchedEvent[] = [];
    expect(await watcher.exists(`${r}/eph`, { watch: (e) => events.push(e) })).not.toBeNull();
    await owner.close();
    await until(() => events.length === 1, { timeoutMs: 10_000, what: 'NodeDeleted after close' });
    expect(events[0]).toMatchObject({ type: EventType.NodeDeleted, path: `${r}/eph` });
    expect(await watcher.exists(`${r}/eph`)).toBeNull();
  });

  it('survives kill -9 and restart: session and watches kept, in-flight requests fail with ConnectionLoss', async () => {
    const c = await client({ backoffMsMin: 50, backoffMsMax: 300, requestTimeoutMs: 30_000 });
    const r = await freshRoot(c);
    await c.create(`${r}/eph`, null, { mode: 'ephemeral' });
    await c.create(`${r}/data`, 'before');
    const sessionId = c.sessionId;
    const dataEvents: WatchedEvent[] = [];
    const recursiveEvents: WatchedEvent[] = [];
    await c.getData(`${r}/data`, { watch: (e) => dataEvents.push(e) });
    await c.addWatch(`${r}/sub`, 'persistentRecursive', (e) => recursiveEvents.push(e));
    const states: string[] = [];
    c.onState((s) => states.push(s));

    server.stop();
    // codeOf attaches its handler now, so the rejection is never unhandled while we wait.
    const inFlight = codeOf(c.getData(`${r}/data`));
    await server.kill();
    expect(await inFlight).toBe(ErrorCode.ConnectionLoss);
    await until(() => c.state === 'disconnected', { timeoutMs: 10_000, what: 'disconnected' });
    // Settled to a value at once, so that a failure below never leaves it as an unhandled rejection.
    const waiting = c.exists(`${r}/data`).then(
      (stat) => stat !== null,
      (error: unknown) => error,
    );

    await server.restart();
    // A JVM restarting under the full suite's load took over 20 s to take the session back once.
    await until(() => c.state === 'connected', { timeoutMs: 60_000, what: 'reconnected' });
    expect(c.sessionId).toBe(sessionId);
    expect(states).toEqual(['disconnected', 'connected']);
    expect(await waiting).toBe(true);
    expect(await c.exists(`${r}/eph`)).not.toBeNull();

    const writer = await client();
    await writer.setData(`${r}/data`, 'after');
    await writer.create(`${r}/sub`);
    await writer.create(`${r}/sub/x`);
    await until(() => dataEvents.length === 1 && recursiveEvents.length === 2, { timeoutMs: 10_000, what: 'events after restart' });
    expect(dataEvents[0]).toMatchObject({ type: EventType.NodeDataChanged, path: `${r}/data` });
    expect(recursiveEvents.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeCreated, `${r}/sub`],
      [EventType.NodeCreated, `${r}/sub/x`],
    ]);
  });

  it('session expiry: state expired, waiting and new calls fail with SessionExpired, watch iterators end', async () => {
    const target = server.nextConnectString().split(',')[0] ?? '';
    const proxy = await CuttableProxy.start(Number(target.slice(target.lastIndexOf(':') + 1)));
    try {
      // The shortest timeout a server grants with tickTime 2000 (2 ticks); requests wait longer.
      const c = await client({ sessionTimeoutMs: 4_000, requestTimeoutMs: 60_000, backoffMsMin: 50, backoffMsMax: 200 });
      const cut = new ZkClient(proxy.connectString, { sessionTimeoutMs: 4_000, requestTimeoutMs: 60_000, backoffMsMin: 50, backoffMsMax: 200 });
      clients.push(cut);
      await cut.connect({ timeoutMs: 15_000 });
      const r = await freshRoot(c);
      await cut.create(`${r}/eph`, null, { mode: 'ephemeral' });
      const events = await cut.watch(r, 'persistentRecursive');
      const states: string[] = [];
      cut.onState((state) => states.push(state));

      proxy.cut();
      await until(() => cut.state === 'disconnected', { timeoutMs: 10_000, what: 'the cut client to be disconnected' });
      const waiting = codeOf(cut.getData(r));
      // The server expires the session: its ephemeral goes.
      await until(async () => (await c.exists(`${r}/eph`)) === null, { timeoutMs: 30_000, what: 'the session to expire' });
      proxy.restore();
      await until(() => cut.state === 'expired', { timeoutMs: 20_000, what: 'the client to see the expiry' });
      expect(states).toEqual(['disconnected', 'expired']);
      expect(await waiting).toBe(ErrorCode.SessionExpired);
      expect(await codeOf(cut.exists(r))).toBe(ErrorCode.SessionExpired);
      expect(await codeOf(cut.create(`${r}/after`))).toBe(ErrorCode.SessionExpired);
      const rest: WatchedEvent[] = [];
      for await (const event of events) rest.push(event);
      expect(rest).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a request made while no server is reachable fails with ConnectionLoss after its bound', async () => {
    const c = await client({ backoffMsMin: 50, backoffMsMax: 300, requestTimeoutMs: 500 });
    await server.kill();
    try {
      await until(() => c.state === 'disconnected', { timeoutMs: 10_000, what: 'disconnected' });
      expect(await codeOf(c.exists('/'))).toBe(ErrorCode.ConnectionLoss);
    } finally {
      await server.restart();
    }
    await until(() => c.state === 'connected', { timeoutMs: 20_000, what: 'reconnected' });
  });
});
});
