import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { EventType, OpCode } from '../../../protocol/opcodes.js';
import { CONTAINER_EPHEMERAL_OWNER } from '../../../server/tree/index.js';
import { apply, responseOf } from '../../../server/txn/index.js';
import { Harness, create, del, enc, multi, setData } from './harness.js';

/** The triggers of an apply result without their ACLs (checked on their own below). */
function eventsOf(result: { readonly triggers: readonly { readonly path: string; readonly type: number }[] } | undefined) {
  return result?.triggers.map(({ path, type }) => ({ path, type }));
}

describe('sequential naming (§6.4)', () => {
  it('the suffix is the parent persisted cversion: after any 2 creates -> 0000000002', () => {
    const h = new Harness();
    h.write(create('/a'));
    h.write(create('/a/x'));
    h.write(create('/a/y'));
    h.write(del('/a/x'));
    expect(h.write(create('/a/s-', '', 2)).path).toBe('/a/s-0000000002');
    expect(h.write(create('/a/s-', '', 2)).path).toBe('/a/s-0000000003');
  });

  it('pending creates count: two sequential creates prepped before either applies get distinct suffixes', () => {
    const h = new Harness();
    h.write(create('/q'));
    const a = h.propose(create('/q/n-', '', 2));
    const b = h.propose(create('/q/n-', '', 3));
    expect(a.kind === 'create' && a.path).toBe('/q/n-0000000000');
    expect(b.kind === 'create' && b.path).toBe('/q/n-0000000001');
    h.commitAll();
    expect(h.tree.stat('/q')).toMatchObject({ numChildren: 2, cversion: 2 });
  });

  it('the counter is an i32: prep wraps it, but createNode never moves cversion back (DataTree.createNode)', () => {
    const h = new Harness();
    h.write(create('/w'));
    const node = h.tree.getNode('/w');
    if (node === undefined) throw new Error('missing');
    node.cversion = 2147483647;
    const first = h.propose(create('/w/s', '', 2));
    const second = h.propose(create('/w/s', '', 2));
    expect(first.kind === 'create' && first.path).toBe('/w/s2147483647');
    expect(second.kind === 'create' && second.path).toBe('/w/s-2147483648');
    h.commitAll();
    expect(node.cversion).toBe(2147483647);
    expect(h.write(create('/w/s', '', 2)).err).toBe(ErrorCode.NodeExists);
  });
});

describe('pending changes (outstandingChanges)', () => {
  it('a later prep sees an earlier unapplied create, delete, and version bump', () => {
    const h = new Harness();
    h.propose(create('/a'));
    expect(h.propose(create('/a')).kind).toBe('error');
    expect(h.propose(setData('/a', 'x', 0)).kind).toBe('setData');
    expect(h.propose(setData('/a', 'y', 0)).kind).toBe('error'); // version is 1 now
    expect(h.propose(del('/a', 1)).kind).toBe('delete');
    expect(h.propose(del('/a')).kind).toBe('error');
    h.commitAll();
    expect(h.pending.size).toBe(0);
    expect(h.tree.getNode('/a')).toBeUndefined();
  });

  it('a create under a pending-created parent succeeds, and NOTEMPTY sees pending children', () => {
    const h = new Harness();
    h.propose(create('/p'));
    expect(h.propose(create('/p/c')).kind).toBe('create');
    expect(h.propose(del('/p')).kind).toBe('error');
    h.commitAll();
    expect(h.tree.stat('/p')?.numChildren).toBe(1);
  });
});

describe('multi (§5.5)', () => {
  it('[create /m, delete /nonexistent, setData /a] -> [0, -101, -2], nothing applied, zxid consumed', () => {
    const h = new Harness();
    h.write(create('/a'));
    const before = h.tree.digest();
    const r = h.write(
      multi([
        { op: OpCode.create, path: '/m', data: enc(''), acl: OPEN_ACL_UNSAFE, flags: 0 },
        { op: OpCode.delete, path: '/nonexistent', version: -1 },
        { op: OpCode.setData, path: '/a', data: enc('x'), version: -1 },
      ]),
    );
    expect(r.err).toBe(0);
    expect(r.multiResults).toEqual([
      { kind: 'error', err: 0 },
      { kind: 'error', err: ErrorCode.NoNode },
      { kind: 'error', err: ErrorCode.RuntimeInconsistency },
    ]);
    expect(eventsOf(r)).toEqual([]);
    expect(h.tree.digest()).toBe(before);
    expect(h.tree.lastZxid).toBe(2n);
    expect(h.pending.size).toBe(0);
  });

  it('later ops see earlier ops; create2 reports type create (path only) and container create2', () => {
    const h = new Harness();
    const r = h.write(
      multi([
        { op: OpCode.create2, path: '/m', data: enc(''), acl: OPEN_ACL_UNSAFE, flags: 0 },
        { op: OpCode.create, path: '/m/c', data: enc(''), acl: OPEN_ACL_UNSAFE, flags: 4 },
        { op: OpCode.setData, path: '/m', data: enc('v'), version: 0 },
        { op: OpCode.check, path: '/m', version: 1 },
        { op: OpCode.delete, path: '/m/c', version: 0 },
      ]),
    );
    expect(r.multiResults?.map((x) => x.kind)).toEqual(['create', 'create2', 'setData', 'check', 'delete']);
    expect(r.multiResults?.[0]).toEqual({ kind: 'create', path: '/m' });
    expect(eventsOf(r)).toEqual([
      { path: '/m', type: EventType.NodeCreated },
      { path: '/', type: EventType.NodeChildrenChanged },
      { path: '/m/c', type: EventType.NodeCreated },
      { path: '/m', type: EventType.NodeChildrenChanged },
      { path: '/m', type: EventType.NodeDataChanged },
      { path: '/m/c', type: EventType.NodeDeleted },
      { path: '/m', type: EventType.NodeChildrenChanged },
    ]);
    expect(responseOf(OpCode.multi, r)).toEqual({ kind: 'multi', results: r.multiResults });
    expect(h.tree.stat('/m')).toMatchObject({ version: 1, cversion: 2, numChildren: 0 });
  });

  it('an empty multi answers with no results', () => {
    const h = new Harness();
    expect(h.write(multi([])).multiResults).toEqual([]);
  });
});

describe('watch triggers (§7.3)', () => {
  it('create fires NodeCreated on P then NodeChildrenChanged on its parent; setData NodeDataChanged; delete NodeDeleted + parent', () => {
    const h = new Harness();
    expect(eventsOf(h.write(create('/a')))).toEqual([
      { path: '/a', type: EventType.NodeCreated },
      { path: '/', type: EventType.NodeChildrenChanged },
    ]);
    expect(eventsOf(h.write(setData('/a', 'x')))).toEqual([{ path: '/a', type: EventType.NodeDataChanged }]);
    expect(eventsOf(h.write(del('/a')))).toEqual([
      { path: '/a', type: EventType.NodeDeleted },
      { path: '/', type: EventType.NodeChildrenChanged },
    ]);
    expect(eventsOf(h.write(del('/a')))).toEqual([]);
  });

  it('each trigger carries the ACL a watcher needs READ on: the node for its own events, the parent for NodeChildrenChanged (ZOOKEEPER-4799)', () => {
    const h = new Harness();
    const parentAcl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1, id: { scheme: 'ip', id: '10.0.0.1' } }];
    const childAcl = [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }];
    h.write(create('/p', '', 0, parentAcl));
    const aclsOf = (result: { readonly triggers: readonly { readonly acl: unknown }[] }) => result.triggers.map((t) => t.acl);
    expect(aclsOf(h.write(create('/p/c', '', 0, childAcl)))).toEqual([childAcl, parentAcl]);
    const local = { authIds: [{ scheme: 'ip', id: '127.0.0.1' }] };
    expect(aclsOf(h.write(setData('/p/c', 'x'), local))).toEqual([childAcl]);
    expect(aclsOf(h.write(del('/p/c')))).toEqual([childAcl, parentAcl]);
  });
});

describe('sessions and ephemerals', () => {
  it('closeSession deletes its ephemerals, including ones created by pending txns, and fires their events', () => {
    const h = new Harness();
    h.write(create('/p'));
    h.write(create('/p/e1', '', 1), { sessionId: 7n });
    h.write(create('/other', '', 1), { sessionId: 8n });
    h.propose(create('/p/e2', '', 1), { sessionId: 7n });
    h.propose(create('/gone', '', 1), { sessionId: 7n });
    h.propose(del('/gone'), { sessionId: 7n });
    const close = h.propose({ op: OpCode.closeSession }, { sessionId: 7n });
    // In ZooKeeper's HashSet order (java-hash-order.ts): /p/e2, added by a pending create, lands
    // in an earlier bucket of the cloned set than /p/e1.
    expect(close.kind === 'closeSession' && close.paths).toEqual(['/p/e2', '/p/e1']);
    // After the close is prepped, the ephemerals are gone for later preps.
    expect(h.propose(create('/p/e1')).kind).toBe('create');
    const results = h.commitAll();
    const closed = results[3];
    expect(closed?.sessionClosed).toBe(7n);
    expect(eventsOf(closed)).toEqual([
      { path: '/p/e2', type: EventType.NodeDeleted },
      { path: '/p', type: EventType.NodeChildrenChanged },
      { path: '/p/e1', type: EventType.NodeDeleted },
      { path: '/p', type: EventType.NodeChildrenChanged },
    ]);
    expect(h.tree.ephemeralsOf(7n).size).toBe(0);
    expect([...h.tree.ephemeralsOf(8n)]).toEqual(['/other']);
    expect(h.tree.stat('/p/e1')?.ephemeralOwner).toBe(0n);
  });

  it('createSession reports the new session and changes no node', () => {
    const h = new Harness();
    const before = h.tree.digest();
    const r = h.write({ op: OpCode.createSession, timeoutMs: 30_000 }, { sessionId: 0x100n });
    expect(r.sessionCreated).toEqual({ sessionId: 0x100n, timeoutMs: 30_000 });
    expect(h.tree.digest()).toBe(before);
  });
});

describe('containers and TTL nodes (§6.5)', () => {
  it('op 19 makes a container; ops 1/15 with flags 4 store a plain persistent node', () => {
    const h = new Harness();
    const c = h.write({ op: OpCode.createContainer, path: '/c', data: null, acl: OPEN_ACL_UNSAFE, flags: 4 });
    expect(c.txn.kind === 'create' && c.txn.ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);
    expect(responseOf(OpCode.createContainer, c)?.kind).toBe('create2');
    const p = h.write({ op: OpCode.create2, path: '/p', data: null, acl: OPEN_ACL_UNSAFE, flags: 4 });
    expect(p.txn.kind === 'create' && p.txn.ephemeralOwner).toBe(0n);
  });

  it('the reaper cycle: a used, emptied container is deleted by deleteContainer with events', () => {
    const h = new Harness();
    h.write({ op: OpCode.createContainer, path: '/c', data: null, acl: OPEN_ACL_UNSAFE, flags: 4 });
    h.write(create('/c/x'));
    h.write(del('/c/x'));
    const [candidate] = h.tree.containerCandidates();
    expect(candidate).toBe('/c');
    const r = h.write({ op: OpCode.deleteContainer, path: '/c' }, { sessionId: 0n });
    expect(r.err).toBe(0);
    expect(h.tree.getNode('/c')).toBeUndefined();
  });

  it('a TTL node expires by mtime; setData renews it', () => {
    const h = new Harness();
    h.timeMs = 1000;
    h.write({ op: OpCode.createTTL, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, flags: 5, ttl: 500n });
    expect(h.tree.expiredTtlNodes(1400)).toEqual([]);
    h.timeMs = 1400;
    h.write(setData('/t', 'x'));
    expect(h.tree.expiredTtlNodes(1600)).toEqual([]);
    expect(h.tree.expiredTtlNodes(1901)).toEqual(['/t']);
    expect(h.tree.stat('/t')?.ephemeralOwner).toBe(0n);
  });
});

describe('responseOf (FinalRequestProcessor)', () => {
  it('create -> path, create2 -> path + stat, setData -> stat, delete -> no body, errors -> no body', () => {
    const h = new Harness();
    const c = h.write(create('/a'));
    expect(responseOf(OpCode.create, c)).toEqual({ kind: 'create', path: '/a' });
    const c2 = h.write({ op: OpCode.create2, path: '/b', data: null, acl: OPEN_ACL_UNSAFE, flags: 0 });
    expect(responseOf(OpCode.create2, c2)).toMatchObject({ kind: 'create2', path: '/b', stat: { czxid: 2n } });
    expect(responseOf(OpCode.setData, h.write(setData('/a', 'x')))).toMatchObject({ kind: 'stat', stat: { version: 1 } });
    expect(responseOf(OpCode.delete, h.write(del('/a')))).toBeNull();
    expect(responseOf(OpCode.create, h.write(create('/b')))).toBeNull();
  });
});

describe('apply is total', () => {
  it('txns naming impossible paths change nothing and report NoNode instead of throwing', () => {
    const h = new Harness();
    const before = h.tree.digest();
    const header = (zxid: bigint) => ({ sessionId: 1n, cxid: 0, zxid, timeMs: 1 });
    expect(apply({ kind: 'delete', path: '', header: header(1n) }, h.tree).err).toBe(ErrorCode.NoNode);
    expect(apply({ kind: 'delete', path: '/', header: header(2n) }, h.tree).err).toBe(ErrorCode.NoNode);
    expect(apply({ kind: 'create', path: 'x', data: null, acl: [], ephemeralOwner: 0n, parentCVersion: -1, header: header(3n) }, h.tree).err).toBe(ErrorCode.NoNode);
    expect(apply({ kind: 'setData', path: '/none', data: null, version: 1, header: header(4n) }, h.tree).err).toBe(ErrorCode.NoNode);
    expect(apply({ kind: 'closeSession', paths: ['', '/none'], header: header(5n) }, h.tree).sessionClosed).toBe(1n);
    expect(h.tree.digest()).toBe(before);
  });
});
