import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../../agent/render/index.js';
import { HeapCompactor, lowMemoryCollection } from '../../../agent/runner/heap-compactor.js';
import { silentLogger } from '../../../util/index.js';

/** A compactor over a fake heap: `collect` shrinks it to `afterBytes` and counts the calls. */
function setup(): { scheduler: ManualScheduler; compactor: HeapCompactor; heap: { bytes: number; afterBytes: number; collections: number } } {
  const scheduler = new ManualScheduler();
  const heap = { bytes: 60, afterBytes: 20, collections: 0 };
  const compactor = new HeapCompactor({
    scheduler,
    logger: silentLogger(),
    quietMs: 1000,
    growthBytes: 16,
    heapBytes: () => heap.bytes,
    collect: async () => {
      heap.collections++;
      heap.bytes = heap.afterBytes;
    },
  });
  return { scheduler, compactor, heap };
}

/** Lets the collection the timer started run to its end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('HeapCompactor', () => {
  it('compacts once at the end of a burst of activity, not during it', async () => {
    const { scheduler, compactor, heap } = setup();
    for (let i = 0; i < 5; i++) {
      compactor.noteActivity();
      scheduler.advance(999);
    }
    await settle();
    expect(heap.collections).toBe(0);
    scheduler.advance(1);
    await settle();
    expect(heap.collections).toBe(1);
  });

  it('after the first compaction, compacts again only once the heap grew by growthBytes', async () => {
    const { scheduler, compactor, heap } = setup();
    compactor.noteActivity();
    scheduler.advance(1000);
    await settle();
    heap.bytes = 35;
    compactor.noteActivity();
    scheduler.advance(1000);
    await settle();
    expect(heap.collections).toBe(1);
    heap.bytes = 36;
    compactor.noteActivity();
    scheduler.advance(1000);
    await settle();
    expect(heap.collections).toBe(2);
  });

  it('does nothing after close', async () => {
    const { scheduler, compactor, heap } = setup();
    compactor.noteActivity();
    compactor.close();
    compactor.noteActivity();
    scheduler.advance(5000);
    await settle();
    expect(heap.collections).toBe(0);
  });

  it('lowMemoryCollection runs a collection through the in-process inspector', async () => {
    await expect(lowMemoryCollection()).resolves.toBeUndefined();
  });
});
