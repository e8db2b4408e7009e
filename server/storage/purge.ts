/**
 * Deletes old snapshots and the log files no longer needed to recover from the kept ones, with
 * ZooKeeper's PurgeTxnLog rules (autopurge.snapRetainCount, reference §10.2). Shell code.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hex } from '../../util/hex.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { listLogFiles } from './file-log.js';
import { listSnapshotFiles, validateSnapshot } from './file-snapshot.js';
import { fsyncDirectory, VERSION_DIR } from './fs-util.js';
import { StorageCorruptError } from './storage-corrupt-error.js';

/** ZooKeeper raises autopurge.snapRetainCount below 3 to 3. */
export const MIN_SNAP_RETAIN_COUNT = 3;

/** What a purge deleted, as absolute paths. */
export interface PurgeResult {
  readonly deletedSnapshots: readonly string[];
  readonly deletedLogs: readonly string[];
}

/**
 * Keeps the newest `retainCount` (at least 3) valid snapshots and every log file needed to replay
 * from the oldest of them (the newest log whose first zxid is <= that snapshot's zxid, and all
 * later logs); deletes older snapshots and logs. Does nothing when there is no valid snapshot.
 */
export async function purge(dataDir: string, dataLogDir: string, retainCount: number, logger: Logger = silentLogger()): Promise<PurgeResult> {
  const log = logger.child({ component: 'server.storage.purge' });
  const snapshotDir = join(dataDir, VERSION_DIR);
  const logDir = join(dataLogDir, VERSION_DIR);
  const oldestKept = await oldestRetainedSnapshotZxid(snapshotDir, Math.max(MIN_SNAP_RETAIN_COUNT, retainCount), log);
  if (oldestKept === null) return { deletedSnapshots: [], deletedLogs: [] };
  const snapshots = (await listSnapshotFiles(snapshotDir)).filter((snapshot) => snapshot.zxid < oldestKept);
  const logs = await listLogFiles(logDir);
  // ZooKeeper's FileTxnLog.getLogFiles: the newest log starting at or before the snapshot holds
  // the txns right after it, so it and everything after it stay.
  const firstNeeded = logs.filter((logFile) => logFile.firstZxid <= oldestKept).at(-1)?.firstZxid ?? -1n;
  const staleLogs = logs.filter((logFile) => logFile.firstZxid < firstNeeded);
  const deletedSnapshots = await removeAll(snapshotDir, snapshots.map((snapshot) => snapshot.name));
  const deletedLogs = await removeAll(logDir, staleLogs.map((logFile) => logFile.name));
  log.info({ oldestKeptSnapshot: hex(oldestKept), snapshots: deletedSnapshots.length, logs: deletedLogs.length }, 'purge finished');
  return { deletedSnapshots, deletedLogs };
}

/** The zxid of the oldest of the newest `count` valid snapshots, as ZooKeeper's findNValidSnapshots. */
async function oldestRetainedSnapshotZxid(dir: string, count: number, log: Logger): Promise<bigint | null> {
  let validCount = 0;
  let oldest: bigint | null = null;
  for (const { name, zxid } of await listSnapshotFiles(dir)) {
    if (validCount === count) break;
    try {
      await validateSnapshot(join(dir, name), zxid);
    } catch (err: unknown) {
      if (!(err instanceof StorageCorruptError)) throw err;
      log.warn({ file: join(dir, name), reason: err.reason }, 'invalid snapshot does not count towards retention');
      continue;
    }
    validCount += 1;
    oldest = zxid;
  }
  return oldest;
}

async function removeAll(dir: string, names: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    await unlink(join(dir, name));
    removed.push(join(dir, name));
  }
  if (removed.length > 0) await fsyncDirectory(dir);
  return removed;
}
