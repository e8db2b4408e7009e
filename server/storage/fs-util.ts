/** Small file-system helpers shared by the file stores (shell code). */
import { open, readdir } from 'node:fs/promises';

/** The subdirectory ZooKeeper keeps its logs and snapshots in, under dataLogDir and dataDir. */
export const VERSION_DIR = 'version-2';

/** Fsyncs a directory, so that file creations, renames and deletions in it are durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The names in `dir`, or none when `dir` does not exist. */
export async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err: unknown) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return [];
    throw err;
  }
}
