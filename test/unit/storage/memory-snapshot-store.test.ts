import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../util/assert.js';
import { MemorySnapshotStore } from '../../../server/storage/memory-snapshot-store.js';

describe('MemorySnapshotStore', () => {
  it('returns the newest finished snapshot with its meta, chunks and digest', async () => {
    const store = new MemorySnapshotStore();
    expect(store.latestNow()).toBeNull();
    for (const zxid of [3n, 9n]) {
      const writer = store.beginNow(zxid, Uint8Array.of(Number(zxid)));
      await writer.write(Uint8Array.of(1));
      await writer.write(new Uint8Array());
      await writer.write(Uint8Array.of(2, 3));
      await writer.finish(zxid * 100n);
    }
    const reader = await store.latest();
    expect(reader?.zxid).toBe(9n);
    expect(reader?.meta).toEqual(Uint8Array.of(9));
    expect(reader?.digest).toBe(900n);
    const chunks: Uint8Array[] = [];
    for await (const chunk of reader?.chunks() ?? []) chunks.push(chunk);
    expect(chunks).toEqual([Uint8Array.of(1), Uint8Array.of(2, 3)]);
    expect(store.zxids()).toEqual([3n, 9n]);
  });

  it('never shows an unfinished or aborted snapshot and rejects use after abort', async () => {
    const store = new MemorySnapshotStore();
    const pending = store.beginNow(5n, new Uint8Array());
    await pending.write(Uint8Array.of(1));
    expect(store.latestNow()).toBeNull();
    await pending.abort();
    expect(() => pending.finish(1n)).toThrow(AssertionError);
    expect(store.zxids()).toEqual([]);
  });

  it('rejects a digest outside unsigned 64 bits', () => {
    const writer = new MemorySnapshotStore().beginNow(1n, new Uint8Array());
    expect(() => writer.finish(-1n)).toThrow(AssertionError);
    expect(() => writer.finish(1n << 64n)).toThrow(AssertionError);
  });

  it('forgets a removed snapshot', async () => {
    const store = new MemorySnapshotStore();
    await (await store.begin(4n, new Uint8Array())).finish(0n);
    await (await store.begin(8n, new Uint8Array())).finish(0n);
    store.remove(8n);
    expect(store.latestNow()?.zxid).toBe(4n);
  });
});
