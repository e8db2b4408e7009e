/**
 * The raw `ephemeralOwner` encoding of StatPersisted (reference §6.5, EphemeralType): 0 for a
 * persistent node, the session id for a session ephemeral, 0x8000000000000000 for a container
 * and 0xFF00000000000000 | ttl for a TTL node. Values are signed i64, as on the wire.
 */

/** What kind of node a raw ephemeralOwner describes. */
export type NodeKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

/** The stored owner of a container node (EphemeralType.CONTAINER_EPHEMERAL_OWNER). */
export const CONTAINER_EPHEMERAL_OWNER = BigInt.asIntN(64, 0x8000_0000_0000_0000n);

/** The largest TTL in milliseconds (EphemeralType.TTL.maxValue(): 40 bits). */
export const TTL_MAX_MS = 0xff_ffff_ffffn;

const EXTENDED_MASK = 0xff00_0000_0000_0000n;
const EXTENDED_FEATURE_MASK = 0x00ff_ff00_0000_0000n;
const TTL_VALUE_MASK = 0x00ff_ffff_ffffn;

/** The kind of node a raw ephemeralOwner describes. */
export function nodeKindOf(ephemeralOwner: bigint): NodeKind {
  if (ephemeralOwner === 0n) return 'persistent';
  if (ephemeralOwner === CONTAINER_EPHEMERAL_OWNER) return 'container';
  const raw = BigInt.asUintN(64, ephemeralOwner);
  // Session ids start with the server id byte, so TTL marking needs server ids <= 254 (§6.5);
  // feature bits 40-55 zero select the TTL feature.
  if ((raw & EXTENDED_MASK) === EXTENDED_MASK && (raw & EXTENDED_FEATURE_MASK) === 0n) return 'ttl';
  return 'ephemeral';
}

/** Whether `ttl` is a valid TTL in milliseconds (EphemeralType.TTL.validateTTL). */
export function isValidTtl(ttl: bigint): boolean {
  return ttl > 0n && ttl <= TTL_MAX_MS;
}

/** The raw owner of a TTL node; `ttl` must be valid. */
export function ttlEphemeralOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, EXTENDED_MASK | ttl);
}

/** The TTL in milliseconds of a TTL node's raw owner. */
export function ttlOf(ephemeralOwner: bigint): number {
  return Number(BigInt.asUintN(64, ephemeralOwner) & TTL_VALUE_MASK);
}

/** The owner a client sees: only session ephemerals show it (DataNode.getClientEphemeralOwner). */
export function clientEphemeralOwner(ephemeralOwner: bigint): bigint {
  return nodeKindOf(ephemeralOwner) === 'ephemeral' ? ephemeralOwner : 0n;
}
