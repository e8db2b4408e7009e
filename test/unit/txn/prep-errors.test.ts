import { describe, expect, it } from 'vitest';
import { digestAuthId, OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { OpCode, Perms } from '../../../protocol/opcodes.js';
import type { Acl, Id } from '../../../protocol/records.js';
import { Harness, create, del, enc, setData } from './harness.js';

/** The triggers of an apply result without their ACLs (checked on their own below). */
function eventsOf(result: { readonly triggers: readonly { readonly path: string; readonly type: number }[] } | undefined) {
  return result?.triggers.map(({ path, type }) => ({ path, type }));
}

const bob: Id = { scheme: 'digest', id: digestAuthId('bob', 'secret') };
const bobOnly = (perms: number): Acl[] => [{ perms, id: bob }];
const E = ErrorCode;

/** The error of one write (the txn is an error txn and the reply header carries it). */
function errOf(h: Harness, ...args: Parameters<Harness['write']>): number {
  const result = h.write(...args);
  if (result.err !== 0) expect(result.txn.kind).toBe('error');
  return result.err;
}

describe('create: checks in PrepRequestProcessor order (§6.2)', () => {
  it('flags -> BADARGUMENTS before anything else', () => {
    const h = new Harness();
    expect(errOf(h, create('/nope/x', '', 9, []))).toBe(E.BadArguments);
  });

  it('TTL mode with extended types off -> UNIMPLEMENTED, then invalid TTL -> BADARGUMENTS', () => {
    const h = new Harness();
    h.extendedTypesEnabled = false;
    const ttl = (flags: number, t: bigint) => ({ op: OpCode.createTTL, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, flags, ttl: t }) as const;
    expect(errOf(h, ttl(5, 0n))).toBe(E.Unimplemented);
    h.extendedTypesEnabled = true;
    expect(errOf(h, ttl(5, 0n))).toBe(E.BadArguments);
    expect(errOf(h, ttl(5, 0x100_0000_0000n))).toBe(E.BadArguments);
    expect(errOf(h, ttl(0, 10n))).toBe(E.BadArguments);
    expect(errOf(h, create('/t', '', 5))).toBe(E.BadArguments); // op 1 with TTL flags has ttl -1
    expect(errOf(h, ttl(5, 10n))).toBe(0);
  });

  it('path without / or with NUL -> BADARGUMENTS before INVALIDACL', () => {
    const h = new Harness();
    expect(errOf(h, create('a', '', 0, []))).toBe(E.BadArguments);
    expect(errOf(h, create('/a\u0000', '', 0, []))).toBe(E.BadArguments);
  });

  it('ACL -> INVALIDACL before parent missing -> NONODE', () => {
    const h = new Harness();
    expect(errOf(h, create('/missing/a', '', 0, []))).toBe(E.InvalidAcl);
    expect(errOf(h, create('/missing/a'))).toBe(E.NoNode);
  });

  it('parent lacks CREATE -> NOAUTH before path validation and NODEEXISTS', () => {
    const h = new Harness();
    h.write(create('/p', '', 0, bobOnly(Perms.All)), { authIds: [bob] });
    h.write(create('/p/x'), { authIds: [bob] });
    expect(errOf(h, create('/p/x'))).toBe(E.NoAuth);
    expect(errOf(h, create('/p/'))).toBe(E.NoAuth);
    expect(errOf(h, create('/p/'), { authIds: [bob] })).toBe(E.BadArguments);
    expect(errOf(h, create('/p/x'), { authIds: [bob] })).toBe(E.NodeExists);
  });

  it('full path validation after the suffix: /a/ is BADARGUMENTS, /a// is NONODE (§6.2 notes)', () => {
    const h = new Harness();
    h.write(create('/a'));
    expect(errOf(h, create('/a/'))).toBe(E.BadArguments);
    expect(errOf(h, create('/a//'))).toBe(E.NoNode);
    expect(errOf(h, create('/q/'))).toBe(E.NoNode);
    expect(h.write(create('/a/', '', 2)).path).toBe('/a/0000000000');
  });

  it('exists -> NODEEXISTS before parent is ephemeral -> NOCHILDRENFOREPHEMERALS', () => {
    const h = new Harness();
    h.write(create('/e', '', 1));
    h.write(create('/zookeeper/x')); // only the four built-ins are protected (§6.3)
    expect(errOf(h, create('/e'))).toBe(E.NodeExists);
    expect(errOf(h, create('/e/child'))).toBe(E.NoChildrenForEphemerals);
    expect(errOf(h, create('/'))).toBe(E.NodeExists);
  });
});

describe('delete: checks in order (§6.2)', () => {
  it('built-in paths, no slash and NUL -> BADARGUMENTS', () => {
    const h = new Harness();
    for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config', 'a', '/a\u0000']) {
      expect(errOf(h, del(path))).toBe(E.BadArguments);
    }
  });

  it('parent missing -> NONODE, parent lacks DELETE -> NOAUTH, node missing -> NONODE', () => {
    const h = new Harness();
    expect(errOf(h, del('/x/y'))).toBe(E.NoNode);
    h.write(create('/p', '', 0, bobOnly(Perms.All)), { authIds: [bob] });
    expect(errOf(h, del('/p/missing'))).toBe(E.NoAuth);
    expect(errOf(h, del('/p/missing'), { authIds: [bob] })).toBe(E.NoNode);
  });

  it('BADVERSION before NOTEMPTY', () => {
    const h = new Harness();
    h.write(create('/a'));
    h.write(create('/a/b'));
    expect(errOf(h, del('/a', 5))).toBe(E.BadVersion);
    expect(errOf(h, del('/a', 0))).toBe(E.NotEmpty);
    expect(errOf(h, del('/a/b', 0))).toBe(0);
    expect(errOf(h, del('/a', -1))).toBe(0);
  });
});

describe('setData: checks in order (§6.2)', () => {
  it('bad path -> BADARGUMENTS, missing -> NONODE, WRITE -> NOAUTH before BADVERSION', () => {
    const h = new Harness();
    expect(errOf(h, setData('/a/', 'x'))).toBe(E.BadArguments);
    expect(errOf(h, setData('/a', 'x'))).toBe(E.NoNode);
    h.write(create('/a', '', 0, bobOnly(Perms.Read)), { authIds: [bob] });
    expect(errOf(h, setData('/a', 'x', 7), { authIds: [bob] })).toBe(E.NoAuth);
    h.write(create('/b'));
    expect(errOf(h, setData('/b', 'x', 7))).toBe(E.BadVersion);
    expect(h.write(setData('/b', 'x', 0)).stat?.version).toBe(1);
  });
});

describe('setACL: checks in order (§6.2)', () => {
  const setAcl = (path: string, acl: readonly Acl[], version = -1) => ({ op: OpCode.setACL, path, acl, version }) as const;

  it('bad path -> BADARGUMENTS, ACL -> INVALIDACL, missing -> NONODE, ADMIN -> NOAUTH, aversion -> BADVERSION', () => {
    const h = new Harness();
    expect(errOf(h, setAcl('bad', []))).toBe(E.BadArguments);
    expect(errOf(h, setAcl('/missing', []))).toBe(E.InvalidAcl);
    expect(errOf(h, setAcl('/missing', OPEN_ACL_UNSAFE))).toBe(E.NoNode);
    h.write(create('/a', '', 0, bobOnly(Perms.Read)), { authIds: [bob] });
    expect(errOf(h, setAcl('/a', OPEN_ACL_UNSAFE, 9), { authIds: [bob] })).toBe(E.NoAuth);
    h.write(create('/b'));
    expect(errOf(h, setAcl('/b', OPEN_ACL_UNSAFE, 9))).toBe(E.BadVersion);
    const ok = h.write(setAcl('/b', bobOnly(Perms.All), 0), { authIds: [bob] });
    expect(ok.stat?.aversion).toBe(1);
    expect(eventsOf(ok)).toEqual([]);
  });

  it('/zookeeper/config (aversion -1, read-only) refuses setACL without super', () => {
    const h = new Harness();
    expect(errOf(h, setAcl('/zookeeper/config', OPEN_ACL_UNSAFE))).toBe(E.NoAuth);
    expect(h.write(setAcl('/zookeeper/config', OPEN_ACL_UNSAFE, -1), { isSuper: true }).stat?.aversion).toBe(0);
  });
});

describe('check: checks in order (§6.2), standalone too on 3.8', () => {
  const check = (path: string, version: number) => ({ op: OpCode.check, path, version }) as const;

  it('bad path -> BADARGUMENTS, missing -> NONODE, READ -> NOAUTH, version -> BADVERSION', () => {
    const h = new Harness();
    expect(errOf(h, check('nope', 0))).toBe(E.BadArguments);
    expect(errOf(h, check('/a', 0))).toBe(E.NoNode);
    h.write(create('/a', '', 0, bobOnly(Perms.Write)), { authIds: [bob] });
    expect(errOf(h, check('/a', 3))).toBe(E.NoAuth);
    h.write(create('/b'));
    expect(errOf(h, check('/b', 3))).toBe(E.BadVersion);
    expect(errOf(h, check('/b', 0))).toBe(0);
  });
});

describe('deleteContainer (§4)', () => {
  const dc = (path: string) => ({ op: OpCode.deleteContainer, path }) as const;

  // The container reaper's requests come from session 0 (ContainerManager).
  const reaper = { sessionId: 0n };

  it('built-ins -> BADARGUMENTS, missing -> NONODE, children -> NOTEMPTY, session ephemeral -> BADVERSION; no ACL check', () => {
    const h = new Harness();
    expect(errOf(h, dc('/zookeeper'), reaper)).toBe(E.BadArguments);
    expect(errOf(h, dc('/c'), reaper)).toBe(E.NoNode);
    h.write({ op: OpCode.createContainer, path: '/c', data: null, acl: bobOnly(Perms.Read), flags: 4 }, { authIds: [bob] });
    h.write(create('/c/x'), { isSuper: true });
    expect(errOf(h, dc('/c'), reaper)).toBe(E.NotEmpty);
    h.write(create('/e', '', 1));
    expect(errOf(h, dc('/e'), reaper)).toBe(E.BadVersion);
    h.write(del('/c/x'), { isSuper: true });
    const ok = h.write(dc('/c'), reaper);
    expect(ok.err).toBe(0);
    expect(eventsOf(ok)).toEqual([
      { path: '/c', type: 2 },
      { path: '/', type: 4 },
    ]);
  });
});

describe('multi prep', () => {
  it('invalid create flags fail only that op with BADARGUMENTS (observed on 3.8.0)', () => {
    const h = new Harness();
    const r = h.write({ op: OpCode.multi, ops: [{ op: OpCode.create, path: '/m', data: enc(''), acl: OPEN_ACL_UNSAFE, flags: 9 }] });
    expect(r.err).toBe(0);
    expect(r.multiResults).toEqual([{ kind: 'error', err: E.BadArguments }]);
  });

  it('TTL flags on a plain create record fail the whole multi with MARSHALLINGERROR', () => {
    const h = new Harness();
    const r = h.write({
      op: OpCode.multi,
      ops: [
        { op: OpCode.create, path: '/ok', data: null, acl: OPEN_ACL_UNSAFE, flags: 0 },
        { op: OpCode.create, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, flags: 5 },
      ],
    });
    expect(r.err).toBe(E.MarshallingError);
    expect(h.tree.getNode('/ok')).toBeUndefined();
    expect(h.pending.size).toBe(0);
  });
});
