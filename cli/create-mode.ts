/**
 * The create flags shared by `corral create` and the shell's `create`: zkCli's -e/-s/-c/-t
 * mapped to a client CreateMode, and the creation of missing ancestors (`-p`, push, import).
 */
import type { CreateMode, ZkClient } from '../client/index.js';
import { ErrorCode, ZkError } from '../protocol/index.js';
import { UsageError } from './exit-codes.js';

/** The create flags as parsed. */
export interface CreateModeFlags {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl?: number | undefined;
}

/** The create mode the flags ask for; contradicting flags are a usage error. */
export function createModeOf(flags: CreateModeFlags): CreateMode {
  if (flags.container && (flags.ephemeral || flags.sequential || flags.ttl !== undefined)) {
    throw new UsageError('a container node cannot also be ephemeral, sequential or have a TTL');
  }
  if (flags.ttl !== undefined) {
    if (flags.ephemeral) throw new UsageError('--ttl applies to persistent nodes only, not with -e');
    return flags.sequential ? 'persistentSequentialWithTtl' : 'persistentWithTtl';
  }
  if (flags.container) return 'container';
  if (flags.ephemeral) return flags.sequential ? 'ephemeralSequential' : 'ephemeral';
  return flags.sequential ? 'persistentSequential' : 'persistent';
}

/** The ancestors of `path` from the top down, `/` excluded: `/a/b/c` -> `/a`, `/a/b`. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** Creates every missing ancestor of `path` as an empty persistent node; ones created meanwhile are fine. */
export async function createAncestors(client: ZkClient, path: string): Promise<string[]> {
  const created: string[] = [];
  for (const ancestor of ancestorsOf(path)) {
    if ((await client.exists(ancestor)) !== null) continue;
    try {
      await client.create(ancestor, null);
      created.push(ancestor);
    } catch (err) {
      if (!(err instanceof ZkError && err.code === ErrorCode.NodeExists)) throw err;
    }
  }
  return created;
}
