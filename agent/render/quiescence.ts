import type { Scheduler, Timer } from './scheduler.js';

/** Inputs of a {@link Quiescence}. */
export interface QuiescenceOptions {
  /** Fire once no trigger has come for this long. */
  readonly minMs: number;
  /** Fire at the latest this long after the first trigger of a burst, even if triggers keep coming. */
  readonly maxMs: number;
  /** Timers and time. */
  readonly scheduler: Scheduler;
  /** Called once per burst. */
  readonly onFire: () => void;
}

/**
 * Batches a burst of changes into one render, as consul-template's `wait {min, max}`: each
 * trigger restarts the `minMs` quiet timer, and `maxMs` after the burst began it fires anyway.
 */
export class Quiescence {
  readonly #options: QuiescenceOptions;
  #quietTimer: Timer | null = null;
  #deadlineTimer: Timer | null = null;

  /** Takes the bounds, the scheduler and the callback. */
  constructor(options: QuiescenceOptions) {
    if (!(options.minMs >= 0 && options.minMs <= options.maxMs)) throw new RangeError('expected 0 <= minMs <= maxMs');
    this.#options = options;
  }

  /** True while a burst is waiting to fire. */
  get isPending(): boolean {
    return this.#quietTimer !== null;
  }

  /** Notes one change. */
  trigger(): void {
    this.#quietTimer?.cancel();
    this.#quietTimer = this.#options.scheduler.setTimer(this.#options.minMs, () => this.#fire());
    this.#deadlineTimer ??= this.#options.scheduler.setTimer(this.#options.maxMs, () => this.#fire());
  }

  /** Drops a pending burst without firing. */
  cancel(): void {
    this.#quietTimer?.cancel();
    this.#deadlineTimer?.cancel();
    this.#quietTimer = null;
    this.#deadlineTimer = null;
  }

  #fire(): void {
    this.cancel();
    this.#options.onFire();
  }
}
