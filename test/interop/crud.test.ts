import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';
import { codeOf, CreateMode } from './zk-client.js';

function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

describe.each(ensembleTargets)('$label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'znode CRUD, create modes, errors, ACLs'), () => {
    const fx = useServer(target);

    it('create/get/set/delete honour versions and report deterministic stat fields', async () => {
      const c = await fx.connect();
      expect(await c.create('/crud', 'v0')).toBe('/crud');
      const first = await c.getData('/crud');
      expect(first.data).toBe('v0');
      expect(first.stat).toMatchObject({ version: 0, cversion: 0, aversion: 0, dataLength: 2, numChildren: 0, ephemeralOwner: 0n });
      expect(first.stat.mzxid).toBe(first.stat.czxid);
      expect(first.stat.pzxid).toBe(first.stat.czxid);
      const set = await c.setData('/crud', 'v1', 0);
      expect(set).toMatchObject({ version: 1, dataLength: 2 });
      expect(set.mzxid > set.czxid).toBe(true);
      expect(await codeOf(c.setData('/crud', 'v2', 0))).toBe(ErrorCode.BadVersion);
      expect(await codeOf(c.remove('/crud', 0))).toBe(ErrorCode.BadVersion);
      expect((await c.getData('/crud')).data).toBe('v1');
      await c.remove('/crud', 1);
      expect(await codeOf(c.getData('/crud'))).toBe(ErrorCode.NoNode);
      expect(await c.exists('/crud')).toBeNull();
    });

    it('null data and empty data both give dataLength 0', async () => {
      const c = await fx.connect();
      await c.create('/nulldata', null);
      await c.create('/emptydata', '');
      expect((await c.getData('/nulldata')).stat.dataLength).toBe(0);
      expect((await c.getData('/emptydata')).stat.dataLength).toBe(0);
      expect((await c.getData('/emptydata')).data ?? '').toBe('');
    });

    it('error outcomes: NodeExists, NoNode for a missing parent, NotEmpty, NoNode on delete', async () => {
      const c = await fx.connect();
      await c.create('/err');
      await c.create('/err/child');
      expect(await codeOf(c.create('/err'))).toBe(ErrorCode.NodeExists);
      expect(await codeOf(c.create('/err/missing/x'))).toBe(ErrorCode.NoNode);
      expect(await codeOf(c.remove('/err'))).toBe(ErrorCode.NotEmpty);
      expect(await codeOf(c.remove('/err/nope'))).toBe(ErrorCode.NoNode);
      expect(await codeOf(c.setData('/err/nope', 'x'))).toBe(ErrorCode.NoNode);
      expect(await codeOf(c.getChildren('/err/nope'))).toBe(ErrorCode.NoNode);
    });

    it('parent cversion, numChildren and pzxid follow child creates and deletes', async () => {
      const c = await fx.connect();
      await c.create('/par');
      await c.create('/par/a');
      await c.create('/par/b');
      await c.remove('/par/a');
      const { children, stat } = await c.getChildren('/par');
      expect(children).toEqual(['b']);
      expect(stat).toMatchObject({ numChildren: 1, cversion: 3, version: 0 });
      expect(stat.pzxid > stat.czxid).toBe(true);
    });

    // Observed on 3.8.0: the suffix counts the creates ever made under the parent (deletes do not
    // advance it), while Stat.cversion counts creates and deletes alike.
    it('sequential suffixes count child creates only, while cversion also counts deletes', async () => {
      const c = await fx.connect();
      await c.create('/seq');
      const mode = CreateMode.persistentSequential;
      expect(await c.create('/seq/x-', 'a', { mode })).toBe('/seq/x-0000000000');
      expect(await c.create('/seq/x-', 'b', { mode })).toBe('/seq/x-0000000001');
      await c.remove('/seq/x-0000000000');
      await c.remove('/seq/x-0000000001');
      expect((await c.getChildren('/seq')).stat.cversion).toBe(4);
      expect(await c.create('/seq/x-', 'c', { mode })).toBe('/seq/x-0000000002');
      await c.create('/seq/plain');
      expect(await c.create('/seq/s', null, { mode })).toBe('/seq/s0000000004');
      expect(await c.create('/seq/e-', null, { mode: CreateMode.ephemeralSequential })).toBe('/seq/e-0000000005');
      const { children, stat } = await c.getChildren('/seq');
      expect(children).toEqual(['e-0000000005', 'plain', 's0000000004', 'x-0000000002']);
      expect(stat).toMatchObject({ cversion: 8, numChildren: 4 });
    });

    it('ephemerals carry the owner session, refuse children and vanish when the session closes', async () => {
      const owner = await fx.connect();
      const other = await fx.connect();
      await owner.create('/eph', 'e', { mode: CreateMode.ephemeral });
      // Another client's write: on an ensemble, `other` may be on a member that applies it later.
      await other.catchUp();
      const stat = await other.exists('/eph');
      expect(stat?.ephemeralOwner).toBe(owner.sessionId);
      expect(owner.sessionId).not.toBe(0n);
      expect(await codeOf(owner.create('/eph/child'))).toBe(ErrorCode.NoChildrenForEphemerals);
      expect(await codeOf(owner.create('/eph/s-', null, { mode: CreateMode.persistentSequential }))).toBe(
        ErrorCode.NoChildrenForEphemerals,
      );
      await owner.close();
      await other.catchUp();
      expect(await other.exists('/eph')).toBeNull();
    });

    it('the /zookeeper subtree is listed and its built-in nodes cannot be deleted (BadArguments)', async () => {
      const c = await fx.connect();
      expect((await c.getChildren('/')).children).toContain('zookeeper');
      expect((await c.getChildren('/zookeeper')).children).toEqual(['config', 'quota']);
      expect(await codeOf(c.remove('/zookeeper'))).toBe(ErrorCode.BadArguments);
      expect(await codeOf(c.remove('/zookeeper/quota'))).toBe(ErrorCode.BadArguments);
      expect(await codeOf(c.remove('/zookeeper/config'))).toBe(ErrorCode.BadArguments);
      expect(await codeOf(c.remove('/'))).toBe(ErrorCode.BadArguments);
      expect(await c.exists('/zookeeper')).not.toBeNull();
    });

    it('digest ACLs: NoAuth without credentials, access with them, aversion checked by setACL', async () => {
      const alice = await fx.connect();
      const stranger = await fx.connect();
      await alice.addAuth('digest', 'alice:pw');
      const acl = [{ perms: 31, scheme: 'digest', id: digestId('alice', 'pw') }];
      await alice.create('/acl', 'secret', { acl });
      await stranger.catchUp();
      expect(await codeOf(stranger.getData('/acl'))).toBe(ErrorCode.NoAuth);
      expect(await codeOf(stranger.setData('/acl', 'x'))).toBe(ErrorCode.NoAuth);
      expect(await codeOf(stranger.create('/acl/child'))).toBe(ErrorCode.NoAuth);
      expect(await stranger.exists('/acl')).not.toBeNull();
      expect((await alice.getData('/acl')).data).toBe('secret');
      expect(await alice.getAcl('/acl')).toEqual(acl);
      expect(await codeOf(alice.setAcl('/acl', acl, 5))).toBe(ErrorCode.BadVersion);
      const readable = [...acl, { perms: 1, scheme: 'world', id: 'anyone' }];
      expect((await alice.setAcl('/acl', readable, 0)).aversion).toBe(1);
      await stranger.catchUp();
      expect((await stranger.getData('/acl')).data).toBe('secret');
      expect(await codeOf(stranger.setData('/acl', 'x'))).toBe(ErrorCode.NoAuth);
    });

    it('the auth scheme stores the caller digest id, and is InvalidACL without credentials', async () => {
      const bob = await fx.connect();
      const anon = await fx.connect();
      const creatorAll = [{ perms: 31, scheme: 'auth', id: '' }];
      expect(await codeOf(anon.create('/authacl', null, { acl: creatorAll }))).toBe(ErrorCode.InvalidAcl);
      await bob.addAuth('digest', 'bob:secret');
      await bob.create('/authacl', 'b', { acl: creatorAll });
      expect(await bob.getAcl('/authacl')).toEqual([{ perms: 31, scheme: 'digest', id: digestId('bob', 'secret') }]);
      await anon.catchUp();
      expect(await codeOf(anon.getData('/authacl'))).toBe(ErrorCode.NoAuth);
    });
  });
});
