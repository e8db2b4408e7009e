import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../util/assert.js';
import { isFirstAfterSnapshot, isNextZxid, type LogEntry } from '../../../server/storage/log-store.js';
import { MemoryLogStore } from '../../../server/storage/memory-log-store.js';

function entries(from: bigint, to: bigint): LogEntry[] {
  const out: LogEntry[] = [];
  for (let zxid = from; zxid <= to; zxid++) out.push({ zxid, data: Uint8Array.of(Number(zxid % 256n)) });
  return out;
}

async function collect(store: MemoryLogStore, zxidExclusive: bigint): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const item of store.readFrom(zxidExclusive)) out.push(item.zxid);
  return out;
}

const EPOCH = 0x1_0000_0000n;

describe('isNextZxid', () => {
  it('allows the next counter in an epoch or any zxid of a later epoch', () => {
    expect(isNextZxid(0n, 7n)).toBe(true);
    expect(isNextZxid(EPOCH + 1n, EPOCH + 2n)).toBe(true);
    expect(isNextZxid(EPOCH + 1n, 3n * EPOCH + 9n)).toBe(true);
  });

  it('rejects gaps, repeats, earlier epochs and zero', () => {
    expect(isNextZxid(EPOCH + 1n, EPOCH + 3n)).toBe(false);
    expect(isNextZxid(EPOCH + 1n, EPOCH + 1n)).toBe(false);
    expect(isNextZxid(2n * EPOCH + 1n, EPOCH + 2n)).toBe(false);
    expect(isNextZxid(0n, 0n)).toBe(false);
  });
});

describe('isFirstAfterSnapshot', () => {
  it('accepts the next counter of the same epoch, or counter 1 of a later epoch', () => {
    expect(isFirstAfterSnapshot(0n, 1n)).toBe(true);
    expect(isFirstAfterSnapshot(0n, EPOCH + 1n)).toBe(true);
    expect(isFirstAfterSnapshot(EPOCH + 5n, EPOCH + 6n)).toBe(true);
    expect(isFirstAfterSnapshot(EPOCH + 5n, 2n * EPOCH + 1n)).toBe(true);
  });

  it('rejects a log that skips txns after the snapshot, or starts late with no snapshot', () => {
    expect(isFirstAfterSnapshot(0n, 49n)).toBe(false);
    expect(isFirstAfterSnapshot(0n, EPOCH + 2n)).toBe(false);
    expect(isFirstAfterSnapshot(EPOCH + 5n, EPOCH + 7n)).toBe(false);
    expect(isFirstAfterSnapshot(EPOCH + 5n, 2n * EPOCH + 3n)).toBe(false);
    expect(isFirstAfterSnapshot(EPOCH + 5n, EPOCH + 5n)).toBe(false);
  });
});

describe('MemoryLogStore', () => {
  it('reads back only synced entries after the given zxid', async () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 5n));
    await store.sync();
    store.append(entries(6n, 7n));
    expect(store.lastZxid()).toBe(7n);
    expect(store.lastSyncedZxid()).toBe(5n);
    expect(await collect(store, 2n)).toEqual([3n, 4n, 5n]);
  });

  it('asserts that appended zxids follow the log', () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 2n));
    expect(() => store.append(entries(4n, 4n))).toThrow(AssertionError);
    expect(() => store.append(entries(2n, 2n))).toThrow(AssertionError);
  });

  it('loses the unsynced tail on crash', () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 3n));
    store.syncNow();
    store.append(entries(4n, 6n));
    store.crash();
    expect(store.lastZxid()).toBe(3n);
    store.append(entries(4n, 4n));
    store.syncNow();
    expect(store.entriesFrom(0n).map((e) => e.zxid)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('keeps part of the unsynced tail on crash and drops a torn last record', () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 6n));
    store.crash({ keptUnsyncedCount: 4, isLastTorn: true });
    expect(store.entriesFrom(0n).map((e) => e.zxid)).toEqual([1n, 2n, 3n]);
    expect(() => store.crash({ keptUnsyncedCount: 0, isLastTorn: true })).toThrow(AssertionError);
  });

  it('fails syncs like a failing fsync and refuses further use until a crash', async () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 2n));
    store.failSyncs(new Error('EIO'));
    await expect(store.sync()).rejects.toThrow('EIO');
    expect(() => store.append(entries(3n, 3n))).toThrow('EIO');
    store.crash();
    expect(store.lastZxid()).toBe(0n);
    store.append(entries(1n, 1n));
    await store.sync();
    expect(store.lastSyncedZxid()).toBe(1n);
  });

  it('truncates synced and pending entries after a zxid and tracks rolled files', async () => {
    const store = new MemoryLogStore();
    store.append(entries(1n, 3n));
    store.roll();
    store.append(entries(4n, 6n));
    await store.sync();
    store.append(entries(7n, 8n));
    expect(store.fileStartZxids()).toEqual([1n, 4n]);
    await store.truncateAfter(2n);
    expect(store.lastZxid()).toBe(2n);
    expect(store.fileStartZxids()).toEqual([1n]);
    store.append(entries(3n, 3n));
    expect(store.fileStartZxids()).toEqual([1n, 3n]);
  });
});
