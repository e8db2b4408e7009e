import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssertionError } from '../../../util/assert.js';
import type { Logger } from '../../../util/logger.js';
import { FileSnapshotStore } from '../../../server/storage/file-snapshot.js';
import type { SnapshotReader, SnapshotStore } from '../../../server/storage/snapshot-store.js';
import { StorageCorruptError } from '../../../server/storage/storage-corrupt-error.js';
import { tempDir, type TempDir } from '../../helpers/temp-dir.js';

function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function chunkOf(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (seed * 7 + i) % 256;
  return out;
}

async function writeSnapshot(store: SnapshotStore, zxid: bigint, chunkCount = 3, digest = 0xdead_beef_cafe_f00dn): Promise<void> {
  const writer = await store.begin(zxid, Uint8Array.of(1, 2, Number(zxid % 256n)));
  for (let i = 0; i < chunkCount; i++) await writer.write(chunkOf(i + Number(zxid), 1000 + i));
  await writer.finish(digest);
}

async function chunksOf(reader: SnapshotReader): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of reader.chunks()) out.push(chunk);
  return out;
}

let tmp: TempDir;
let snapDir: string;

beforeEach(async () => {
  tmp = await tempDir('corral-snap-');
  snapDir = join(tmp.path, 'version-2');
});

afterEach(async () => {
  await tmp.cleanup();
});

describe('FileSnapshotStore', () => {
  it('returns null when there is no snapshot', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    expect(await store.latest()).toBeNull();
  });

  it('round-trips zxid, meta, chunks and digest through a new store', async () => {
    await writeSnapshot(await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' })), 0x1_0000_002an, 5);
    expect(await readdir(snapDir)).toEqual(['snapshot.10000002a']);
    const reader = await (await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }))).latest();
    expect(reader?.zxid).toBe(0x1_0000_002an);
    expect(reader?.meta).toEqual(Uint8Array.of(1, 2, 0x2a));
    expect(reader?.digest).toBe(0xdead_beef_cafe_f00dn);
    const chunks = reader === null ? [] : await chunksOf(reader);
    expect(chunks).toEqual([0, 1, 2, 3, 4].map((i) => chunkOf(i + 0x1_0000_002a, 1000 + i)));
  });

  it('keeps an unfinished snapshot invisible and removes it on abort', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    await writeSnapshot(store, 5n);
    const writer = await store.begin(9n, new Uint8Array());
    await writer.write(chunkOf(1, 10));
    expect((await store.latest())?.zxid).toBe(5n);
    await writer.abort();
    await writer.abort();
    expect(await readdir(snapDir)).toEqual(['snapshot.5']);
    await expect(writer.write(chunkOf(1, 10))).rejects.toThrow(AssertionError);
  });

  it('stores empty meta, no chunks, and the largest 64-bit digest', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    const writer = await store.begin(1n, new Uint8Array());
    await writer.write(new Uint8Array());
    await writer.finish((1n << 64n) - 1n);
    const reader = await store.latest();
    expect(reader?.digest).toBe((1n << 64n) - 1n);
    expect(reader?.meta.length).toBe(0);
    expect(reader === null ? null : await chunksOf(reader)).toEqual([]);
  });

  it('skips a newer snapshot with any damage, with a warning naming it', async () => {
    const { logger, lines } = capturingLogger();
    const store = await FileSnapshotStore.open(tmp.path, logger);
    await writeSnapshot(store, 10n);
    await writeSnapshot(store, 20n);
    const newest = join(snapDir, 'snapshot.14');
    const original = await readFile(newest);
    const damages: ((bytes: Buffer) => Buffer)[] = [
      (bytes) => bytes.subarray(0, bytes.length - 1),
      (bytes) => bytes.subarray(0, 500),
      (bytes) => Buffer.concat([bytes, Buffer.of(0)]),
      (bytes) => flipped(bytes, 2),
      (bytes) => flipped(bytes, 26),
      (bytes) => flipped(bytes, 700),
      (bytes) => flipped(bytes, bytes.length - 1),
      (bytes) => flipped(bytes, bytes.length - 20),
    ];
    // loadLatest reads each file once: the load of a damaged one gets partway, then is dropped.
    const started: bigint[] = [];
    const loadAll = (reader: SnapshotReader): Promise<Uint8Array[]> => {
      started.push(reader.zxid);
      return chunksOf(reader);
    };
    for (const damage of damages) {
      await writeFile(newest, damage(Buffer.from(original)));
      expect((await store.latest())?.zxid).toBe(10n);
      expect(lines().at(-1)).toEqual(expect.objectContaining({ level: 40, file: newest }));
      started.length = 0;
      const loaded = await store.loadLatest(loadAll);
      expect(loaded?.reader.zxid).toBe(10n);
      expect(loaded?.loaded).toEqual([chunkOf(10, 1000), chunkOf(11, 1001), chunkOf(12, 1002)]);
      expect(lines().at(-1)).toEqual(expect.objectContaining({ level: 40, msg: 'skipping invalid snapshot', file: newest }));
      expect(started.at(-1)).toBe(10n);
    }
    // Damage inside a chunk shows only once the load has streamed that far; it is dropped then.
    await writeFile(newest, flipped(Buffer.from(original), 700));
    started.length = 0;
    expect((await store.loadLatest(loadAll))?.reader.zxid).toBe(10n);
    expect(started).toEqual([20n, 10n]);
    await writeFile(newest, original);
    expect((await store.latest())?.zxid).toBe(20n);
    const loaded = await store.loadLatest(loadAll);
    expect(loaded?.reader.zxid).toBe(20n);
    expect(loaded?.reader.digest).toBe(0xdead_beef_cafe_f00dn);
    await expect(store.loadLatest(() => Promise.reject(new RangeError('not storage')))).rejects.toThrow(RangeError);
  });

  it('skips a snapshot whose header zxid differs from its name', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    await writeSnapshot(store, 10n);
    await writeSnapshot(store, 20n);
    await writeFile(join(snapDir, 'snapshot.1e'), await readFile(join(snapDir, 'snapshot.14')));
    expect((await store.latest())?.zxid).toBe(20n);
  });

  it('detects a file changed after validation while streaming its chunks', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    await writeSnapshot(store, 10n);
    const reader = await store.latest();
    const path = join(snapDir, 'snapshot.a');
    await truncate(path, (await stat(path)).size - 30);
    await expect(reader === null ? Promise.resolve([]) : chunksOf(reader)).rejects.toThrow(StorageCorruptError);
  });

  it('ignores temporary files left by a crash', async () => {
    const store = await FileSnapshotStore.open(tmp.path, pino({ level: 'silent' }));
    await writeSnapshot(store, 10n);
    await writeFile(join(snapDir, 'snapshot.20.tmp'), Buffer.alloc(100, 1));
    expect((await store.latest())?.zxid).toBe(10n);
  });
});

function flipped(bytes: Buffer, offset: number): Buffer {
  bytes.writeUInt8(bytes.readUInt8(offset) ^ 0x10, offset);
  return bytes;
}
