/**
 * What `corral failover` does from outside the members: read a group's state, and ask for a
 * graceful hand-over to a named member (the active steps down cleanly, so no fencing is needed).
 */
import type { ZkClient } from '../../client/index.js';
import { ErrorCode, ZkError } from '../../protocol/index.js';
import {
  decodeJson,
  encodeJson,
  failoverRequestSchema,
  groupPaths,
  memberInfoSchema,
  memberStatusSchema,
  type MemberInfo,
  type MemberStatus,
} from './group-layout.js';

/** `corral failover GROUP --to MEMBER` named a member that is not in the group. */
export class UnknownFailoverMemberError extends Error {
  override readonly name = 'UnknownFailoverMemberError';
  constructor(
    readonly group: string,
    readonly member: string,
    /** The members connected to the group when asked. */
    readonly members: readonly string[],
  ) {
    super(`member ${member} is not in failover group ${group} (members: ${members.join(', ') || 'none'})`);
  }
}

/** A failover group as seen from outside. */
export interface GroupStatus {
  readonly group: string;
  /** The lock holder, or null when no member is active. */
  readonly active: MemberInfo | null;
  /** The last member that went active and has not handed over cleanly. */
  readonly breadcrumb: MemberInfo | null;
  /** The pending manual request's target, if any. */
  readonly requestedActive: string | null;
  readonly members: readonly MemberStatus[];
}

/** Reads a group's lock, breadcrumb, pending request and member states. */
export async function readGroupStatus(client: ZkClient, group: string, root?: string): Promise<GroupStatus> {
  const paths = groupPaths(group, root);
  // On an ensemble this client's server may lag the leader: catch up first, so the status (and a
  // hand-over's "is that a member?" check) sees every write committed before the call.
  await client.sync('/');
  const read = async (path: string): Promise<Uint8Array | null> => {
    try {
      return (await client.getData(path)).data;
    } catch (error) {
      if (error instanceof ZkError && error.code === ErrorCode.NoNode) return null;
      throw error;
    }
  };
  let names: string[] = [];
  try {
    names = await client.getChildren(paths.members);
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NoNode)) throw error;
  }
  const members: MemberStatus[] = [];
  for (const name of names.sort()) {
    const status = decodeJson(memberStatusSchema, await read(`${paths.members}/${name}`));
    if (status !== null) members.push(status);
  }
  return {
    group,
    active: decodeJson(memberInfoSchema, await read(paths.lock)),
    breadcrumb: decodeJson(memberInfoSchema, await read(paths.breadcrumb)),
    requestedActive: decodeJson(failoverRequestSchema, await read(paths.request))?.to ?? null,
    members,
  };
}

/**
 * Asks the group to hand the active role to `to`, then waits until `to` holds the lock or
 * `timeoutMs` passes. Resolves with the final status; the caller checks `active`.
 */
export async function requestFailover(
  client: ZkClient,
  group: string,
  to: string,
  options: { readonly timeoutMs: number; readonly root?: string },
): Promise<GroupStatus> {
  const paths = groupPaths(group, options.root);
  const before = await readGroupStatus(client, group, options.root);
  if (!before.members.some((m) => m.id === to)) {
    throw new UnknownFailoverMemberError(group, to, before.members.map((m) => m.id));
  }
  if (before.active?.id === to) return before;
  try {
    await client.setData(paths.request, encodeJson({ to }));
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NoNode)) throw error;
    await client.create(paths.request, encodeJson({ to }));
  }
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const status = await readGroupStatus(client, group, options.root);
    const target = status.members.find((m) => m.id === to);
    if ((status.active?.id === to && target?.role === 'active') || performance.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
