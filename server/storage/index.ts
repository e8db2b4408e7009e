/**
 * Durable storage for the server: the transaction log and snapshots, as opaque bytes. The
 * interfaces and memory implementations are pure; the file implementations and purge are shell
 * code that touch the disk. This module must never interpret what it stores (txns, tree chunks,
 * session tables are encoded by others), never report anything as durable before its fsync has
 * completed, and never change files on disk when it finds corruption other than a torn tail.
 */
export { type LogEntry, type LogStore, isNextZxid, isFirstAfterSnapshot, epochOf } from './log-store.js';
export { MemoryLogStore, type CrashOptions } from './memory-log-store.js';
export { FileLogStore, type FileLogStoreOptions } from './file-log.js';
export { type SnapshotStore, type SnapshotWriter, type SnapshotReader, MAX_SNAPSHOT_DIGEST } from './snapshot-store.js';
export { MemorySnapshotStore } from './memory-snapshot-store.js';
export { FileSnapshotStore, listSnapshotFiles, snapshotFileName } from './file-snapshot.js';
export { purge, type PurgeResult, MIN_SNAP_RETAIN_COUNT } from './purge.js';
export { StorageCorruptError } from './storage-corrupt-error.js';
