/**
 * Per-connection reply ordering: a session's requests are answered in the order they arrived,
 * and a read never overtakes an earlier write of the same session (reference §8, FIFO client
 * order). Writes wait for commit; reads and other local ops run when they reach the head.
 */
import type { Outbound } from './ready.js';

/** Names a waiting item: a write's number, or a sync's `s:<n>` key. */
export type QueueKey = number | string;

/** A queued item: either a finished reply or work that runs when it reaches the head. */
export type QueuedItem =
  | { readonly kind: 'waiting'; readonly key: QueueKey }
  | { readonly kind: 'done'; readonly frames: readonly Outbound[]; readonly closeAfter: boolean }
  | { readonly kind: 'deferred'; readonly run: () => readonly Outbound[] };

/** A FIFO of a connection's unanswered requests. */
export class ConnectionQueue {
  readonly #items: QueuedItem[] = [];
  #head = 0;

  /** True when nothing is waiting, so a read may run at once. */
  get isEmpty(): boolean {
    return this.#head === this.#items.length;
  }

  /** Number of unanswered requests. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends an item. */
  push(item: QueuedItem): void {
    this.#items.push(item);
  }

  /** Marks the waiting item `key` (a write or a sync) as answered by `frames`. */
  complete(key: QueueKey, frames: readonly Outbound[], closeAfter: boolean): void {
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item?.kind === 'waiting' && item.key === key) {
        this.#items[i] = { kind: 'done', frames, closeAfter };
        return;
      }
    }
  }

  /**
   * Pops every item at the head that can be answered now, in order; runs deferred work when it
   * reaches the head. Stops at the first write still waiting for commit.
   * Returns the frames and whether the connection must close after them.
   */
  drain(emit: (frames: readonly Outbound[]) => void): boolean {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      if (item === undefined || item.kind === 'waiting') break;
      this.#head++;
      if (item.kind === 'done') {
        emit(item.frames);
        if (item.closeAfter) {
          this.clear();
          return true;
        }
      } else {
        emit(item.run());
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return false;
  }

  /** Forgets everything (the connection is gone). */
  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
  }
}
