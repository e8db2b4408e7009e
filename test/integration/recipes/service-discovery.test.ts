import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ServiceCache,
  ServiceNotRegisteredError,
  ServiceRegistry,
  type ServiceInstance,
} from '../../../client/recipes/index.js';
import { ManualClock } from '../../../util/clock.js';
import { until } from '../../helpers/until.js';
import type { TestServer } from '../client/zk-server.js';
import { type Member, Members, expireSession, suspend, describeEachTarget } from './harness.js';

describeEachTarget('ServiceRegistry and ServiceCache', (startServer) => {
  let server: TestServer;
  const members = new Members(() => server);
  const closers: { close(): Promise<void> }[] = [];
  let testNumber = 0;
  const basePath = (): string => `/sd${testNumber}/services`;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await members.closeAll();
    testNumber++;
  });

  async function registry(member: Member, clock = new ManualClock(0, 1_700_000_000_000)): Promise<ServiceRegistry> {
    let n = 0;
    const r = new ServiceRegistry(member.managed, { basePath: basePath(), clock, uuid: () => `id-${++n}` });
    closers.push(r);
    await r.start();
    return r;
  }

  async function cache(member: Member, name: string): Promise<{ cache: ServiceCache; log: string[] }> {
    const c = new ServiceCache(member.managed, name, { basePath: basePath() });
    closers.push(c);
    const log: string[] = [];
    c.on('added', (i) => log.push(`added ${i.id} ${i.port}`));
    c.on('updated', (i) => log.push(`updated ${i.id} ${i.port}`));
    c.on('removed', (i) => log.push(`removed ${i.id}`));
    await c.start({ timeoutMs: 15_000 });
    return { cache: c, log };
  }

  it("writes Curator's JSON layout exactly, as an ephemeral of the registering session", async () => {
    const m = await members.add();
    const r = await registry(m);
    const instance = r.instance({ name: 'api', address: '10.0.0.1', port: 8080, payload: 'hello' });
    await r.register(instance);
    const zk = await members.plain();
    const { data, stat } = await zk.getData(`${basePath()}/api/id-1`);
    expect(new TextDecoder().decode(data ?? new Uint8Array())).toBe(
      '{"name":"api","id":"id-1","address":"10.0.0.1","port":8080,"sslPort":null,"payload":"hello",' +
        '"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":null}',
    );
    expect(stat.ephemeralOwner).toBe(m.managed.client.sessionId);
    expect(await r.queryForNames()).toEqual(['api']);
    expect(await r.queryForInstance('api', 'id-1')).toEqual(instance);
  });

  it('a cache follows registrations, updates and unregistrations from concurrent clients', async () => {
    const [a, b, c, watcher] = await Promise.all([1, 2, 3, 4].map(() => members.add()));
    const { cache: live, log } = await cache(watcher!, 'web');
    const registries = await Promise.all([a!, b!, c!].map((m) => registry(m)));
    const instances = registries.map((r, i) => r.instance({ name: 'web', id: `web-${i}`, address: '127.0.0.1', port: 9000 + i }));
    await Promise.all(registries.map((r, i) => r.register(instances[i]!)));
    await until(() => live.instances().length === 3, { timeoutMs: 10_000, what: 'three instances' });
    expect(live.instances().map((i) => [i.id, i.port])).toEqual([['web-0', 9000], ['web-1', 9001], ['web-2', 9002]]);
    await registries[1]!.update({ ...instances[1]!, port: 9101 });
    await until(() => live.get('web-1')?.port === 9101, { timeoutMs: 10_000, what: 'the update' });
    await registries[2]!.unregister(instances[2]!);
    await until(() => live.get('web-2') === undefined, { timeoutMs: 10_000, what: 'the removal' });
    expect(log.sort()).toEqual(['added web-0 9000', 'added web-1 9001', 'added web-2 9002', 'removed web-2', 'updated web-1 9101']);
    expect((await registries[0]!.queryForInstances('web')).map((i) => i.id)).toEqual(['web-0', 'web-1']);
    await expect(registries[2]!.update(instances[2]!)).rejects.toBeInstanceOf(ServiceNotRegisteredError);
  });

  it('reads instances written by Curator (payload with @class, enabled) and skips unreadable ones', async () => {
    const watcher = await members.add();
    const zk = await members.plain();
    await zk.create(`/sd${testNumber}`);
    await zk.create(basePath());
    await zk.create(`${basePath()}/java`);
    const curatorJson =
      '{"name":"java","id":"ca2fff8e","address":"10.20.30.40","port":1234,"sslPort":null,' +
      '"payload":{"@class":"com.example.Details","zone":"a"},"registrationTimeUTC":1325129459728,' +
      '"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false}]},"enabled":true}';
    await zk.create(`${basePath()}/java/ca2fff8e`, curatorJson);
    await zk.create(`${basePath()}/java/broken`, 'not json');
    const { cache: live } = await cache(watcher, 'java');
    const expected: ServiceInstance = {
      name: 'java',
      id: 'ca2fff8e',
      address: '10.20.30.40',
      port: 1234,
      sslPort: null,
      payload: { '@class': 'com.example.Details', zone: 'a' },
      registrationTimeUTC: 1325129459728,
      serviceType: 'DYNAMIC',
      uriSpec: { parts: [{ value: 'scheme', variable: true }, { value: '://', variable: false }] },
      enabled: true,
    };
    expect(live.instances()).toEqual([expected]);
  });

  it('a short disconnect keeps the registration; an expiry removes it and it is re-registered on the new session', async () => {
    const [owner, watcher] = await Promise.all([members.add(), members.add()]);
    const r = await registry(owner);
    await r.register(r.instance({ name: 'db', id: 'db-1', port: 5432 }));
    const { cache: live, log } = await cache(watcher, 'db');
    await until(() => live.get('db-1') !== undefined, { timeoutMs: 10_000, what: 'db-1' });
    await suspend(owner, async () => undefined);
    const zk = await members.plain();
    const oldSession = owner.managed.client.sessionId;
    await until(async () => (await zk.exists(`${basePath()}/db/db-1`))?.ephemeralOwner === oldSession, {
      timeoutMs: 10_000,
      what: 'the same registration after the short disconnect',
    });
    expect(log).toEqual(['added db-1 5432']);
    await expireSession(server, owner);
    const newSession = owner.managed.client.sessionId;
    expect(newSession).not.toBe(oldSession);
    await until(async () => (await zk.exists(`${basePath()}/db/db-1`))?.ephemeralOwner === newSession, {
      timeoutMs: 15_000,
      what: 're-registration on the new session',
    });
    await until(() => live.get('db-1') !== undefined, { timeoutMs: 10_000, what: 'db-1 back in the cache' });
    expect(log[0]).toBe('added db-1 5432');
    expect(log.at(-1)).toBe('added db-1 5432');
    expect(log).toContain('removed db-1');
  });

  it('close() unregisters every instance of the registry', async () => {
    const [owner, watcher] = await Promise.all([members.add(), members.add()]);
    const r = new ServiceRegistry(owner.managed, { basePath: basePath() });
    await r.start();
    await r.register(r.instance({ name: 'q', port: 1 }));
    await r.register(r.instance({ name: 'q', port: 2 }));
    const { cache: live } = await cache(watcher, 'q');
    expect(live.instances()).toHaveLength(2);
    await r.close();
    await until(() => live.instances().length === 0, { timeoutMs: 10_000, what: 'no instances' });
  });
});
