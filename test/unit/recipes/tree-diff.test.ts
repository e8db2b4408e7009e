import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CachedNode, type TreeChange, depthBelow, diffTrees, subtreePaths } from '../../../client/recipes/tree-diff.js';
import type { Stat } from '../../../protocol/index.js';

function node(czxid: number, mzxid: number, data = `${mzxid}`): CachedNode {
  const stat: Stat = {
    czxid: BigInt(czxid),
    mzxid: BigInt(mzxid),
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: data.length,
    numChildren: 0,
    pzxid: 0n,
  };
  return { data: new TextEncoder().encode(data), stat };
}

function apply(start: ReadonlyMap<string, CachedNode>, changes: readonly TreeChange[]): Map<string, CachedNode> {
  const out = new Map(start);
  for (const c of changes) {
    if (c.kind === 'deleted') out.delete(c.path);
    else out.set(c.path, c.node);
  }
  return out;
}

describe('tree diff', () => {
  it('depthBelow places paths relative to the root', () => {
    expect(depthBelow('/a', '/a')).toBe(0);
    expect(depthBelow('/a', '/a/b/c')).toBe(2);
    expect(depthBelow('/a', '/ab')).toBe(-1);
    expect(depthBelow('/', '/x/y')).toBe(2);
  });

  it('subtreePaths lists a subtree children first', () => {
    expect(subtreePaths(['/a', '/a/b', '/a/b/c', '/ab', '/a/d'], '/a')).toEqual(['/a/b/c', '/a/d', '/a/b', '/a']);
  });

  it('orders deletions children first and creations parents first; a re-created node is a change', () => {
    const before = new Map([
      ['/r', node(1, 1)],
      ['/r/old', node(2, 2)],
      ['/r/old/leaf', node(3, 3)],
      ['/r/same', node(4, 4)],
      ['/r/again', node(5, 5)],
    ]);
    const after = new Map([
      ['/r', node(1, 1)],
      ['/r/same', node(4, 4)],
      ['/r/again', node(9, 9)],
      ['/r/new', node(7, 7)],
      ['/r/new/kid', node(8, 8)],
    ]);
    expect(diffTrees(before, after).map((c) => `${c.kind} ${c.path}`)).toEqual([
      'deleted /r/old/leaf',
      'deleted /r/old',
      'created /r/new',
      'created /r/new/kid',
      'changed /r/again',
    ]);
  });

  it('applying the diff to the old tree yields the new one (property)', () => {
    const tree = fc
      .dictionary(fc.constantFrom('/r', '/r/a', '/r/b', '/r/a/c', '/r/a/d', '/r/b/e'), fc.tuple(fc.nat(3), fc.nat(3)))
      .map((d) => new Map(Object.entries(d).map(([p, [c, m]]) => [p, node(c, c + m)] as const)));
    fc.assert(
      fc.property(tree, tree, (before, after) => {
        const changes = diffTrees(before, after);
        const result = apply(before, changes);
        expect([...result.keys()].sort()).toEqual([...after.keys()].sort());
        for (const [p, n] of after) expect(result.get(p)?.stat.mzxid).toBe(n.stat.mzxid);
        expect(diffTrees(after, after)).toEqual([]);
      }),
    );
  });
});
