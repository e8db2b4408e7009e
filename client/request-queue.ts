/**
 * The client's request pipeline: xids, the FIFO of requests sent and not yet answered, and
 * the requests waiting for a connection with a deadline. Pure: the shell does the sending and
 * passes the time in.
 */
import type { Request } from '../protocol/records.js';
import { assert } from '../util/assert.js';

/** One request on its way; `T` is whatever the shell needs to settle it. */
export interface QueuedRequest<T> {
  readonly request: Request;
  /** Set when the request is sent; 0 while it waits. */
  xid: number;
  /** Monotonic ms after which a waiting request fails; Infinity for none. */
  readonly deadlineMs: number;
  readonly context: T;
}

/** The outcome of matching a reply xid against the head of the pipeline. */
export type ReplyMatch<T> =
  | { readonly kind: 'matched'; readonly entry: QueuedRequest<T> }
  | { readonly kind: 'unexpected'; readonly expectedXid: number | undefined };

const maxXid = 0x7fff_ffff;

/** Bounded by `maxWaiting`: beyond it, new requests are refused instead of queued. */
export class RequestQueue<T> {
  readonly #maxWaiting: number;
  readonly #waiting: QueuedRequest<T>[] = [];
  readonly #outstanding: QueuedRequest<T>[] = [];
  #lastXid = 0;

  constructor(options: { readonly maxWaiting: number }) {
    this.#maxWaiting = options.maxWaiting;
  }

  /** Requests waiting to be sent. */
  get waitingCount(): number {
    return this.#waiting.length;
  }

  /** Requests sent and not yet answered. */
  get outstandingCount(): number {
    return this.#outstanding.length;
  }

  /** Queues a request to be sent; returns false when the waiting queue is full. */
  enqueue(request: Request, context: T, deadlineMs: number): QueuedRequest<T> | undefined {
    if (this.#waiting.length >= this.#maxWaiting) return undefined;
    const entry: QueuedRequest<T> = { request, xid: 0, deadlineMs, context };
    this.#waiting.push(entry);
    return entry;
  }

  /** Puts a request ahead of the waiting ones (used for setWatches after a reconnect). */
  enqueueFirst(request: Request, context: T): QueuedRequest<T> {
    const entry: QueuedRequest<T> = { request, xid: 0, deadlineMs: Infinity, context };
    this.#waiting.unshift(entry);
    return entry;
  }

  /** Takes every waiting request, gives each the next xid, and moves it to the outstanding FIFO. */
  takeWaiting(): QueuedRequest<T>[] {
    const taken = this.#waiting.splice(0, this.#waiting.length);
    for (const entry of taken) {
      entry.xid = this.#nextXid();
      this.#outstanding.push(entry);
    }
    return taken;
  }

  /** Matches a reply: the server answers in request order, so it must be the head's xid. */
  matchReply(xid: number): ReplyMatch<T> {
    const head = this.#outstanding[0];
    if (head === undefined || head.xid !== xid) return { kind: 'unexpected', expectedXid: head?.xid };
    this.#outstanding.shift();
    return { kind: 'matched', entry: head };
  }

  /** Removes and returns every outstanding request (they fail with ConnectionLoss). */
  takeOutstanding(): QueuedRequest<T>[] {
    return this.#outstanding.splice(0, this.#outstanding.length);
  }

  /** Removes and returns every waiting request (on close or expiry). */
  takeAllWaiting(): QueuedRequest<T>[] {
    return this.#waiting.splice(0, this.#waiting.length);
  }

  /** Removes and returns the waiting requests whose deadline has passed. */
  takeOverdue(nowMs: number): QueuedRequest<T>[] {
    const overdue = this.#waiting.filter((e) => e.deadlineMs <= nowMs);
    if (overdue.length === 0) return [];
    const keep = this.#waiting.filter((e) => e.deadlineMs > nowMs);
    this.#waiting.splice(0, this.#waiting.length, ...keep);
    return overdue;
  }

  /** xids run 1 … 2^31−1 and wrap back to 1, as in ClientCnxn.getXid. */
  #nextXid(): number {
    this.#lastXid = this.#lastXid >= maxXid ? 1 : this.#lastXid + 1;
    assert(this.#lastXid > 0, 'xid must be positive');
    return this.#lastXid;
  }
}
