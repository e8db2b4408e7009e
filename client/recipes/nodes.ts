/**
 * Shared znode chores of the recipes: creating missing parents, creating a protected sequential
 * node that survives a lost reply, and deleting a session's node with bounded retries.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/index.js';
import type { Logger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import type { NodeData } from '../ops.js';
import { hasCode, isConnectionError, untilClientConnected } from './managed-client.js';
import { childPath, findProtected, protectedPrefix } from './sequence.js';

/** Attempts at one recipe write before its last error is raised. */
export const maxWriteAttempts = 10;

/** Makes the UUID of a protected node name; injectable so tests can name nodes. */
export type UuidSource = () => string;

/** The default UuidSource (node:crypto). */
export const randomUuid: UuidSource = () => randomUUID();

/** Creates `path` and each missing ancestor as persistent znodes; existing ones are fine. */
export async function ensurePath(client: ZkClient, path: string): Promise<void> {
  if (path === '/') return;
  const parts = path.split('/').filter((p) => p.length > 0);
  let current = '';
  for (const part of parts) {
    current = `${current}/${part}`;
    try {
      await client.create(current);
    } catch (err) {
      if (!hasCode(err, ErrorCode.NodeExists)) throw err;
    }
  }
}

/**
 * Creates an ephemeral sequential child `_c_<uuid>-<marker><seq>` of `parent` (creating missing
 * parents), and returns its path. When a reply is lost, the node is looked up by its protected
 * prefix after reconnecting instead of creating a second one (Curator's protection mode).
 */
export async function createProtectedSequential(
  client: ZkClient,
  args: { readonly parent: string; readonly marker: string; readonly data: NodeData; readonly uuid: UuidSource },
): Promise<string> {
  const prefix = protectedPrefix(args.uuid());
  let lastError: unknown;
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    try {
      return await client.create(childPath(args.parent, `${prefix}${args.marker}`), args.data, { mode: 'ephemeralSequential' });
    } catch (err) {
      lastError = err;
      if (hasCode(err, ErrorCode.NoNode)) {
        await ensurePath(client, args.parent);
        continue;
      }
      if (!isConnectionError(err)) throw err;
      await untilClientConnected(client);
      const found = await findChild(client, args.parent, prefix);
      if (found !== undefined) return found;
    }
  }
  throw lastError;
}

async function findChild(client: ZkClient, parent: string, prefix: string): Promise<string | undefined> {
  try {
    const name = findProtected(await client.getChildren(parent), prefix);
    return name === undefined ? undefined : childPath(parent, name);
  } catch (err) {
    if (hasCode(err, ErrorCode.NoNode) || isConnectionError(err)) return undefined;
    throw err;
  }
}

/**
 * Deletes a node this session owns. A missing node is fine, and so is a lost session (its
 * ephemerals are gone with it); connection errors are retried on the same session.
 */
export async function deleteOwned(client: ZkClient, path: string, log: Logger): Promise<void> {
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    try {
      await client.delete(path);
      return;
    } catch (err) {
      if (hasCode(err, ErrorCode.NoNode, ErrorCode.SessionExpired)) return;
      if (!isConnectionError(err)) throw err;
      try {
        await untilClientConnected(client);
      } catch (waitErr) {
        log.debug({ err: waitErr, path }, 'session gone before delete; its ephemeral went with it');
        return;
      }
    }
  }
  log.warn({ path }, 'could not delete node; it goes when the session ends');
}
