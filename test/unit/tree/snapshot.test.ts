import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { DataTree, SnapshotFormatError, TreeLoader } from '../../../server/tree/index.js';
import { Harness, create } from '../txn/harness.js';
import { randomOp, type RandomOp } from '../txn/ops.js';

/** Every node's client view, for comparing two trees. */
function dump(tree: DataTree, paths: Iterable<string>): unknown[] {
  const out: unknown[] = [];
  for (const path of [...paths].sort()) {
    const node = tree.getNode(path);
    if (node === undefined) continue;
    out.push({ path, stat: tree.statOf(node), data: node.data, acl: tree.aclOf(node), children: tree.childrenOf(node).sort(), owner: node.ephemeralOwner });
  }
  return out;
}

function allPaths(tree: DataTree): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    out.push(p);
    const node = tree.getNode(p);
    if (node) for (const c of tree.childrenOf(node)) walk(p === '/' ? `/${c}` : `${p}/${c}`);
  };
  walk('/');
  return out;
}

function loadAll(chunks: readonly Uint8Array[]): DataTree {
  const loader = new TreeLoader();
  for (const chunk of chunks) loader.load(chunk);
  return loader.finish();
}

/**
 * Takes a sliced snapshot of `h`'s tree as of now, applying one op of `during` after each chunk
 * (and calling `afterChunk` with the number of chunks so far); returns the chunks.
 */
function snapshotWhileWriting(h: Harness, during: readonly RandomOp[], slice: number, afterChunk: (count: number) => void = () => undefined): Uint8Array[] {
  const cursor = h.tree.startSnapshot(h.tree.lastZxid);
  const chunks: Uint8Array[] = [];
  for (let c = cursor.next(slice); c !== null; c = cursor.next(slice)) {
    chunks.push(c);
    const op = during[chunks.length - 1];
    if (op !== undefined) h.write(op.request, { sessionId: op.sessionId });
    afterChunk(chunks.length);
  }
  return chunks;
}

describe('snapshot cursor and TreeLoader', () => {
  it('a fresh tree round-trips with its built-in nodes, digest and zxid', () => {
    const tree = new DataTree();
    const cursor = tree.startSnapshot(0n);
    const chunks: Uint8Array[] = [];
    for (let c = cursor.next(2); c !== null; c = cursor.next(2)) chunks.push(c);
    const loaded = loadAll(chunks);
    expect(loaded.digest()).toBe(tree.digest());
    expect(dump(loaded, allPaths(tree))).toEqual(dump(tree, allPaths(tree)));
    expect(loaded.nodeCount).toBe(5);
    expect(loaded.approximateDataSize).toBe(tree.approximateDataSize);
  });

  it('is consistent as of the start even when every kind of mutation interleaves with next()', () => {
    fc.assert(
      fc.property(fc.array(randomOp, { maxLength: 40 }), fc.array(randomOp, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), (before, during, slice) => {
        const h = new Harness();
        for (const op of before) h.write(op.request, { sessionId: op.sessionId });
        const paths = allPaths(h.tree);
        const expected = dump(h.tree, paths);
        const digest = h.tree.digest();
        const ephemerals = [...h.tree.ephemeralsOf(1n)].sort();
        const loaded = loadAll(snapshotWhileWriting(h, during, slice));
        expect(loaded.digest()).toBe(digest);
        expect(dump(loaded, paths)).toEqual(expected);
        expect(allPaths(loaded).sort()).toEqual([...paths].sort());
        expect([...loaded.ephemeralsOf(1n)].sort()).toEqual(ephemerals);
      }),
      { numRuns: 200 },
    );
  });

  it('a loaded tree keeps working: same digest as the original after the same further writes', () => {
    const h = new Harness();
    h.write(create('/a', 'x'));
    h.write(create('/a/s', '', 2));
    const cursor = h.tree.startSnapshot(h.tree.lastZxid);
    const chunks: Uint8Array[] = [];
    for (let c = cursor.next(100); c !== null; c = cursor.next(100)) chunks.push(c);
    const copy = new Harness(loadAll(chunks));
    for (const hh of [h, copy]) {
      hh.write(create('/a/s', '', 2));
      hh.write({ op: 5, path: '/a', data: null, version: 0 });
    }
    expect(copy.tree.digest()).toBe(h.tree.digest());
    expect(copy.tree.stat('/a')).toEqual(h.tree.stat('/a'));
  });

  it('refuses a missing end, a wrong digest, a missing header and garbage with SnapshotFormatError', () => {
    const tree = new DataTree();
    const cursor = tree.startSnapshot(0n);
    const chunk = cursor.next(1000);
    expect(cursor.next(1000)).toBeNull();
    if (chunk === null) throw new Error('no chunk');
    const noEnd = new TreeLoader();
    noEnd.load(chunk.subarray(0, chunk.length - 9));
    expect(() => noEnd.finish()).toThrow(SnapshotFormatError);
    const badDigest = chunk.slice();
    const at = 1 + 4 + 4 + 8;
    badDigest[at] = (badDigest[at] ?? 0) ^ 1;
    const loader = new TreeLoader();
    loader.load(badDigest);
    expect(() => loader.finish()).toThrow(SnapshotFormatError);
    expect(() => new TreeLoader().load(chunk.subarray(10))).toThrow(SnapshotFormatError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          const l = new TreeLoader();
          l.load(bytes);
          l.finish();
        } catch (err) {
          expect(err).toBeInstanceOf(SnapshotFormatError);
        }
      }),
    );
  });

  it('a whole snapshot taken while a sliced one is open is exact, and the sliced one stays exact (a SNAP during a disk snapshot)', () => {
    fc.assert(
      fc.property(fc.array(randomOp, { maxLength: 30 }), fc.array(randomOp, { maxLength: 30 }), fc.integer({ min: 1, max: 3 }), (before, during, slice) => {
        const h = new Harness();
        for (const op of before) h.write(op.request, { sessionId: op.sessionId });
        const paths = allPaths(h.tree);
        const expected = dump(h.tree, paths);
        const chunks = snapshotWhileWriting(h, during, slice, (count) => {
          if (count === 2) {
            const whole = h.tree.snapshotNow(slice);
            const nowPaths = allPaths(h.tree);
            expect(dump(loadAll(whole.chunks), nowPaths)).toEqual(dump(h.tree, nowPaths));
            expect(whole.zxid).toBe(h.tree.lastZxid);
          }
        });
        const loaded = loadAll(chunks);
        expect(dump(loaded, paths)).toEqual(expected);
        expect(allPaths(loaded).sort()).toEqual([...paths].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('a closed cursor stops saving pre-images, and a new one can start', () => {
    const h = new Harness();
    h.write(create('/a'));
    const first = h.tree.startSnapshot(h.tree.lastZxid);
    first.next(1);
    first.close();
    expect(first.next(1)).toBeNull();
    h.write({ op: 5, path: '/a', data: null, version: -1 });
    const second = h.tree.startSnapshot(h.tree.lastZxid);
    expect(second.next(1000)).not.toBeNull();
    expect(OPEN_ACL_UNSAFE.length).toBe(1);
  });
});
