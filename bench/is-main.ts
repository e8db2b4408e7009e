/**
 * Whether a module is the script node was started with, so each benchmark file is both a
 * library for compare.ts and a runnable command.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when `moduleUrl` (pass `import.meta.url`) is the file named by process.argv[1]. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    // argv[1] that does not resolve to a file (node -e, a REPL) is not this module.
    return false;
  }
}
