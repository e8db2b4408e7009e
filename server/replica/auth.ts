/**
 * The auth packet (op 100) for the digest scheme, and the super user (reference §5.2).
 * Pure: the digest is a hash, not I/O.
 */
import { digestAuthId } from '../../protocol/acl.js';
import type { AuthRequest, Id } from '../../protocol/records.js';

/** The outcome of one auth packet. */
export type AuthOutcome = { readonly ok: true; readonly ids: readonly Id[]; readonly isSuper: boolean } | { readonly ok: false };

/**
 * Checks an auth packet. Only `digest` is supported, as in a default ZooKeeper server; any
 * other scheme fails, and the caller closes the connection after the AUTHFAILED reply.
 * `superDigest` is `super:BASE64(SHA1)` (zookeeper.DigestAuthenticationProvider.superDigest);
 * the super user gets both the `super` id and its `digest` id, as in ZooKeeper 3.8.
 */
export function authenticate(request: AuthRequest, superDigest: string | null): AuthOutcome {
  if (request.scheme !== 'digest' || request.auth === null) return { ok: false };
  const text = new TextDecoder().decode(request.auth);
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false };
  const id = digestAuthId(text.slice(0, colon), text.slice(colon + 1));
  const isSuper = superDigest !== null && id === superDigest;
  // DigestAuthenticationProvider.handleAuthentication adds super:"" first, then the digest id.
  const digest = { scheme: 'digest', id };
  return { ok: true, ids: isSuper ? [{ scheme: 'super', id: '' }, digest] : [digest], isSuper };
}
