/**
 * ACL checks and fix-up as ZooKeeper does them (reference §5.2): ZooKeeperServer.checkACL,
 * PrepRequestProcessor.fixupACL and the digest and ip providers' `isValid`/`matches`.
 */
import type { Acl, Id } from '../../protocol/records.js';

/** Who is asking: the connection's auth ids (including `ip:<address>`) and its super flag. */
export interface AclCaller {
  readonly authIds: readonly Id[];
  readonly isSuper: boolean;
  /** zookeeper.skipACL: every check passes. */
  readonly skipAcl: boolean;
}

/** Whether `caller` holds `perm` on a node with `acl` (ZooKeeperServer.checkACL). */
export function checkAcl(acl: readonly Acl[], perm: number, caller: AclCaller): boolean {
  if (caller.skipAcl || caller.isSuper || acl.length === 0) return true;
  for (const authId of caller.authIds) if (authId.scheme === 'super') return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    for (const authId of caller.authIds) {
      if (authId.scheme === scheme && schemeMatches(scheme, authId.id, id)) return true;
    }
  }
  return false;
}

/** The providers registered by default; `world` and `auth` are handled before providers. */
function schemeMatches(scheme: string, callerId: string, aclId: string): boolean {
  if (scheme === 'digest') return callerId === aclId;
  if (scheme === 'ip') return ipMatches(callerId, aclId);
  return false;
}

/** Whether a provider reports its ids as "authenticated" (ip does not; fixupACL `auth`). */
function isAuthenticatedScheme(scheme: string): boolean {
  return scheme === 'digest';
}

/**
 * PrepRequestProcessor.fixupACL: drops duplicates, expands `auth` to the caller's
 * authenticated ids and validates every id. Returns null where ZooKeeper throws INVALIDACL.
 */
export function fixupAcl(acl: readonly Acl[], authIds: readonly Id[]): Acl[] | null {
  const unique = removeDuplicates(acl);
  if (unique.length === 0) return null;
  const out: Acl[] = [];
  for (const entry of unique) {
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') {
      out.push(entry);
    } else if (scheme === 'auth') {
      let expanded = false;
      for (const authId of authIds) {
        if (!isAuthenticatedScheme(authId.scheme)) continue;
        expanded = true;
        out.push({ perms: entry.perms, id: { scheme: authId.scheme, id: authId.id } });
      }
      if (!expanded) return null;
    } else if (isValidId(scheme, id)) {
      out.push(entry);
    } else {
      return null;
    }
  }
  return out;
}

function removeDuplicates(acl: readonly Acl[]): Acl[] {
  const out: Acl[] = [];
  for (const entry of acl) {
    const seen = out.some((o) => o.perms === entry.perms && o.id.scheme === entry.id.scheme && o.id.id === entry.id.id);
    if (!seen) out.push(entry);
  }
  return out;
}

/** Whether a registered provider accepts `id` (unknown schemes are rejected). */
function isValidId(scheme: string, id: string): boolean {
  if (scheme === 'digest') return javaSplit(id, ':').length === 2;
  if (scheme === 'ip') return parseIpAcl(id) !== null;
  return false;
}

/** Java's String.split: trailing empty strings are removed. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && text.length > 0) return [];
  return parts;
}

/** The ACL list as getACL shows it to a caller without ADMIN: digest ids become `user:x`. */
export function maskDigestIds(acl: readonly Acl[]): Acl[] {
  return acl.map((entry) => {
    if (entry.id.scheme !== 'digest') return entry;
    const colon = entry.id.id.indexOf(':');
    if (colon < 0) return entry;
    return { perms: entry.perms, id: { scheme: 'digest', id: `${entry.id.id.slice(0, colon)}:x` } };
  });
}

// --- ip scheme (IPAuthenticationProvider) ----------------------------------------------------

interface IpAcl {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

function parseIpAcl(aclExpr: string): IpAcl | null {
  const slash = aclExpr.indexOf('/');
  const address = slash < 0 ? aclExpr : aclExpr.slice(0, slash);
  const bytes = addressBytes(address);
  if (bytes === null) return null;
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const text = aclExpr.slice(slash + 1);
    if (!/^[+-]?\d+$/.test(text)) return null;
    bits = Number(text);
    if (bits < 0 || bits > bytes.length * 8) return null;
  }
  return { bytes, bits };
}

function ipMatches(callerAddress: string, aclExpr: string): boolean {
  const acl = parseIpAcl(aclExpr);
  const remote = addressBytes(callerAddress);
  if (acl === null || remote === null || remote.length !== acl.bytes.length) return false;
  for (let i = 0; i < remote.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, acl.bits - i * 8));
    const mask = (0xff << (8 - bitsHere)) & 0xff;
    if (((remote[i] ?? 0) & mask) !== ((acl.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** IPv4 dotted quad or IPv6 text to bytes, or null. */
function addressBytes(text: string): Uint8Array | null {
  return ipv4Bytes(text) ?? ipv6Bytes(text);
}

function ipv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    out[i] = value;
  }
  return out;
}

function ipv6Bytes(text: string): Uint8Array | null {
  if (!text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function groupsOf(text: string): number[] | null {
  if (text === '') return [];
  const out: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    out.push(parseInt(group, 16));
  }
  return out;
}
