import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../../util/index.js';
import type { Scheduler, Timer } from '../render/index.js';

/** Quiet time after the last activity before a compaction, so a burst of renders compacts once, at its end. */
export const compactQuietMs = 1000;

/** Heap growth since the last compaction that makes the next quiet period compact again. */
export const compactGrowthBytes = 8 * 1024 * 1024;

/** Inputs of a {@link HeapCompactor}. */
export interface HeapCompactorOptions {
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** See {@link compactQuietMs}. */
  readonly quietMs?: number;
  /** See {@link compactGrowthBytes}. */
  readonly growthBytes?: number;
  /** The heap's committed size (default: V8's total_heap_size). */
  readonly heapBytes?: () => number;
  /** Runs the collection (default: {@link lowMemoryCollection}). */
  readonly collect?: () => Promise<void>;
}

/**
 * Asks V8 for one memory-reducing collection when the agent goes quiet after loading: at the
 * first quiet period after start, and later only once the heap grew by `growthBytes` since the
 * last one. Why: reading 10,000 keys or a 10,000-node tree grows V8's young generation to its
 * maximum (2 x 16 MB) and leaves the old generation full of garbage, and an agent that then idles
 * allocates too little to trigger the collections that would shrink them; V8's own memory reducer
 * only starts after a full collection, which such an agent may never reach. Measured with
 * `node bench/agent.mjs` (bench/README.md): RSS watching 10,000 keys fell from ~124 MB to ~79 MB,
 * at the cost of one full collection (tens of ms) while nothing renders. Under steady changes the
 * agent is never quiet, and V8's own heuristics stay in charge.
 */
export class HeapCompactor {
  readonly #o: HeapCompactorOptions;
  readonly #log: Logger;
  #timer: Timer | null = null;
  /** The heap size after the last compaction, or null before the first. */
  #baselineBytes: number | null = null;
  #isCollecting = false;
  #isClosed = false;

  /** Takes the scheduler and logger; nothing happens until {@link noteActivity}. */
  constructor(options: HeapCompactorOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'agent.heap' });
  }

  /** Notes work (a render, a start): the quiet period starts again. */
  noteActivity(): void {
    if (this.#isClosed) return;
    this.#timer?.cancel();
    this.#timer = this.#o.scheduler.setTimer(this.#o.quietMs ?? compactQuietMs, () => {
      this.#timer = null;
      void this.#compactIfGrown();
    });
  }

  /** Cancels a pending compaction. */
  close(): void {
    this.#isClosed = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  async #compactIfGrown(): Promise<void> {
    const heapBytes = this.#o.heapBytes ?? defaultHeapBytes;
    const beforeBytes = heapBytes();
    const growthBytes = this.#o.growthBytes ?? compactGrowthBytes;
    if (this.#isCollecting || (this.#baselineBytes !== null && beforeBytes - this.#baselineBytes < growthBytes)) return;
    this.#isCollecting = true;
    const startedMs = this.#o.scheduler.nowMs();
    try {
      await (this.#o.collect ?? lowMemoryCollection)();
      this.#baselineBytes = heapBytes();
      this.#log.debug({ beforeBytes, afterBytes: this.#baselineBytes, ms: this.#o.scheduler.nowMs() - startedMs }, 'heap compacted');
    } catch (err) {
      // Node built without the inspector: V8's own heuristics are all there is.
      this.#log.debug({ err }, 'cannot compact the heap');
      this.#baselineBytes = beforeBytes;
    } finally {
      this.#isCollecting = false;
    }
  }
}

function defaultHeapBytes(): number {
  return getHeapStatistics().total_heap_size;
}

/**
 * One full, memory-reducing collection (V8's LowMemoryNotification: old generation compacted,
 * young generation shrunk), through the in-process inspector's documented
 * `HeapProfiler.collectGarbage`; unlike `--expose-gc` it needs no flag at startup.
 */
export async function lowMemoryCollection(): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.collectGarbage');
  } finally {
    session.disconnect();
  }
}
