/**
 * Predefined ACL lists (ZooDefs.Ids), the digest scheme's id derivation and sequential-node
 * suffixes (reference §5.2, §6.4).
 */
import { createHash } from 'node:crypto';
import { Perms } from './opcodes.js';
import type { Acl, Id } from './records.js';

/** world:anyone, the id every connection matches. */
export const ANYONE_ID_UNSAFE: Id = Object.freeze({ scheme: 'world', id: 'anyone' });

/** The placeholder id replaced by the caller's authenticated ids in create/setACL. */
export const AUTH_IDS: Id = Object.freeze({ scheme: 'auth', id: '' });

/** All permissions for everyone. */
export const OPEN_ACL_UNSAFE: readonly Acl[] = Object.freeze([Object.freeze({ perms: Perms.All, id: ANYONE_ID_UNSAFE })]);

/** All permissions for the creator's authenticated ids. */
export const CREATOR_ALL_ACL: readonly Acl[] = Object.freeze([Object.freeze({ perms: Perms.All, id: AUTH_IDS })]);

/** Read permission for everyone. */
export const READ_ACL_UNSAFE: readonly Acl[] = Object.freeze([Object.freeze({ perms: Perms.Read, id: ANYONE_ID_UNSAFE })]);

/**
 * The digest-scheme ACL id for a user and password: `user:BASE64(SHA1("user:password"))`, as
 * DigestAuthenticationProvider.generateDigest computes it.
 */
export function digestAuthId(user: string, password: string): string {
  const digest = createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64');
  return `${user}:${digest}`;
}

/**
 * The sequential-node suffix for counter `n`: Java's `String.format("%010d", n)` on an i32, so
 * 2 -> "0000000002" and, after overflow, -2147483648 -> "-2147483648" (zero-padded to 10 chars
 * including the sign, as Java pads negatives).
 */
export function sequenceSuffix(n: number): string {
  const value = n | 0;
  if (value >= 0) return String(value).padStart(10, '0');
  return `-${String(-value).padStart(9, '0')}`;
}
