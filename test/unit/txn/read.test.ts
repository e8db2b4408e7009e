import { describe, expect, it } from 'vitest';
import { digestAuthId } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { OpCode, Perms } from '../../../protocol/opcodes.js';
import type { Acl, Id } from '../../../protocol/records.js';
import { Harness, create } from './harness.js';

const bob: Id = { scheme: 'digest', id: digestAuthId('bob', 'secret') };
const bobOnly = (perms: number): Acl[] => [{ perms, id: bob }];

describe('exists (§7.2)', () => {
  it('sets the data watch even when the node is missing, and needs no READ on 3.8.0', () => {
    const h = new Harness();
    const missing = h.read({ op: OpCode.exists, path: '/nope', watch: true });
    expect(missing).toEqual({ err: ErrorCode.NoNode, response: null, watches: [{ path: '/nope', kind: 'data' }] });
    h.write(create('/secret', '', 0, bobOnly(Perms.All)), { authIds: [bob] });
    const r = h.read({ op: OpCode.exists, path: '/secret', watch: false });
    expect(r.err).toBe(0);
    expect(r.response).toMatchObject({ kind: 'stat', stat: { czxid: 1n } });
    expect(r.watches).toEqual([]);
  });

  it('a path with NUL is BADARGUMENTS without a watch', () => {
    const h = new Harness();
    expect(h.read({ op: OpCode.exists, path: '/a\u0000', watch: true })).toEqual({ err: ErrorCode.BadArguments, response: null, watches: [] });
  });
});

describe('getData / getChildren / getAllChildrenNumber', () => {
  it('NONODE, then NOAUTH, both without a watch; the watch is set only on success', () => {
    const h = new Harness();
    h.write(create('/s', 'x', 0, bobOnly(Perms.All)), { authIds: [bob] });
    for (const op of [OpCode.getData, OpCode.getChildren, OpCode.getChildren2] as const) {
      expect(h.read({ op, path: '/nope', watch: true })).toEqual({ err: ErrorCode.NoNode, response: null, watches: [] });
      expect(h.read({ op, path: '/s', watch: true })).toEqual({ err: ErrorCode.NoAuth, response: null, watches: [] });
    }
    expect(h.read({ op: OpCode.getAllChildrenNumber, path: '/s' }).err).toBe(ErrorCode.NoAuth);
    const ok = h.read({ op: OpCode.getData, path: '/s', watch: true }, { authIds: [bob] });
    expect(ok.response).toMatchObject({ kind: 'getData', data: new TextEncoder().encode('x') });
    expect(ok.watches).toEqual([{ path: '/s', kind: 'data' }]);
  });

  it('getChildren lists names; getChildren2 adds the Stat; the watch goes to the child table', () => {
    const h = new Harness();
    h.write(create('/p'));
    h.write(create('/p/a'));
    h.write(create('/p/b'));
    const r = h.read({ op: OpCode.getChildren, path: '/p', watch: true });
    expect(r.response?.kind === 'getChildren' && [...r.response.children].sort()).toEqual(['a', 'b']);
    expect(r.watches).toEqual([{ path: '/p', kind: 'child' }]);
    const r2 = h.read({ op: OpCode.getChildren2, path: '/p', watch: false });
    expect(r2.response).toMatchObject({ kind: 'getChildren2', stat: { numChildren: 2, cversion: 2 } });
    expect(h.read({ op: OpCode.getAllChildrenNumber, path: '/p' }).response).toEqual({ kind: 'allChildrenNumber', totalNumber: 2 });
  });

  it('null data stays null and empty data stays empty', () => {
    const h = new Harness();
    h.write({ op: OpCode.create, path: '/n', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 });
    expect(h.read({ op: OpCode.getData, path: '/n', watch: false }).response).toMatchObject({ data: null, stat: { dataLength: 0 } });
    expect(h.read({ op: OpCode.getData, path: '/zookeeper/config', watch: false }).response).toMatchObject({ data: new Uint8Array(0) });
  });
});

describe('getACL', () => {
  it('needs READ or ADMIN; without ADMIN digest ids read user:x', () => {
    const h = new Harness();
    const acl: Acl[] = [
      { perms: Perms.Read, id: { scheme: 'world', id: 'anyone' } },
      { perms: Perms.All, id: bob },
    ];
    h.write(create('/a', '', 0, acl), { authIds: [bob] });
    const masked = h.read({ op: OpCode.getACL, path: '/a' });
    expect(masked.response?.kind === 'getACL' && masked.response.acl[1]).toEqual({ perms: Perms.All, id: { scheme: 'digest', id: 'bob:x' } });
    const full = h.read({ op: OpCode.getACL, path: '/a' }, { authIds: [bob] });
    expect(full.response?.kind === 'getACL' && full.response.acl).toEqual(acl);
    h.write(create('/w', '', 0, [{ perms: Perms.Write, id: { scheme: 'world', id: 'anyone' } }]));
    expect(h.read({ op: OpCode.getACL, path: '/w' }).err).toBe(ErrorCode.NoAuth);
    expect(h.read({ op: OpCode.getACL, path: '/none' }).err).toBe(ErrorCode.NoNode);
  });
});

describe('getEphemerals', () => {
  it("lists this session's ephemerals, filtered by a prefix; '/' or blank means all", () => {
    const h = new Harness();
    h.write(create('/app'));
    h.write(create('/app/e1', '', 1), { sessionId: 5n });
    h.write(create('/x', '', 1), { sessionId: 5n });
    h.write(create('/y', '', 1), { sessionId: 6n });
    const all = h.read({ op: OpCode.getEphemerals, prefixPath: ' / ' }, { sessionId: 5n });
    expect(all.response?.kind === 'ephemerals' && [...all.response.ephemerals].sort()).toEqual(['/app/e1', '/x']);
    expect(h.read({ op: OpCode.getEphemerals, prefixPath: '/ap' }, { sessionId: 5n }).response).toEqual({ kind: 'ephemerals', ephemerals: ['/app/e1'] });
    expect(h.read({ op: OpCode.getEphemerals, prefixPath: null }, { sessionId: 9n }).response).toEqual({ kind: 'ephemerals', ephemerals: [] });
  });
});

describe('multiRead (§5.5)', () => {
  it('each op succeeds or fails on its own; header err 0', () => {
    const h = new Harness();
    h.write(create('/a', 'v'));
    const r = h.read({
      op: OpCode.multiRead,
      ops: [
        { op: OpCode.getData, path: '/a', watch: false },
        { op: OpCode.getChildren, path: '/missing', watch: false },
        { op: OpCode.getChildren, path: '/', watch: false },
      ],
    });
    expect(r.err).toBe(0);
    const results = r.response?.kind === 'multi' ? r.response.results : [];
    expect(results.map((x) => x.kind)).toEqual(['getData', 'error', 'getChildren']);
    expect(results[1]).toEqual({ kind: 'error', err: ErrorCode.NoNode });
  });
});
