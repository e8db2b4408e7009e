/**
 * Pure helpers of TreeCache: where a path sits below the cache root, which cached paths a
 * deletion takes with it, and the changes between two readings of a subtree, ordered so that a
 * listener never sees a child before its parent is created or after its parent is deleted.
 */
import type { Stat } from '../../protocol/index.js';

/** One cached znode: its data and the Stat read with it. */
export interface CachedNode {
  readonly data: Uint8Array | null;
  readonly stat: Stat;
}

/** One difference between two readings of a subtree. */
export type TreeChange =
  | { readonly kind: 'created'; readonly path: string; readonly node: CachedNode }
  | { readonly kind: 'changed'; readonly path: string; readonly node: CachedNode; readonly previous: CachedNode }
  | { readonly kind: 'deleted'; readonly path: string; readonly previous: CachedNode };

/**
 * Whether two readings show the same version of a node: the same creation (czxid; a node deleted
 * and created again is a change) and the same last data write (mzxid). Child-only changes move
 * neither, so they are not data changes.
 */
export function isSameVersion(a: CachedNode, b: CachedNode): boolean {
  return a.stat.czxid === b.stat.czxid && a.stat.mzxid === b.stat.mzxid;
}

/** How many levels `path` is below `root` (0 for the root itself), or -1 when it is not inside. */
export function depthBelow(root: string, path: string): number {
  if (path === root) return 0;
  const prefix = root === '/' ? '/' : `${root}/`;
  if (!path.startsWith(prefix)) return -1;
  return path.slice(prefix.length).split('/').length;
}

function depthOf(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/** Parents before children, then by path, so creations replay in a valid order. */
function parentsFirst(a: string, b: string): number {
  return depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** `path` and every cached path below it, children before parents (the order of deletions). */
export function subtreePaths(paths: Iterable<string>, path: string): string[] {
  const out: string[] = [];
  for (const p of paths) if (depthBelow(path, p) >= 0) out.push(p);
  return out.sort((a, b) => -parentsFirst(a, b));
}

/**
 * The changes that turn `previous` into `next`: deletions (children first), then creations
 * (parents first), then data changes.
 */
export function diffTrees(previous: ReadonlyMap<string, CachedNode>, next: ReadonlyMap<string, CachedNode>): TreeChange[] {
  const deleted: TreeChange[] = [];
  const created: TreeChange[] = [];
  const changed: TreeChange[] = [];
  for (const path of subtreePaths(previous.keys(), '/')) {
    const before = previous.get(path);
    if (before !== undefined && !next.has(path)) deleted.push({ kind: 'deleted', path, previous: before });
  }
  for (const path of [...next.keys()].sort(parentsFirst)) {
    const node = next.get(path);
    const before = previous.get(path);
    if (node === undefined) continue;
    if (before === undefined) created.push({ kind: 'created', path, node });
    else if (!isSameVersion(before, node)) changed.push({ kind: 'changed', path, node, previous: before });
  }
  return [...deleted, ...created, ...changed];
}
