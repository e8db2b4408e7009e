import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLogStore } from '../../../server/storage/file-log.js';
import { FileSnapshotStore } from '../../../server/storage/file-snapshot.js';
import { purge } from '../../../server/storage/purge.js';
import { tempDir, type TempDir } from '../../helpers/temp-dir.js';

let tmp: TempDir;
let dataDir: string;
let dataLogDir: string;
const silent = pino({ level: 'silent' });

beforeEach(async () => {
  tmp = await tempDir('corral-purge-');
  dataDir = join(tmp.path, 'data');
  dataLogDir = join(tmp.path, 'log');
});

afterEach(async () => {
  await tmp.cleanup();
});

async function snapshotAt(store: FileSnapshotStore, zxid: bigint): Promise<void> {
  const writer = await store.begin(zxid, Uint8Array.of(1));
  await writer.write(Uint8Array.of(2, 3));
  await writer.finish(7n);
}

/** Logs in files starting at 1, 11, 21, ... 91 (ten entries each) and snapshots at `snapshotZxids`. */
async function populate(snapshotZxids: readonly bigint[]): Promise<void> {
  const log = await FileLogStore.open(dataLogDir, silent, { preallocBytes: 4096 });
  for (let start = 1n; start <= 91n; start += 10n) {
    const batch = [];
    for (let zxid = start; zxid < start + 10n; zxid++) batch.push({ zxid, data: Uint8Array.of(1) });
    log.append(batch);
    await log.sync();
    log.roll();
  }
  await log.close();
  const snapshots = await FileSnapshotStore.open(dataDir, silent);
  for (const zxid of snapshotZxids) await snapshotAt(snapshots, zxid);
}

async function names(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'version-2'))).sort();
}

describe('purge', () => {
  it('keeps the newest snapshots and the logs from the one covering the oldest kept snapshot', async () => {
    await populate([5n, 15n, 25n, 45n, 55n, 70n]);
    const result = await purge(dataDir, dataLogDir, 3, silent);
    expect(await names(dataDir)).toEqual(['snapshot.2d', 'snapshot.37', 'snapshot.46']);
    // The oldest kept snapshot is 0x2d (45): log.29 (41..50) holds the txns right after it.
    expect(await names(dataLogDir)).toEqual(['log.29', 'log.33', 'log.3d', 'log.47', 'log.51', 'log.5b']);
    expect(result.deletedSnapshots.length).toBe(3);
    expect(result.deletedLogs.length).toBe(4);
    const log = await FileLogStore.open(dataLogDir, silent);
    const replayed: bigint[] = [];
    for await (const entry of log.readFrom(45n)) replayed.push(entry.zxid);
    await log.close();
    expect(replayed[0]).toBe(46n);
    expect(replayed.length).toBe(55);
  });

  it('keeps the log file starting exactly at the oldest kept snapshot and none before it', async () => {
    await populate([21n, 31n, 41n, 51n]);
    await purge(dataDir, dataLogDir, 3, silent);
    expect(await names(dataDir)).toEqual(['snapshot.1f', 'snapshot.29', 'snapshot.33']);
    expect(await names(dataLogDir)).toEqual(['log.1f', 'log.29', 'log.33', 'log.3d', 'log.47', 'log.51', 'log.5b']);
  });

  it('raises a retain count below 3 to 3', async () => {
    await populate([5n, 15n, 25n, 35n]);
    await purge(dataDir, dataLogDir, 1, silent);
    expect(await names(dataDir)).toEqual(['snapshot.19', 'snapshot.23', 'snapshot.f']);
  });

  it('honours a larger retain count and deletes nothing when there are fewer snapshots', async () => {
    await populate([5n, 15n, 25n, 35n]);
    const result = await purge(dataDir, dataLogDir, 5, silent);
    expect(result).toEqual({ deletedSnapshots: [], deletedLogs: [] });
    expect((await names(dataLogDir)).length).toBe(10);
  });

  it('counts only valid snapshots towards retention', async () => {
    await populate([5n, 15n, 25n, 35n, 45n]);
    await writeFile(join(dataDir, 'version-2', 'snapshot.2d'), Buffer.alloc(40, 3));
    await purge(dataDir, dataLogDir, 3, silent);
    // 0x2d is invalid, so the valid three are 0x23, 0x19, 0xf; newer files are never deleted.
    expect(await names(dataDir)).toEqual(['snapshot.19', 'snapshot.23', 'snapshot.2d', 'snapshot.f']);
    const logs = await names(dataLogDir);
    expect(logs).toContain('log.b');
    expect(logs).not.toContain('log.1');
    expect(logs.length).toBe(9);
  });

  it('does nothing without a valid snapshot or without directories', async () => {
    expect(await purge(dataDir, dataLogDir, 3, silent)).toEqual({ deletedSnapshots: [], deletedLogs: [] });
    await populate([]);
    expect(await purge(dataDir, dataLogDir, 3, silent)).toEqual({ deletedSnapshots: [], deletedLogs: [] });
    expect((await names(dataLogDir)).length).toBe(10);
  });
});
