/**
 * Reads a znode subtree into memory, breadth first with a bounded number of pipelined requests,
 * for the commands that walk trees (ls -R, tree, rm -r, push, pull, export). Nodes deleted
 * while the walk runs are skipped, as zkCli's `ls -R` does.
 */
import type { ZkClient } from '../client/index.js';
import { ErrorCode, ZkError } from '../protocol/index.js';
import type { Stat } from '../protocol/index.js';
import { joinZnodePath } from './format.js';

/** One znode of a subtree read by {@link readTree}. */
export interface RemoteNode {
  readonly data: Uint8Array | null;
  readonly stat: Stat;
  /** Child names, sorted. */
  readonly children: readonly string[];
}

/** A subtree keyed by path relative to its root: `''` for the root itself, then `/a`, `/a/b`. */
export type RemoteTree = ReadonlyMap<string, RemoteNode>;

/** Options of {@link readTree}. */
export interface ReadTreeOptions {
  /** Leave out `/zookeeper` (the server's own subtree) when reading from `/`. */
  readonly excludeSystem?: boolean;
  /** Called after every batch with the number of nodes read so far. */
  readonly onProgress?: (nodeCount: number) => void;
}

/** Nodes read at once; each costs two pipelined requests, so this bounds what is in flight. */
const maxNodesInFlight = 64;

/** Reads the subtree under `root`, or returns null when `root` does not exist. */
export async function readTree(client: ZkClient, root: string, options: ReadTreeOptions = {}): Promise<RemoteTree | null> {
  const tree = new Map<string, RemoteNode>();
  let frontier: string[] = [''];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += maxNodesInFlight) {
      const slice = frontier.slice(i, i + maxNodesInFlight);
      const nodes = await Promise.all(slice.map((relative) => readNode(client, joinZnodePath(root, relative))));
      slice.forEach((relative, index) => {
        const node = nodes[index];
        if (node === undefined || node === null) return;
        tree.set(relative, node);
        for (const child of node.children) {
          const childRelative = `${relative}/${child}`;
          if (options.excludeSystem === true && root === '/' && childRelative === '/zookeeper') continue;
          next.push(childRelative);
        }
      });
      options.onProgress?.(tree.size);
    }
    if (!tree.has('')) return null;
    frontier = next;
  }
  return tree;
}

/** Reads one node, or null when it is gone. */
async function readNode(client: ZkClient, path: string): Promise<RemoteNode | null> {
  try {
    const [{ data, stat }, children] = await Promise.all([client.getData(path), client.getChildren(path)]);
    return { data, stat, children: children.sort() };
  } catch (err) {
    if (err instanceof ZkError && err.code === ErrorCode.NoNode) return null;
    throw err;
  }
}

/** The relative paths of a tree in depth-first order, parents before children, siblings sorted. */
export function depthFirst(tree: RemoteTree): string[] {
  const order: string[] = [];
  const visit = (relative: string): void => {
    const node = tree.get(relative);
    if (node === undefined) return;
    order.push(relative);
    for (const child of node.children) visit(`${relative}/${child}`);
  };
  visit('');
  return order;
}
