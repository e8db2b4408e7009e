import { assert } from '../../util/assert.js';

/** Options for a SessionTable. */
export interface SessionTableOptions {
  /** The width of one expiry bucket: zoo.cfg `tickTime`, in ms. */
  readonly tickMs: number;
}

/** A session as the table reports it. */
export interface SessionInfo {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
  /** True once the session's close has begun (expired or closeSession); it can no longer be touched. */
  readonly closing: boolean;
}

/** The part of a session that a snapshot keeps. */
export interface SessionRecord {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

interface Entry {
  readonly sessionId: bigint;
  timeoutMs: number;
  closing: boolean;
  /** The bucket the session sits in, or null once `expired()` has taken it out. */
  deadlineMs: number | null;
}

/**
 * Session ids are kept in the codec's signed i64 form (Java's `long`), so a session id decoded
 * from the wire and one from SessionIdGenerator always name the same entry.
 */
function key(sessionId: bigint): bigint {
  return BigInt.asIntN(64, sessionId);
}

/**
 * The live sessions and their bucketed expiry, like ZooKeeper's SessionTrackerImpl and
 * ExpiryQueue (reference §2.5): time is only ever passed in, never read.
 */
export class SessionTable {
  readonly #tickMs: number;
  readonly #sessions = new Map<bigint, Entry>();
  readonly #buckets = new Map<number, Set<bigint>>();

  /** Creates an empty table whose buckets are `tickMs` wide. */
  constructor(options: SessionTableOptions) {
    assert(Number.isSafeInteger(options.tickMs), 'tickMs must be an integer');
    assert(options.tickMs > 0, 'tickMs must be positive');
    this.#tickMs = options.tickMs;
  }

  /** The number of sessions in the table, closing ones included. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Tracks a session and sets its deadline; returns false (and only refreshes the deadline) when
   * it is already tracked, as SessionTrackerImpl.trackSession does.
   */
  add(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const id = key(sessionId);
    const existing = this.#sessions.get(id);
    if (existing !== undefined) {
      this.#schedule(existing, timeoutMs, nowMs);
      return false;
    }
    const entry: Entry = { sessionId: id, timeoutMs, closing: false, deadlineMs: null };
    this.#sessions.set(id, entry);
    this.#schedule(entry, timeoutMs, nowMs);
    return true;
  }

  /**
   * Moves a session's deadline to `roundUp(nowMs + timeout)`; `timeoutMs` (a renegotiated
   * timeout after a reconnect) also becomes the session's timeout. Returns false when the session
   * is unknown or closing, which the caller answers as an expired session.
   */
  touch(sessionId: bigint, timeoutMs: number | undefined, nowMs: number): boolean {
    const entry = this.#sessions.get(key(sessionId));
    if (entry === undefined || entry.closing) return false;
    if (timeoutMs !== undefined) entry.timeoutMs = timeoutMs;
    this.#schedule(entry, entry.timeoutMs, nowMs);
    return true;
  }

  /** Marks a session as closing so that no request can revive it; unknown ids are ignored. */
  setClosing(sessionId: bigint): void {
    const entry = this.#sessions.get(key(sessionId));
    if (entry !== undefined) entry.closing = true;
  }

  /** True when the session exists and its close has begun. */
  isClosing(sessionId: bigint): boolean {
    return this.#sessions.get(key(sessionId))?.closing ?? false;
  }

  /** Forgets a session (its closeSession txn was applied); returns false if it was unknown. */
  remove(sessionId: bigint): boolean {
    const id = key(sessionId);
    const entry = this.#sessions.get(id);
    if (entry === undefined) return false;
    this.#unschedule(entry);
    this.#sessions.delete(id);
    return true;
  }

  /** A copy of one session's state, or undefined if it is not tracked. */
  get(sessionId: bigint): SessionInfo | undefined {
    const entry = this.#sessions.get(key(sessionId));
    if (entry === undefined) return undefined;
    return { sessionId: entry.sessionId, timeoutMs: entry.timeoutMs, closing: entry.closing };
  }

  /**
   * Takes every bucket whose deadline is <= nowMs and returns its sessions that were not already
   * closing, oldest bucket first. They are marked closing and stay in the table until `remove`,
   * so each session is reported at most once.
   */
  expired(nowMs: number): bigint[] {
    const due = [...this.#buckets.keys()].filter((deadlineMs) => deadlineMs <= nowMs);
    due.sort((a, b) => a - b);
    const result: bigint[] = [];
    for (const deadlineMs of due) {
      const ids = this.#buckets.get(deadlineMs);
      assert(ids !== undefined, 'due bucket vanished');
      this.#buckets.delete(deadlineMs);
      for (const id of ids) {
        const entry = this.#sessions.get(id);
        assert(entry !== undefined, 'bucket holds an untracked session');
        entry.deadlineMs = null;
        if (entry.closing) continue;
        entry.closing = true;
        result.push(id);
      }
    }
    return result;
  }

  /** The expiry buckets, deadline (ms) to session ids, in deadline order: the `dump` 4lw's view. */
  buckets(): Map<number, bigint[]> {
    const deadlines = [...this.#buckets.keys()].sort((a, b) => a - b);
    const result = new Map<number, bigint[]>();
    for (const deadlineMs of deadlines) {
      result.set(deadlineMs, [...(this.#buckets.get(deadlineMs) ?? [])]);
    }
    return result;
  }

  /** Every tracked session and its timeout, in insertion order, for a snapshot. */
  sessions(): SessionRecord[] {
    return [...this.#sessions.values()].map((e) => ({ sessionId: e.sessionId, timeoutMs: e.timeoutMs }));
  }

  /**
   * ExpiryQueue.roundToNextInterval: `(t / tick + 1) * tick`, so the deadline lies in
   * (now + timeout, now + timeout + tick].
   */
  #deadline(timeoutMs: number, nowMs: number): number {
    assert(Number.isSafeInteger(nowMs), 'nowMs must be an integer');
    assert(Number.isSafeInteger(timeoutMs), 'timeoutMs must be an integer');
    assert(timeoutMs > 0, 'timeoutMs must be positive');
    return (Math.floor((nowMs + timeoutMs) / this.#tickMs) + 1) * this.#tickMs;
  }

  #schedule(entry: Entry, timeoutMs: number, nowMs: number): void {
    const deadlineMs = this.#deadline(timeoutMs, nowMs);
    if (entry.deadlineMs === deadlineMs) return;
    this.#unschedule(entry);
    let bucket = this.#buckets.get(deadlineMs);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(deadlineMs, bucket);
    }
    bucket.add(entry.sessionId);
    entry.deadlineMs = deadlineMs;
  }

  #unschedule(entry: Entry): void {
    if (entry.deadlineMs === null) return;
    const bucket = this.#buckets.get(entry.deadlineMs);
    assert(bucket !== undefined, 'session points at a missing bucket');
    bucket.delete(entry.sessionId);
    if (bucket.size === 0) this.#buckets.delete(entry.deadlineMs);
    entry.deadlineMs = null;
  }
}
