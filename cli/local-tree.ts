/**
 * The local side of push and pull: a folder read as a desired znode tree (files are nodes with
 * data, folders are nodes created with null data and whose data is then left alone, names
 * starting with `.` are skipped), and a
 * znode tree written into a folder with atomic file writes (temp file in the same folder,
 * write, fsync, rename, fsync the folder), so that readers never see half a file.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './exit-codes.js';
import { joinZnodePath } from './format.js';
import { type RemoteTree, depthFirst } from './remote-tree.js';
import type { DesiredNode, DesiredTree } from './tree-sync.js';

/** Whether a file or folder name is skipped by push and pull (dotfiles: editor swaps, .git, temp files). */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.');
}

/** Reads `dir` as a desired tree keyed by relative path (`''` is `dir` itself). */
export async function readLocalTree(dir: string): Promise<DesiredTree> {
  await requireDirectory(dir);
  const tree = new Map<string, DesiredNode>([['', { kind: 'keep' }]]);
  const walk = async (folder: string, relative: string): Promise<void> => {
    const names = (await readdir(folder)).filter((name) => !isIgnoredName(name)).sort();
    for (const name of names) {
      const path = join(folder, name);
      const info = await stat(path);
      const childRelative = `${relative}/${name}`;
      if (info.isDirectory()) {
        tree.set(childRelative, { kind: 'keep' });
        await walk(path, childRelative);
      } else if (info.isFile()) {
        tree.set(childRelative, { kind: 'data', data: new Uint8Array(await readFile(path)) });
      }
    }
  };
  await walk(dir, '');
  return tree;
}

async function requireDirectory(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  throw new UsageError(`${dir} is not a folder`);
}

/** One change to the local folder made (or, in a dry run, planned) by pull. */
export type LocalChange =
  | { readonly op: 'write'; readonly file: string; readonly sizeBytes: number }
  | { readonly op: 'remove'; readonly file: string };

/** The outcome of {@link writeLocalTree}. */
export interface LocalWriteResult {
  readonly changes: readonly LocalChange[];
  /** Znodes whose data could not be written because they have children (a folder holds no data). */
  readonly skipped: readonly string[];
}

/**
 * Writes the tree read from `root` into `dir`: nodes with children become folders, leaves become
 * files; unchanged files are not rewritten. With `prune`, local entries absent from the tree
 * are removed.
 */
export async function writeLocalTree(options: {
  readonly dir: string;
  readonly root: string;
  readonly tree: RemoteTree;
  readonly prune: boolean;
  readonly dryRun: boolean;
}): Promise<LocalWriteResult> {
  const { dir, root, tree, dryRun } = options;
  const changes: LocalChange[] = [];
  const skipped: string[] = [];
  for (const relative of depthFirst(tree)) {
    const node = tree.get(relative);
    if (node === undefined) continue;
    const target = join(dir, relative);
    // A znode with null data is a folder (push creates folders so), even without children.
    if (relative === '' || node.children.length > 0 || node.data === null) {
      await ensureFolder(target, dryRun);
      if ((node.data?.length ?? 0) > 0) skipped.push(joinZnodePath(root, relative));
      continue;
    }
    const data = node.data;
    if (await hasContent(target, data)) continue;
    if (!dryRun) await writeFileAtomic(target, data);
    changes.push({ op: 'write', file: target, sizeBytes: data.length });
  }
  if (options.prune) changes.push(...(await pruneLocal(dir, tree, dryRun)));
  return { changes, skipped };
}

/** The file's stats, or null when it does not exist. */
async function statOrNull(path: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function ensureFolder(path: string, dryRun: boolean): Promise<void> {
  const info = await statOrNull(path);
  if (info !== null && !info.isDirectory()) throw new UsageError(`${path} is a file, but the znode has children; move it away and pull again`);
  if (info === null && !dryRun) await mkdir(path, { recursive: true });
}

async function hasContent(path: string, data: Uint8Array): Promise<boolean> {
  const info = await statOrNull(path);
  if (info === null) return false;
  if (info.isDirectory()) throw new UsageError(`${path} is a folder, but the znode has no children; move it away and pull again`);
  return info.size === data.length && (await readFile(path)).equals(data);
}

let tempCounter = 0;

/** Writes `data` to `path` atomically: temp file beside it, fsync, rename, fsync the folder. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.corral-${process.pid}-${tempCounter++}.tmp`);
  const file = await open(temp, 'wx', 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
  const folderHandle = await open(folder, 'r');
  try {
    await folderHandle.sync();
  } finally {
    await folderHandle.close();
  }
}

async function pruneLocal(dir: string, tree: RemoteTree, dryRun: boolean): Promise<LocalChange[]> {
  const removed: LocalChange[] = [];
  const walk = async (folder: string, relative: string): Promise<void> => {
    for (const name of (await readdir(folder)).filter((n) => !isIgnoredName(n)).sort()) {
      const childRelative = `${relative}/${name}`;
      const path = join(folder, name);
      if (!tree.has(childRelative)) {
        if (!dryRun) await rm(path, { recursive: true, force: true });
        removed.push({ op: 'remove', file: path });
      } else if ((await stat(path)).isDirectory()) {
        await walk(path, childRelative);
      }
    }
  };
  // In a dry run the folder may not exist yet; then there is nothing to prune.
  if ((await statOrNull(dir)) !== null) await walk(dir, '');
  return removed;
}
