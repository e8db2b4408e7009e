/**
 * A bounded push-to-pull adapter: producers push values, one consumer reads them with
 * `for await`. Pure: no timers, no I/O.
 */

/** Raised to the consumer when more than `maxQueued` values piled up unread. */
export class EventStreamOverflowError extends Error {
  override name = 'EventStreamOverflowError';
}

/** An async iterator fed by push(); ends on end() or when the consumer returns. */
export class EventStream<T> implements AsyncIterableIterator<T> {
  readonly #maxQueued: number;
  readonly #onReturn: () => Promise<void>;
  readonly #queued: T[] = [];
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #isEnded = false;
  #error: Error | undefined;

  constructor(options: { readonly maxQueued: number; readonly onReturn?: () => Promise<void> }) {
    this.#maxQueued = options.maxQueued;
    this.#onReturn = options.onReturn ?? (() => Promise.resolve());
  }

  /** Whether the stream has ended (no more values will be delivered after the queued ones). */
  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** Delivers a value, or queues it; past the bound the stream fails with an overflow error. */
  push(value: T): void {
    if (this.#isEnded) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#clearWaiter();
      waiter({ value, done: false });
      return;
    }
    if (this.#queued.length >= this.#maxQueued) {
      this.#error = new EventStreamOverflowError(`more than ${this.#maxQueued} events queued unread`);
      this.#isEnded = true;
      return;
    }
    this.#queued.push(value);
  }

  /** Ends the stream after the queued values have been read. */
  end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    const waiter = this.#waiter;
    this.#clearWaiter();
    waiter?.({ value: undefined, done: true });
  }

  /** Reads the next value. */
  next(): Promise<IteratorResult<T>> {
    if (this.#queued.length > 0) return Promise.resolve({ value: this.#queued.shift() as T, done: false });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#isEnded) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<T>>((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Called by `break` in a for-await loop: ends the stream and runs the cleanup. */
  async return(): Promise<IteratorResult<T>> {
    const wasEnded = this.#isEnded;
    this.#queued.length = 0;
    this.end();
    if (!wasEnded) await this.#onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #clearWaiter(): void {
    this.#waiter = undefined;
  }
}
