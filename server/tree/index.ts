/**
 * The znode tree: nodes, stats, ACL checks, the incremental tree digest and consistent
 * snapshots in bounded slices. Pure: no I/O, no clock, no randomness; mutations are driven only
 * by server/txn's `apply`, so every replica holding the same txns holds the same tree. It must
 * never decide anything non-deterministic (times and zxids come in with the txn).
 */
export { DataTree, BUILT_IN_PATHS, isBuiltInPath, splitPath, zxidToNumber, type ContainerCandidateOptions } from './data-tree.js';
export { ZNode } from './znode.js';
export { type AclEntry } from './acl-cache.js';
export { checkAcl, fixupAcl, maskDigestIds, type AclCaller } from './acl.js';
export {
  CONTAINER_EPHEMERAL_OWNER,
  TTL_MAX_MS,
  clientEphemeralOwner,
  isValidTtl,
  nodeKindOf,
  ttlEphemeralOwner,
  ttlOf,
  type NodeKind,
} from './ephemeral-type.js';
export { SnapshotCursor, SnapshotFormatError } from './snapshot-cursor.js';
export { TreeLoader } from './tree-loader.js';
export { ByteReader, ByteWriter } from './byte-buffer.js';
