import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { CONTAINER_EPHEMERAL_OWNER, DataTree, ttlEphemeralOwner } from '../../../server/tree/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Applies a create with the next zxid, as apply would. */
function mk(tree: DataTree, path: string, opts: { owner?: bigint; timeMs?: number; data?: string } = {}): number {
  const zxid = tree.lastZxid + 1n;
  tree.markApplied(zxid);
  return tree.createNode(path, bytes(opts.data ?? ''), OPEN_ACL_UNSAFE, opts.owner ?? 0n, -1, zxid, opts.timeMs ?? 1000);
}

function rm(tree: DataTree, path: string): number {
  const zxid = tree.lastZxid + 1n;
  tree.markApplied(zxid);
  return tree.deleteNode(path, zxid);
}

describe('DataTree built-in nodes (reference §5.1)', () => {
  it('a fresh tree shows /, /zookeeper, /zookeeper/quota, /zookeeper/config with their stats', () => {
    const tree = new DataTree();
    expect(tree.size).toBe(4);
    expect(tree.nodeCount).toBe(5); // the root is stored twice in ZooKeeper (§9.2)
    expect(tree.stat('/')).toMatchObject({ czxid: 0n, version: 0, cversion: -1, numChildren: 1, aversion: 0, dataLength: 0 });
    expect(tree.stat('/zookeeper')).toMatchObject({ cversion: -2, numChildren: 2 });
    expect(tree.stat('/zookeeper/quota')).toMatchObject({ cversion: 0, numChildren: 0 });
    const config = tree.getNode('/zookeeper/config');
    expect(config && tree.aclOf(config)).toEqual(READ_ACL_UNSAFE);
    expect(tree.stat('/zookeeper/config')?.aversion).toBe(-1);
    const root = tree.getNode('/');
    expect(root && tree.aclOf(root)).toEqual(OPEN_ACL_UNSAFE);
    expect(root && tree.dataOf(root)).toEqual(new Uint8Array(0));
  });

  it("'' is an alias of the root, as in ZooKeeper's node map", () => {
    const tree = new DataTree();
    expect(tree.getNode('')).toBe(tree.getNode('/'));
  });
});

describe('DataTree stats', () => {
  it('cversion worked example: create, delete, create x3 -> persisted 4, client 5 (§5.1)', () => {
    const tree = new DataTree();
    mk(tree, '/a');
    mk(tree, '/a/s-0000000000');
    rm(tree, '/a/s-0000000000');
    mk(tree, '/a/s-0000000001');
    mk(tree, '/a/s-0000000002');
    mk(tree, '/a/e');
    const a = tree.getNode('/a');
    expect(a?.cversion).toBe(4);
    expect(tree.stat('/a')).toMatchObject({ cversion: 5, numChildren: 3, pzxid: tree.lastZxid });
  });

  it('delete moves the parent pzxid but not its persisted cversion', () => {
    const tree = new DataTree();
    mk(tree, '/a');
    mk(tree, '/a/b');
    expect(rm(tree, '/a/b')).toBe(ErrorCode.Ok);
    expect(tree.getNode('/a')).toMatchObject({ cversion: 1, pzxid: Number(tree.lastZxid) });
    expect(tree.stat('/a')?.cversion).toBe(2);
  });

  it('setData changes version, mtime, mzxid and leaves ctime', () => {
    const tree = new DataTree();
    mk(tree, '/a', { timeMs: 5 });
    tree.markApplied(2n);
    expect(tree.setData('/a', bytes('xyz'), 1, 2n, 9)).toBe(0);
    expect(tree.stat('/a')).toMatchObject({ version: 1, mzxid: 2n, mtime: 9n, ctime: 5n, czxid: 1n, dataLength: 3 });
  });

  it('container and TTL nodes show ephemeralOwner 0 to clients; ephemerals show the session', () => {
    const tree = new DataTree();
    mk(tree, '/c', { owner: CONTAINER_EPHEMERAL_OWNER });
    mk(tree, '/t', { owner: ttlEphemeralOwner(100n) });
    mk(tree, '/e', { owner: 0x1234n });
    expect(tree.stat('/c')?.ephemeralOwner).toBe(0n);
    expect(tree.stat('/t')?.ephemeralOwner).toBe(0n);
    expect(tree.stat('/e')?.ephemeralOwner).toBe(0x1234n);
    expect([...tree.ephemeralsOf(0x1234n)]).toEqual(['/e']);
    expect(tree.ephemeralCount).toBe(1);
  });

  it('create under a missing parent is NoNode and an existing path NodeExists, changing nothing', () => {
    const tree = new DataTree();
    const before = tree.digest();
    expect(mk(tree, '/x/y')).toBe(ErrorCode.NoNode);
    expect(mk(tree, '/zookeeper')).toBe(ErrorCode.NodeExists);
    expect(tree.digest()).toBe(before);
  });
});

describe('DataTree counts', () => {
  it('getAllChildrenNumber counts descendants, and / counts every other node', () => {
    const tree = new DataTree();
    mk(tree, '/a');
    mk(tree, '/a/b');
    mk(tree, '/a/b/c');
    mk(tree, '/ab');
    expect(tree.allChildrenNumber('/a')).toBe(2);
    expect(tree.allChildrenNumber('/a/b/c')).toBe(0);
    expect(tree.allChildrenNumber('/')).toBe(tree.size - 1);
  });

  it('approximateDataSize sums path and data lengths', () => {
    const tree = new DataTree();
    const base = tree.approximateDataSize;
    expect(base).toBe('/'.length + '/zookeeper'.length + '/zookeeper/quota'.length + '/zookeeper/config'.length);
    mk(tree, '/a', { data: 'hello' });
    expect(tree.approximateDataSize).toBe(base + 2 + 5);
    rm(tree, '/a');
    expect(tree.approximateDataSize).toBe(base);
  });

  it('identical ACL lists are shared, and released when their last node goes', () => {
    const tree = new DataTree();
    const before = tree.aclCount;
    mk(tree, '/a');
    mk(tree, '/b');
    expect(tree.getNode('/a')?.acl).toBe(tree.getNode('/b')?.acl);
    expect(tree.aclCount).toBe(before);
  });
});

describe('DataTree reaper candidates (reference §6.5)', () => {
  it('a container is a candidate only once it had a child and is empty again', () => {
    const tree = new DataTree();
    mk(tree, '/c', { owner: CONTAINER_EPHEMERAL_OWNER });
    expect(tree.containerCandidates()).toEqual([]);
    mk(tree, '/c/x');
    expect(tree.containerCandidates()).toEqual([]);
    rm(tree, '/c/x');
    expect(tree.containerCandidates()).toEqual(['/c']);
  });

  it('a never-used container is a candidate after maxNeverUsedIntervalMs when that is set', () => {
    const tree = new DataTree();
    mk(tree, '/c', { owner: CONTAINER_EPHEMERAL_OWNER, timeMs: 1000 });
    expect(tree.containerCandidates({ wallMs: 5000, maxNeverUsedIntervalMs: 0 })).toEqual([]);
    expect(tree.containerCandidates({ wallMs: 5000, maxNeverUsedIntervalMs: 3000 })).toEqual(['/c']);
  });

  it('a TTL node expires when now - mtime > ttl and it has no children', () => {
    const tree = new DataTree();
    mk(tree, '/t', { owner: ttlEphemeralOwner(100n), timeMs: 1000 });
    expect(tree.expiredTtlNodes(1100)).toEqual([]);
    expect(tree.expiredTtlNodes(1101)).toEqual(['/t']);
    mk(tree, '/t/child');
    expect(tree.expiredTtlNodes(5000)).toEqual([]);
  });
});

describe('DataTree digest', () => {
  it('returns to the same value when a change is undone', () => {
    const tree = new DataTree();
    const fresh = new DataTree().digest();
    expect(tree.digest()).toBe(fresh);
    mk(tree, '/a');
    expect(tree.digest()).not.toBe(fresh);
  });

  it('differs for different data and equal for equal histories', () => {
    const a = new DataTree();
    const b = new DataTree();
    mk(a, '/x', { data: 'one' });
    mk(b, '/x', { data: 'one' });
    expect(a.digest()).toBe(b.digest());
    a.markApplied(2n);
    b.markApplied(2n);
    a.setData('/x', bytes('two'), 1, 2n, 1);
    b.setData('/x', bytes('tw0'), 1, 2n, 1);
    expect(a.digest()).not.toBe(b.digest());
  });
});
