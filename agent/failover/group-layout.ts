/**
 * Where a failover group lives in the tree and what its znodes hold, after Hadoop's
 * ActiveStandbyElector (ActiveStandbyElectorLock and ActiveBreadCrumb):
 *
 *   <root>/<group>/lock          ephemeral: the member that holds the active role now
 *   <root>/<group>/breadcrumb    persistent: the last member that went active; deleted on a
 *                                clean hand-over, so a breadcrumb naming someone else means
 *                                "fence that member before going active"
 *   <root>/<group>/members/<id>  ephemeral: each member's state, for `corral failover status`
 *   <root>/<group>/request       persistent: a manual failover request `{ to }`
 *
 * The fencing token of a win is the lock znode's czxid: every new lock is created by a later
 * transaction, so tokens increase with every new active, across sessions and members.
 */
import { z } from 'zod';

/** The default root of every failover group. */
export const defaultFailoverRoot = '/corral/failover';

/** Paths of one group's znodes. */
export interface GroupPaths {
  readonly group: string;
  readonly lock: string;
  readonly breadcrumb: string;
  readonly members: string;
  readonly request: string;
}

/** The paths of `group` under `root`. */
export function groupPaths(group: string, root = defaultFailoverRoot): GroupPaths {
  const base = `${root}/${group}`;
  return {
    group: base,
    lock: `${base}/lock`,
    breadcrumb: `${base}/breadcrumb`,
    members: `${base}/members`,
    request: `${base}/request`,
  };
}

/** What the lock and the breadcrumb say about a member. */
export const memberInfoSchema = z.object({
  id: z.string().min(1),
  address: z.string().default(''),
  /** The fencing token of the win that wrote it (the lock's czxid, decimal). */
  token: z.string().default(''),
});

/** A member as the lock and breadcrumb name it. */
export type MemberInfo = z.output<typeof memberInfoSchema>;

/** The role a member reports in its status znode. */
export type MemberRole = 'initializing' | 'standby' | 'fencing' | 'becoming-active' | 'active';

/** A member's status znode. */
export const memberStatusSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['initializing', 'standby', 'fencing', 'becoming-active', 'active']),
  healthy: z.boolean(),
  reason: z.string(),
  sinceWallMs: z.number(),
});

/** A member's status, as `corral failover status` shows it. */
export type MemberStatus = z.output<typeof memberStatusSchema>;

/** A manual failover request. */
export const failoverRequestSchema = z.object({ to: z.string().min(1) });

/** A manual failover request: the member that should become active. */
export type FailoverRequest = z.output<typeof failoverRequestSchema>;

/** Encodes a record as the UTF-8 JSON a znode holds. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Decodes znode data with a schema; null for missing or malformed data. */
export function decodeJson<T>(schema: z.ZodType<T>, data: Uint8Array | null): T | null {
  if (data === null || data.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch {
    // Someone else's bytes in our znode: treat as absent rather than crash the controller.
    return null;
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : null;
}
