import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionError } from '../../../util/assert.js';
import type { Logger } from '../../../util/logger.js';
import { FileLogStore } from '../../../server/storage/file-log.js';
import { encodeRecords, LOG_HEADER_BYTES, RECORD_HEADER_BYTES } from '../../../server/storage/log-format.js';
import type { LogEntry, LogStore } from '../../../server/storage/log-store.js';
import { MemoryLogStore } from '../../../server/storage/memory-log-store.js';
import { StorageCorruptError } from '../../../server/storage/storage-corrupt-error.js';
import { tempDir, type TempDir } from '../../helpers/temp-dir.js';

/** A logger that keeps its lines, so tests can check the warn lines a repair must write. */
function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function entry(zxid: bigint, size = 10): LogEntry {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = Number((zxid * 31n + BigInt(i)) % 251n) + 1;
  return { zxid, data };
}

function entries(from: bigint, to: bigint, size = 10): LogEntry[] {
  const out: LogEntry[] = [];
  for (let zxid = from; zxid <= to; zxid++) out.push(entry(zxid, size));
  return out;
}

async function collect(store: LogStore, zxidExclusive: bigint): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const item of store.readFrom(zxidExclusive)) out.push(item);
  return out;
}

/** Every file's name and SHA-256, to prove a refused open changed nothing. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  }
  return out;
}

function flipBits(bytes: Buffer, offset: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(offset) ^ mask, offset);
}

let tmp: TempDir;
let logDir: string;
let open: FileLogStore[];

async function openStore(logger: Logger = pino({ level: 'silent' }), preallocBytes = 4096): Promise<FileLogStore> {
  const store = await FileLogStore.open(tmp.path, logger, { preallocBytes });
  open.push(store);
  return store;
}

async function closeAll(): Promise<void> {
  for (const store of open.splice(0)) await store.close();
}

beforeEach(async () => {
  tmp = await tempDir('corral-log-');
  logDir = join(tmp.path, 'version-2');
  open = [];
});

afterEach(async () => {
  await closeAll();
  await tmp.cleanup();
});

describe('FileLogStore writing and reading', () => {
  it('round-trips appended entries across sync and reopen', async () => {
    const store = await openStore();
    const written = entries(1n, 50n, 100);
    store.append(written.slice(0, 20));
    store.append(written.slice(20));
    await store.sync();
    expect(store.lastSyncedZxid()).toBe(50n);
    await closeAll();
    const reopened = await openStore();
    expect(reopened.lastZxid()).toBe(50n);
    expect(await collect(reopened, 0n)).toEqual(written);
    expect(await collect(reopened, 45n)).toEqual(written.slice(45));
  });

  it('writes a batch into one file grown in preallocation blocks', async () => {
    const store = await openStore(undefined, 1024);
    store.append(entries(1n, 30n, 200));
    await store.sync();
    const names = await readdir(logDir);
    expect(names).toEqual(['log.1']);
    const size = (await stat(join(logDir, 'log.1'))).size;
    expect(size % 1024).toBe(0);
    expect(size).toBeGreaterThanOrEqual(LOG_HEADER_BYTES + 30 * (RECORD_HEADER_BYTES + 200));
  });

  it('keeps unsynced entries out of readFrom and loses them when closed without sync', async () => {
    const store = await openStore();
    store.append(entries(1n, 3n));
    await store.sync();
    store.append(entries(4n, 6n));
    expect(store.lastZxid()).toBe(6n);
    expect(store.lastSyncedZxid()).toBe(3n);
    expect((await collect(store, 0n)).map((e) => e.zxid)).toEqual([1n, 2n, 3n]);
    await closeAll();
    expect((await openStore()).lastZxid()).toBe(3n);
  });

  it('coalesces syncs called while one is running and writes later appends in the next', async () => {
    const store = await openStore();
    store.append(entries(1n, 5n));
    const first = store.sync();
    store.append(entries(6n, 8n));
    const second = store.sync();
    store.append(entries(9n, 9n));
    const third = store.sync();
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    expect(store.lastSyncedZxid()).toBe(9n);
    expect((await collect(store, 0n)).length).toBe(9);
  });

  it('overlapping syncs: each writes at once and starts its own fdatasync; they resolve in log order', async () => {
    const store = await openStore();
    store.append(entries(1n, 5n));
    await store.sync();
    store.append(entries(6n, 8n));
    const second = store.sync();
    store.append(entries(9n, 9n));
    const third = store.sync();
    expect(third).not.toBe(second);
    const settled: string[] = [];
    await Promise.all([second.then(() => settled.push('second')), third.then(() => settled.push('third'))]);
    expect(settled).toEqual(['second', 'third']);
    expect(store.lastSyncedZxid()).toBe(9n);
    // Nothing pending: a sync waits for the ones in flight and writes nothing.
    await store.sync();
    await closeAll();
    expect((await collect(await openStore(), 0n)).map((e) => e.zxid)).toEqual(entries(1n, 9n).map((e) => e.zxid));
  });

  it('a truncation waits for the syncs in flight; the writes after it start new files serially', async () => {
    const store = await openStore();
    store.append(entries(1n, 4n));
    await store.sync();
    store.append(entries(5n, 6n));
    let isInFlightDone = false;
    const inFlight = store.sync().then(() => (isInFlightDone = true));
    await store.truncateAfter(5n);
    expect(isInFlightDone).toBe(true);
    // A truncation rolls: 6-7 start a new file, and a roll before 8 starts another; both go in
    // the one serial sync queued behind the truncation.
    store.append(entries(6n, 7n));
    const first = store.sync();
    store.roll();
    store.append(entries(8n, 8n));
    expect(store.sync()).toBe(first);
    await Promise.all([inFlight, first]);
    expect(store.lastSyncedZxid()).toBe(8n);
    expect(store.fileStartZxids()).toEqual([1n, 6n, 8n]);
    await closeAll();
    expect((await collect(await openStore(), 0n)).map((e) => e.zxid)).toEqual(entries(1n, 8n).map((e) => e.zxid));
  });

  it('rolls into new files named by first zxid and reads across them in order', async () => {
    const store = await openStore();
    for (let start = 1n; start <= 100n; start += 10n) {
      store.append(entries(start, start + 9n));
      await store.sync();
      store.roll();
    }
    expect((await readdir(logDir)).sort()).toEqual(
      ['log.1', 'log.b', 'log.15', 'log.1f', 'log.29', 'log.33', 'log.3d', 'log.47', 'log.51', 'log.5b'].sort(),
    );
    await closeAll();
    const reopened = await openStore();
    expect(reopened.fileStartZxids()).toEqual([1n, 11n, 21n, 31n, 41n, 51n, 61n, 71n, 81n, 91n]);
    for (const from of [0n, 10n, 11n, 37n, 99n, 100n]) {
      expect((await collect(reopened, from)).map((e) => e.zxid)).toEqual(entries(from + 1n, 100n).map((e) => e.zxid));
    }
  });

  it('starts a new file after reopen and when a roll falls inside one sync batch', async () => {
    const store = await openStore();
    store.append(entries(1n, 3n));
    store.roll();
    store.append(entries(4n, 6n));
    await store.sync();
    expect(store.fileStartZxids()).toEqual([1n, 4n]);
    await closeAll();
    const reopened = await openStore();
    reopened.append(entries(7n, 7n));
    await reopened.sync();
    expect(reopened.fileStartZxids()).toEqual([1n, 4n, 7n]);
    expect((await collect(reopened, 0n)).length).toBe(7);
  });

  it('accepts a new epoch and rejects out-of-order zxids with an AssertionError', async () => {
    const store = await openStore();
    const epoch1 = 0x1_0000_0000n;
    store.append([entry(epoch1 + 1n), entry(epoch1 + 2n), entry(2n * epoch1 + 1n)]);
    expect(() => store.append([entry(2n * epoch1 + 3n)])).toThrow(AssertionError);
    expect(() => store.append([entry(epoch1 + 5n)])).toThrow(AssertionError);
    await store.sync();
    await closeAll();
    expect((await openStore()).lastZxid()).toBe(2n * epoch1 + 1n);
  });
});

describe('FileLogStore truncateAfter', () => {
  async function threeFiles(): Promise<FileLogStore> {
    const store = await openStore();
    for (const [from, to] of [[1n, 10n], [11n, 20n], [21n, 30n]] as const) {
      store.append(entries(from, to));
      await store.sync();
      store.roll();
    }
    return store;
  }

  it('cuts inside a file, drops later files and survives reopen', async () => {
    const store = await threeFiles();
    await store.truncateAfter(15n);
    expect(store.lastZxid()).toBe(15n);
    expect(await readdir(logDir)).toEqual(expect.arrayContaining(['log.1', 'log.b']));
    expect((await readdir(logDir)).length).toBe(2);
    store.append(entries(16n, 18n, 3));
    await store.sync();
    await closeAll();
    const reopened = await openStore();
    const all = await collect(reopened, 0n);
    expect(all.map((e) => e.zxid)).toEqual(entries(1n, 18n).map((e) => e.zxid));
    expect(all.at(-1)).toEqual(entry(18n, 3));
  });

  it('drops unsynced entries after the zxid and everything when cutting before the first', async () => {
    const store = await threeFiles();
    store.append(entries(31n, 35n));
    await store.truncateAfter(33n);
    expect(store.lastZxid()).toBe(33n);
    await store.sync();
    expect(store.lastSyncedZxid()).toBe(33n);
    await store.truncateAfter(0n);
    expect(store.lastZxid()).toBe(0n);
    expect(await readdir(logDir)).toEqual([]);
  });
});

describe('FileLogStore opening damaged logs', () => {
  async function writeTen(preallocBytes: number): Promise<{ path: string; lastRecordStart: number; end: number }> {
    const store = await openStore(undefined, preallocBytes);
    store.append(entries(1n, 10n, 40));
    await store.sync();
    await closeAll();
    const recordBytes = RECORD_HEADER_BYTES + 40;
    const end = LOG_HEADER_BYTES + 10 * recordBytes;
    return { path: join(logDir, 'log.1'), lastRecordStart: end - recordBytes, end };
  }

  it('truncates a final record chopped at every offset and logs the file and offset', async () => {
    const { path, lastRecordStart, end } = await writeTen(4096);
    const original = await readFile(path);
    for (let cut = lastRecordStart + 1; cut < end; cut++) {
      await writeFile(path, original.subarray(0, cut));
      const { logger, lines } = capturingLogger();
      const store = await openStore(logger);
      expect(store.lastZxid()).toBe(9n);
      expect((await collect(store, 8n)).map((e) => e.zxid)).toEqual([9n]);
      // A remnant of only zero bytes reads as padding, so there is nothing to repair.
      if (original.subarray(lastRecordStart, cut).some((byte) => byte !== 0)) {
        expect(lines()).toContainEqual(expect.objectContaining({ level: 40, file: path, offset: lastRecordStart }));
        expect((await stat(path)).size).toBe(lastRecordStart);
      }
      await closeAll();
    }
  });

  it('with deferRepairs leaves a torn tail on disk and refuses writes until repair()', async () => {
    const { path, lastRecordStart, end } = await writeTen(4096);
    await truncate(path, end - 5);
    const before = await fingerprint(logDir);
    const store = await FileLogStore.open(tmp.path, pino({ level: 'silent' }), { preallocBytes: 4096, deferRepairs: true });
    open.push(store);
    expect(store.lastZxid()).toBe(9n);
    expect((await collect(store, 0n)).map((e) => e.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(await fingerprint(logDir)).toEqual(before);
    expect(() => store.append(entries(10n, 10n))).toThrow(AssertionError);
    await store.repair();
    expect((await stat(path)).size).toBe(lastRecordStart);
    store.append(entries(10n, 11n));
    await store.sync();
    await closeAll();
    expect((await openStore()).lastZxid()).toBe(11n);
  });

  it('truncates a half-written record inside the zero padding and keeps logging after it', async () => {
    const { path, end } = await writeTen(4096);
    const half = encodeRecords([entry(11n, 300)], false).subarray(0, 150);
    const bytes = await readFile(path);
    half.copy(bytes, end);
    await writeFile(path, bytes);
    const store = await openStore();
    expect(store.lastZxid()).toBe(10n);
    store.append(entries(11n, 12n));
    await store.sync();
    await closeAll();
    expect((await openStore()).lastZxid()).toBe(12n);
  });

  it('truncates a final record whose checksum fails when only zeros follow', async () => {
    const { path, lastRecordStart } = await writeTen(4096);
    const bytes = await readFile(path);
    flipBits(bytes, lastRecordStart + RECORD_HEADER_BYTES + 5, 0xff);
    await writeFile(path, bytes);
    const store = await openStore();
    expect(store.lastZxid()).toBe(9n);
  });

  it('removes a newest file whose header never landed and reuses its name', async () => {
    await writeTen(4096);
    await writeFile(join(logDir, 'log.b'), Buffer.alloc(4096));
    const store = await openStore();
    expect(await readdir(logDir)).toEqual(['log.1']);
    store.append(entries(11n, 11n));
    await store.sync();
    expect((await readdir(logDir)).sort()).toEqual(['log.1', 'log.b']);
  });

  async function expectRefusal(reason: string): Promise<void> {
    const before = await fingerprint(logDir);
    const failure = await FileLogStore.open(tmp.path, pino({ level: 'silent' }), { preallocBytes: 4096 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StorageCorruptError);
    expect((failure as StorageCorruptError).reason).toBe(reason);
    expect(await fingerprint(logDir)).toEqual(before);
  }

  it('refuses a bad record followed by valid data and changes nothing', async () => {
    const { path } = await writeTen(4096);
    const bytes = await readFile(path);
    const fifthPayload = LOG_HEADER_BYTES + 4 * (RECORD_HEADER_BYTES + 40) + RECORD_HEADER_BYTES;
    flipBits(bytes, fifthPayload + 1, 0x01);
    await writeFile(path, bytes);
    await expectRefusal('bad record followed by valid data');
  });

  it('refuses a corrupted length in the middle that points past the end of the file', async () => {
    const { path } = await writeTen(4096);
    const bytes = await readFile(path);
    bytes.writeUInt32BE(0x00ff_ffff, LOG_HEADER_BYTES + 3 * (RECORD_HEADER_BYTES + 40));
    await writeFile(path, bytes);
    await expectRefusal('bad record followed by valid data');
  });

  it('refuses a torn record in a file that is not the newest', async () => {
    const { path, end } = await writeTen(4096);
    await truncate(path, end - 3);
    await writeFile(join(logDir, 'log.a'), Buffer.concat([encodeRecords([entry(10n)], true)]));
    await expectRefusal('torn record in a file that is not the newest');
  });

  it('refuses a zxid gap between files', async () => {
    await writeTen(4096);
    await writeFile(join(logDir, 'log.c'), encodeRecords(entries(12n, 13n), true));
    await expectRefusal('zxid gap or reordering');
  });

  it('refuses a file whose first record differs from its name', async () => {
    await writeTen(4096);
    await writeFile(join(logDir, 'log.c'), encodeRecords(entries(11n, 13n), true));
    await expectRefusal('first zxid differs from file name');
  });

  it('refuses a bad header', async () => {
    const { path } = await writeTen(4096);
    const bytes = await readFile(path);
    bytes.write('ZKLG', 0);
    await writeFile(path, bytes);
    await expectRefusal('bad magic');
  });
});

describe('FileLogStore opened with replayFrom', () => {
  /** Three files: log.1 (1..10), log.b (11..20), log.15 (21..30); returns log.1's path. */
  async function writeThreeFiles(): Promise<string> {
    const store = await openStore();
    for (const [from, to] of [[1n, 10n], [11n, 20n], [21n, 30n]] as const) {
      store.roll();
      store.append(entries(from, to, 40));
      await store.sync();
    }
    await closeAll();
    return join(logDir, 'log.1');
  }

  function openFrom(replayFrom: bigint, logger: Logger = pino({ level: 'silent' })): Promise<FileLogStore> {
    return FileLogStore.open(tmp.path, logger, { preallocBytes: 4096, replayFrom }).then((store) => {
      open.push(store);
      return store;
    });
  }

  it('does not read a file wholly before replayFrom, as ZooKeeper reads only the logs after its snapshot', async () => {
    const first = await writeThreeFiles();
    // Damage log.1 in a way a full open refuses.
    const bytes = await readFile(first);
    flipBits(bytes, LOG_HEADER_BYTES + 4 * (RECORD_HEADER_BYTES + 40) + RECORD_HEADER_BYTES + 1, 0x01);
    await writeFile(first, bytes);
    const { logger, lines } = capturingLogger();
    const store = await openFrom(10n, logger);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'transaction log opened', files: 3, unread: 1 }));
    expect(store.lastZxid()).toBe(30n);
    expect((await collect(store, 10n)).map((e) => e.zxid)).toEqual(entries(11n, 30n).map((e) => e.zxid));
    expect((await collect(store, 25n)).map((e) => e.data)).toEqual(entries(26n, 30n, 40).map((e) => e.data));
    // Reading back into the damaged file validates it then, and refuses as open() would have.
    const failure = await collect(store, 3n).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(StorageCorruptError);
    expect((failure as StorageCorruptError).reason).toBe('bad record followed by valid data');
    await closeAll();
    // A full open (replayFrom 0n, the default) still refuses it.
    const refused = await FileLogStore.open(tmp.path, pino({ level: 'silent' }), { preallocBytes: 4096 }).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(StorageCorruptError);
  });

  it('reads every file that may hold a txn after replayFrom, and the newest always', async () => {
    await writeThreeFiles();
    const { logger, lines } = capturingLogger();
    // 11 is the first zxid of log.b: log.1 cannot hold anything after 10, but log.b can.
    const store = await openFrom(11n, logger);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'transaction log opened', unread: 1 }));
    expect((await collect(store, 0n)).map((e) => e.zxid)).toEqual(entries(1n, 30n).map((e) => e.zxid));
    await closeAll();
    const { logger: second, lines: secondLines } = capturingLogger();
    await openFrom(100n, second);
    expect(secondLines()).toContainEqual(expect.objectContaining({ msg: 'transaction log opened', unread: 2, lastZxid: '0x1e' }));
  });

  it('refuses, when it reads them, a zxid gap between files open() did not read', async () => {
    await writeThreeFiles();
    // log.b now ends at 19, and log.15 starts at 21: a full open refuses the gap.
    await writeFile(join(logDir, 'log.b'), encodeRecords(entries(11n, 19n, 40), true));
    const store = await openFrom(25n);
    expect((await collect(store, 25n)).map((e) => e.zxid)).toEqual([26n, 27n, 28n, 29n, 30n]);
    const failure = await collect(store, 0n).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(StorageCorruptError);
    expect((failure as StorageCorruptError).reason).toBe('zxid gap or reordering');
    expect((failure as StorageCorruptError).file).toBe(join(logDir, 'log.15'));
  });

  it('truncates back into a file it did not read, and appends after it', async () => {
    await writeThreeFiles();
    const store = await openFrom(25n);
    await store.truncateAfter(5n);
    expect(store.lastZxid()).toBe(5n);
    store.append(entries(6n, 8n));
    await store.sync();
    expect((await collect(store, 0n)).map((e) => e.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    await closeAll();
    const reopened = await openStore();
    expect((await collect(reopened, 0n)).map((e) => e.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  });
});

describe('FileLogStore failures and model agreement', () => {
  it('rejects the sync that fails and every later use, like a failed fsync', async () => {
    const store = await openStore();
    await rm(logDir, { recursive: true });
    store.append(entries(1n, 2n));
    await expect(store.sync()).rejects.toThrow(/ENOENT/);
    await expect(store.sync()).rejects.toThrow(/ENOENT/);
    expect(() => store.append(entries(3n, 3n))).toThrow(/ENOENT/);
    open.splice(open.indexOf(store), 1);
    await expect(store.close()).rejects.toThrow(/ENOENT/);
  });

  it('agrees with MemoryLogStore over random appends, syncs, rolls, truncations and reopens', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('sync' as const) }),
      fc.record({ kind: fc.constant('syncNoWait' as const) }),
      fc.record({ kind: fc.constant('roll' as const) }),
      fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const dir = join(tmp.path, `run-${run++}`);
        const model = new MemoryLogStore();
        let store = await FileLogStore.open(dir, pino({ level: 'silent' }), { preallocBytes: 512 });
        // Syncs started and not awaited yet: they overlap with later appends, syncs and truncations.
        let started: Promise<void>[] = [];
        try {
          for (const s of steps) {
            if (s.kind === 'append') {
              const batch = entries(model.lastZxid() + 1n, model.lastZxid() + BigInt(s.count), s.size);
              model.append(batch);
              store.append(batch);
            } else if (s.kind === 'sync') {
              model.syncNow();
              await store.sync();
            } else if (s.kind === 'syncNoWait') {
              model.syncNow();
              started.push(store.sync());
            } else if (s.kind === 'roll') {
              store.roll();
            } else if (s.kind === 'truncate') {
              const target = model.lastZxid() - BigInt(s.back);
              model.truncateAfterNow(target < 0n ? 0n : target);
              await store.truncateAfter(target < 0n ? 0n : target);
            } else {
              await Promise.all(started);
              started = [];
              model.crash();
              await store.close();
              store = await FileLogStore.open(dir, pino({ level: 'silent' }), { preallocBytes: 512 });
            }
            expect(store.lastZxid()).toBe(model.lastZxid());
          }
          await store.sync();
          await Promise.all(started);
          model.syncNow();
          expect(await collect(store, 0n)).toEqual(model.entriesFrom(0n));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40, seed: 4242 },
    );
  });
});
