/**
 * RecentSet: remembers the last `capacity` distinct values added, forgetting the oldest first.
 *
 * Eviction goes through a ring of the values in insertion order, so each add is O(1). (Evicting
 * with `set.values().next()` looks O(1) but is not in V8: deleted entries stay as holes at the
 * front of the table until it rehashes, and every new iterator walks past them — at 100,000
 * entries that was ~60 µs per add.)
 */
export class RecentSet<T> {
  readonly #values = new Set<T>();
  readonly #ring: (T | undefined)[];
  #head = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError('RecentSet capacity must be a positive integer');
    this.#ring = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** How many values are remembered now (at most the capacity). */
  get size(): number {
    return this.#values.size;
  }

  has(value: T): boolean {
    return this.#values.has(value);
  }

  /** Adds `value` unless remembered; returns false when it was already there. */
  add(value: T): boolean {
    if (this.#values.has(value)) return false;
    const oldest = this.#ring[this.#head];
    if (oldest !== undefined) this.#values.delete(oldest);
    this.#ring[this.#head] = value;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#values.add(value);
    return true;
  }
}
