/**
 * Lock: a distributed mutex after Curator's InterProcessMutex (not reentrant). Each contender
 * creates an ephemeral sequential `_c_<uuid>-lock-` node under the lock path; the lowest holds
 * the lock and every other contender watches only its predecessor, so a release wakes one waiter
 * (no herd effect). If the session is lost, the holder is told at once (`lost`, isHeld false).
 */
import type { Logger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import { Emitter } from './emitter.js';
import { LockNotHeldError, RecipeClosedError, RecipeError, SessionLostError } from './errors.js';
import {
  type ManagedClient,
  type WaitOptions,
  failed,
  isConnectionError,
  ok,
  untilClientConnected,
  waitFor,
} from './managed-client.js';
import { type UuidSource, createProtectedSequential, deleteOwned, randomUuid } from './nodes.js';
import { childPath, nameOf, sortBySequence, standingOf } from './sequence.js';

/** The marker in lock node names (Curator's `lock-`). */
export const lockMarker = 'lock-';

/** Options of a Lock. */
export interface LockOptions {
  /** Stored as the lock node's data (Curator stores the host address); default empty. */
  readonly data?: string;
  readonly uuid?: UuidSource;
}

/** Options of acquire(): without a timeout it waits until the lock is free, aborted or lost. */
export type AcquireOptions = WaitOptions;

/** A second acquire() on a Lock object that holds or is acquiring the lock (it is not reentrant). */
export class LockBusyError extends RecipeError {
  override name = 'LockBusyError';

  constructor(lockPath: string) {
    super('busy', `lock ${lockPath} is already held or being acquired by this Lock`);
  }
}

/** One acquire attempt: its session and node, so an abandoned one can be cleaned up. */
interface Attempt {
  client: ZkClient | undefined;
  creating: Promise<string> | undefined;
  nodePath: string | undefined;
}

type LockEvents = { acquired: []; released: []; lost: [] };

/** A distributed mutex on one lock path. */
export class Lock {
  readonly #managed: ManagedClient;
  readonly #lockPath: string;
  readonly #data: string;
  readonly #uuid: UuidSource;
  readonly #log: Logger;
  readonly #events: Emitter<LockEvents>;
  #unsubscribe: (() => void) | undefined;
  /** The attempt that holds the lock. */
  #held: Attempt | undefined;
  /** The attempt in progress, if any. */
  #current: Attempt | undefined;
  #isHeld = false;
  #isClosed = false;
  /** Aborts a pending acquire on close or session loss. */
  #pending: AbortController | undefined;

  constructor(managed: ManagedClient, lockPath: string, options: LockOptions = {}) {
    this.#managed = managed;
    this.#lockPath = lockPath;
    this.#data = options.data ?? '';
    this.#uuid = options.uuid ?? randomUuid;
    this.#log = managed.log.child({ recipe: 'lock', lockPath });
    this.#events = new Emitter(this.#log);
  }

  /** Whether this Lock holds the lock (false as soon as its session is lost). */
  get isHeld(): boolean {
    return this.#isHeld;
  }

  /** This contender's node while acquiring or holding. */
  get nodePath(): string | undefined {
    return (this.#held ?? this.#current)?.nodePath;
  }

  /** Subscribes to `acquired`, `released` or `lost`; returns the unsubscribe function. */
  on<K extends keyof LockEvents>(event: K, listener: () => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts following connection events (idempotent; acquire() calls it). */
  start(): void {
    if (this.#isClosed) throw new RecipeClosedError(`lock ${this.#lockPath}`);
    this.#unsubscribe ??= this.#managed.onConnection((event, client) => {
      if (event === 'lost' && client === (this.#held ?? this.#current)?.client) this.#onSessionLost();
    });
  }

  /** Waits for the lock; rejects with RecipeTimeoutError, RecipeAbortedError, SessionLostError or RecipeClosedError. */
  async acquire(options: AcquireOptions = {}): Promise<void> {
    this.start();
    if (this.#isHeld || this.#current !== undefined) throw new LockBusyError(this.#lockPath);
    const attempt: Attempt = { client: undefined, creating: undefined, nodePath: undefined };
    const pending = new AbortController();
    this.#current = attempt;
    this.#pending = pending;
    try {
      await waitFor<void>(`lock ${this.#lockPath}`, options, (settle) => {
        pending.signal.addEventListener('abort', () => settle(failed(pending.signal.reason)), { once: true });
        this.#contend(attempt, pending.signal).then(
          () => settle(ok(undefined)),
          (err: unknown) => settle(failed(err)),
        );
        return () => undefined;
      });
    } catch (err) {
      pending.abort(err);
      await this.#abandon(attempt);
      throw err;
    } finally {
      this.#pending = undefined;
      this.#current = undefined;
    }
    this.#held = attempt;
    this.#isHeld = true;
    this.#log.debug({ nodePath: attempt.nodePath }, 'lock acquired');
    this.#events.emit('acquired');
  }

  /** Creates this contender's node, then waits until it is the lowest. */
  async #contend(attempt: Attempt, signal: AbortSignal): Promise<void> {
    const client = await this.#managed.whenConnected({ signal });
    attempt.client = client;
    attempt.creating = createProtectedSequential(client, {
      parent: this.#lockPath,
      marker: lockMarker,
      data: this.#data,
      uuid: this.#uuid,
    });
    attempt.nodePath = await attempt.creating;
    const own = nameOf(attempt.nodePath);
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      const children = await this.#retrying(client, () => client.getChildren(this.#lockPath));
      const standing = standingOf(sortBySequence(children, lockMarker), own);
      if (standing.kind === 'first') return;
      if (standing.kind === 'missing') throw new SessionLostError(`acquiring lock ${this.#lockPath}`);
      await this.#awaitDeletion(client, childPath(this.#lockPath, standing.predecessor), aborted);
    }
  }

  /** Resolves when `path` is gone (at once if it already is); only this one node is watched. */
  async #awaitDeletion(client: ZkClient, path: string, aborted: Promise<void>): Promise<void> {
    let onEvent: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => {
      onEvent = resolve;
    });
    const listener = (): void => onEvent();
    const stat = await this.#retrying(client, () => client.exists(path, { watch: listener }));
    if (stat === null) return;
    // Any event on the predecessor (deleted, or data changed) leads to a fresh look at the children.
    await Promise.race([changed, aborted]);
  }

  /** Runs a read on the contender's session, retrying after connection errors. */
  async #retrying<T>(client: ZkClient, read: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        await untilClientConnected(client);
      }
    }
  }

  /** Deletes the node of an abandoned or released attempt, waiting for a create still in flight. */
  async #abandon(attempt: Attempt): Promise<void> {
    const { client, creating } = attempt;
    if (client === undefined || creating === undefined) return;
    let path: string;
    try {
      path = await creating;
    } catch (err) {
      this.#log.debug({ err }, 'abandoned attempt created no node');
      return;
    }
    await deleteOwned(client, path, this.#log);
  }

  /** Releases the lock by deleting this contender's node; rejects with LockNotHeldError if not held. */
  async release(): Promise<void> {
    const attempt = this.#held;
    if (!this.#isHeld || attempt === undefined) throw new LockNotHeldError(this.#lockPath);
    this.#isHeld = false;
    this.#held = undefined;
    await this.#abandon(attempt);
    this.#log.debug('lock released');
    this.#events.emit('released');
  }

  /** The contenders' node names in lock order (the holder first). */
  async participantNodes(): Promise<string[]> {
    const client = await this.#managed.whenConnected();
    return sortBySequence(await client.getChildren(this.#lockPath), lockMarker);
  }

  /** Cancels a pending acquire, releases a held lock, and stops following the connection. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#pending?.abort(new RecipeClosedError(`lock ${this.#lockPath}`));
    if (this.#isHeld) await this.release();
    this.#unsubscribe?.();
    this.#events.clear();
  }

  #onSessionLost(): void {
    this.#pending?.abort(new SessionLostError(`acquiring lock ${this.#lockPath}`));
    if (!this.#isHeld) return;
    this.#isHeld = false;
    this.#held = undefined;
    this.#log.warn('session lost while holding the lock');
    this.#events.emit('lost');
  }
}
