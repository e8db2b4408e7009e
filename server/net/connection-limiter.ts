/**
 * Counts open connections per remote IP and refuses one over `maxClientCnxns`
 * (NIOServerCnxnFactory's per-IP limit, reference §10.2). Pure bookkeeping.
 */

/** Normalizes an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) to its IPv4 form. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** Per-IP connection counter; a limit of 0 means unlimited. */
export class ConnectionLimiter {
  readonly #maxPerAddress: number;
  readonly #counts = new Map<string, number>();

  constructor(options: { readonly maxClientCnxns: number }) {
    this.#maxPerAddress = options.maxClientCnxns;
  }

  /** Takes a slot for `address`; false (and no slot taken) when it already has the maximum. */
  tryAcquire(address: string): boolean {
    const key = normalizeAddress(address);
    const count = this.#counts.get(key) ?? 0;
    if (this.#maxPerAddress > 0 && count >= this.#maxPerAddress) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  /** Gives back a slot taken by tryAcquire. */
  release(address: string): void {
    const key = normalizeAddress(address);
    const count = this.#counts.get(key) ?? 0;
    if (count <= 1) this.#counts.delete(key);
    else this.#counts.set(key, count - 1);
  }

  /** Open connections from `address`. */
  countOf(address: string): number {
    return this.#counts.get(normalizeAddress(address)) ?? 0;
  }
}
