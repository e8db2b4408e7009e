/**
 * A discrete-event queue in virtual time: a binary heap ordered by (time, insertion order), so
 * equal-time events run in the order they were scheduled and every run replays exactly.
 */

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Events to run at virtual times. */
export class EventQueue {
  readonly #heap: Scheduled[] = [];
  #seq = 0;
  #now = 0;

  /** The current virtual time. */
  get now(): number {
    return this.#now;
  }

  /** Runs `run` at virtual time `at` (not before now). */
  at(at: number, run: () => void): void {
    this.#push({ at: Math.max(at, this.#now), seq: this.#seq++, run });
  }

  /**
   * Runs every event due up to and including time `until`, then sets the clock to it. `stop` is
   * checked once all events of a time step have run, and ends the run early when it holds.
   */
  runUntil(until: number, stop: () => boolean = () => false): boolean {
    while (this.#heap.length > 0 && (this.#heap[0] as Scheduled).at <= until) {
      const next = this.#pop();
      this.#now = next.at;
      next.run();
      const upcoming = this.#heap[0];
      if ((upcoming === undefined || upcoming.at > this.#now) && stop()) return true;
    }
    this.#now = until;
    return stop();
  }

  #push(item: Scheduled): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!isBefore(heap[i] as Scheduled, heap[parent] as Scheduled)) break;
      [heap[i], heap[parent]] = [heap[parent] as Scheduled, heap[i] as Scheduled];
      i = parent;
    }
  }

  #pop(): Scheduled {
    const heap = this.#heap;
    const top = heap[0] as Scheduled;
    const last = heap.pop() as Scheduled;
    if (heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && isBefore(heap[left] as Scheduled, heap[smallest] as Scheduled)) smallest = left;
      if (right < heap.length && isBefore(heap[right] as Scheduled, heap[smallest] as Scheduled)) smallest = right;
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest] as Scheduled, heap[i] as Scheduled];
      i = smallest;
    }
  }
}

function isBefore(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
