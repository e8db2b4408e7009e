import { assert } from '../../util/assert.js';

/** ephemeralOwner value that marks container nodes, so no session may carry it (reference §2.4). */
const containerEphemeralOwner = BigInt.asIntN(64, 0x8000000000000000n);

/**
 * The first session id of a server, as SessionTrackerImpl.initializeNextSessionId computes it:
 * `((nowMs << 24) >>> 8) | (serverId << 56)` in 64 bits (reference §2.4). Standalone servers pass
 * serverId 1. The result is in the codec's signed i64 form (Java's `long`), which equals the
 * unsigned value for every serverId below 128.
 */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  assert(Number.isInteger(serverId), 'serverId must be an integer');
  assert(serverId >= 1 && serverId <= 255, 'serverId must be in 1..255');
  assert(Number.isSafeInteger(nowMs), 'nowMs must be an integer');
  const clock = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  const id = BigInt.asIntN(64, clock | (BigInt(serverId) << 56n));
  return id === containerEphemeralOwner ? id + 1n : id;
}

/** Hands out session ids: `initialSessionId`, then +1 per new session (SessionTrackerImpl.createSession). */
export class SessionIdGenerator {
  #next: bigint;

  /**
   * Starts the sequence at `initialSessionId(serverId, nowMs)`: `serverId` is this server's myid
   * (1 standalone), `nowMs` its monotonic clock at startup, which makes ids of different runs differ.
   */
  constructor(serverId: number, nowMs: number) {
    this.#next = initialSessionId(serverId, nowMs);
  }

  /** Returns a fresh session id, never 0 and never the container marker. */
  next(): bigint {
    let id = this.#next;
    // Skipped here as well as in the seed because either value would be misread: 0 means
    // "new session" in a ConnectRequest and the marker means "container" in ephemeralOwner.
    while (id === 0n || id === containerEphemeralOwner) id = BigInt.asIntN(64, id + 1n);
    this.#next = BigInt.asIntN(64, id + 1n);
    return id;
  }
}
