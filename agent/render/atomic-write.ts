import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type CommandResult, runCommand, substituteFile } from '../supervise/run-command.js';

/** A command run on the new file before it replaces the live one (`{{file}}` is its path). */
export interface SwapCheck {
  /** argv with `{{file}}` placeholders. */
  readonly argv: readonly string[];
  /** Kill it after this long (counts as a failure). */
  readonly timeoutMs: number;
}

/** Inputs of {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** The live file. */
  readonly path: string;
  /** The new content. */
  readonly content: string | Uint8Array;
  /** Permission bits (default: the live file's, or 0o644 for a new file). */
  readonly mode?: number;
  /** New owner; needs the privilege to chown. A missing uid or gid keeps the live file's. */
  readonly owner?: { readonly uid?: number; readonly gid?: number };
  /** Keep the previous version as `<file>.bak`. */
  readonly backup?: boolean;
  /** Allow replacing a non-empty file with an empty one. */
  readonly allowEmpty?: boolean;
  /** Run this on the new file before the swap; on failure the live file stays. */
  readonly check?: SwapCheck;
}

/** What {@link atomicWrite} did; filesystem failures throw instead. */
export type AtomicWriteResult =
  | { readonly kind: 'written'; readonly backupPath: string | null }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refusedEmpty' }
  | { readonly kind: 'checkFailed'; readonly result: CommandResult };

async function readExisting(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function existingMode(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Brings the live file's mode and owner to the ones asked for, in place (chmod and chown are
 * atomic): same content with a new mode or owner needs no new file.
 */
async function applyAttributes(path: string, mode: number | undefined, owner: AtomicWriteOptions['owner']): Promise<void> {
  if (mode === undefined && owner?.uid === undefined && owner?.gid === undefined) return;
  const current = await stat(path);
  if (mode !== undefined && (current.mode & 0o7777) !== mode) await chmod(path, mode);
  const uid = owner?.uid ?? current.uid;
  const gid = owner?.gid ?? current.gid;
  if (uid !== current.uid || gid !== current.gid) await chown(path, uid, gid);
}

/** An owner naming only uid or gid keeps the live file's other half (the new file would get the agent's). */
async function completeOwner(path: string, owner: AtomicWriteOptions['owner']): Promise<AtomicWriteOptions['owner']> {
  if (owner === undefined || (owner.uid !== undefined && owner.gid !== undefined)) return owner;
  if (owner.uid === undefined && owner.gid === undefined) return owner;
  const current = await stat(path);
  return { uid: owner.uid ?? current.uid, gid: owner.gid ?? current.gid };
}

/** Writes the temp file completely: data, fsync, mode, owner. */
async function writeTemp(temp: string, content: Uint8Array, mode: number, owner: AtomicWriteOptions['owner']): Promise<void> {
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
    // chmod after open, because open's mode is filtered by the umask.
    await handle.chmod(mode);
    if (owner?.uid !== undefined || owner?.gid !== undefined) await handle.chown(owner.uid ?? -1, owner.gid ?? -1);
  } finally {
    await handle.close();
  }
}

/** Keeps the live file as `<file>.bak`: a hard link (the old inode survives the rename), else a copy. */
async function makeBackup(path: string): Promise<string> {
  const backupPath = `${path}.bak`;
  await unlink(backupPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  try {
    await link(path, backupPath);
  } catch (err) {
    // Some filesystems refuse hard links; a copy is a good backup too.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' && (err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw err;
    await copyFile(path, backupPath);
  }
  return backupPath;
}

/** fsyncs a directory, so the rename itself survives a crash. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` atomically and only when the content changes: temp file in the same folder,
 * write, fsync, chmod/chown, optional check on the temp file, optional `.bak`, rename, fsync the
 * folder. It never writes over the live file, and refuses to empty a file unless `allowEmpty`.
 * With the content unchanged, a `mode` or `owner` that differs is applied to the live file in
 * place and the result is still `unchanged` (nothing reloads for it).
 */
export async function atomicWrite(options: AtomicWriteOptions): Promise<AtomicWriteResult> {
  const { path } = options;
  const content = typeof options.content === 'string' ? Buffer.from(options.content, 'utf8') : options.content;
  const existing = await readExisting(path);
  if (existing !== null && existing.equals(content)) {
    await applyAttributes(path, options.mode, options.owner);
    return { kind: 'unchanged' };
  }
  if (content.length === 0 && existing !== null && existing.length > 0 && options.allowEmpty !== true) {
    return { kind: 'refusedEmpty' };
  }
  const mode = options.mode ?? (await existingMode(path)) ?? 0o644;
  const owner = existing === null ? options.owner : await completeOwner(path, options.owner);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    await writeTemp(temp, content, mode, owner);
    if (options.check !== undefined) {
      const result = await runCommand({ argv: substituteFile(options.check.argv, temp), timeoutMs: options.check.timeoutMs });
      if (!result.ok) return { kind: 'checkFailed', result };
    }
    const backupPath = options.backup === true && existing !== null ? await makeBackup(path) : null;
    await rename(temp, path);
    renamed = true;
    await syncDir(dir);
    return { kind: 'written', backupPath };
  } finally {
    if (!renamed) await removeTemp(temp);
  }
}

async function removeTemp(temp: string): Promise<void> {
  try {
    await unlink(temp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
