import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory and the function that removes it with everything inside. */
export interface TempDir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Removes the directory recursively; safe to call twice. */
  cleanup(): Promise<void>;
}

const live = new Set<string>();

/** Creates a fresh directory under the OS temp dir; remember to `cleanup()` it in afterEach. */
export async function tempDir(prefix = 'corral-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  live.add(path);
  return {
    path,
    cleanup: async () => {
      live.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Removes every directory made by {@link tempDir} that is still there (used by `reapAll`). */
export async function removeAllTempDirs(): Promise<void> {
  const paths = [...live];
  live.clear();
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}
