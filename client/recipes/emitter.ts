/**
 * A small typed event emitter for the recipes: listeners are isolated from each other (a throwing
 * listener is logged, the others still run) and every subscription returns its unsubscribe.
 */
import type { Logger } from '../../util/logger.js';

/** Maps each event name to the argument tuple its listeners receive. */
export type EventMap = Record<string, readonly unknown[]>;

/** A listener of event `K`. */
export type Listener<M extends EventMap, K extends keyof M> = (...args: M[K]) => void;

/** A typed emitter; recipes expose `on` and keep `emit` to themselves. */
export class Emitter<M extends EventMap> {
  readonly #log: Logger;
  readonly #listeners = new Map<keyof M, Set<(...args: never) => void>>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Subscribes `listener` to `event`; returns the unsubscribe function. */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const stored: (...args: never) => void = listener;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  /** Calls every listener of `event` with `args`, each in isolation. */
  emit<K extends keyof M>(event: K, ...args: M[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as Listener<M, K>)(...args);
      } catch (err) {
        this.#log.error({ err, event: String(event) }, 'recipe listener threw');
      }
    }
  }

  /** Drops every listener (after close nothing is emitted any more). */
  clear(): void {
    this.#listeners.clear();
  }
}
