import type { ConnectionEvent, ManagedClient, WatchedEvent, WatchListener, ZkClient } from '../../client/index.js';
import { ErrorCode, EventType, ZkError } from '../../protocol/index.js';
import type { Logger } from '../../util/index.js';
import type { KeyValue } from '../render/index.js';

/** Reads issued at once while (re)reading keys: a bound on the client's request queue. */
export const keyReadsInFlight = 500;

/** Inputs of a {@link KeyWatcher}. */
export interface KeyWatcherOptions {
  readonly managed: ManagedClient;
  readonly logger: Logger;
  /** Called with the paths whose value changed (or loaded first), once per batch of reads. */
  readonly onChange: (paths: readonly string[]) => void;
  /** Called after every full re-read that followed a (re)connection. */
  readonly onResynced: () => void;
}

const utf8 = new TextDecoder();

/**
 * Watches single znodes for the templates' `key` reads, all sharing one watch listener per client:
 * a key costs one map entry and one server watch (a data watch, or an exist watch while it is
 * missing), re-armed by the read that every event triggers. After each reconnect every key is
 * read again (setWatches2 restores the watches, but a re-read is what proves the values), and
 * after a session expiry the reads go to the new client, which registers the watches anew.
 * Events that arrive together are read together and reported in one call, so the keys one
 * transaction changed reach the templates as one burst.
 */
export class KeyWatcher {
  readonly #o: KeyWatcherOptions;
  readonly #log: Logger;
  /** Every watched path and its value; undefined until the first read. */
  readonly #values = new Map<string, KeyValue | undefined>();
  /** Paths to read in the next batch. */
  #dirty = new Set<string>();
  #client: ZkClient | null = null;
  #listener: WatchListener | null = null;
  #isFlushScheduled = false;
  #flushing: Promise<void> = Promise.resolve();
  #isResyncing = true;
  #isClosed = false;
  readonly #unsubscribe: () => void;

  /** Subscribes to the connection; keys are read once they are added and the client is connected. */
  constructor(options: KeyWatcherOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'agent.keys' });
    this.#unsubscribe = options.managed.onConnection((event, client) => this.#onConnection(event, client));
    if (options.managed.isConnected) this.#adopt(options.managed.client);
  }

  /** How many keys are watched. */
  get size(): number {
    return this.#values.size;
  }

  /** False from a (re)connection until every key has been read again on it. */
  get isCurrent(): boolean {
    return !this.#isResyncing && this.#o.managed.isConnected;
  }

  /** The key's value, or undefined while it has not been read yet. */
  get(path: string): KeyValue | undefined {
    return this.#values.get(path);
  }

  /** Whether `path` is watched. */
  has(path: string): boolean {
    return this.#values.has(path);
  }

  /** The watched paths. */
  paths(): IterableIterator<string> {
    return this.#values.keys();
  }

  /** Starts watching `path` (idempotent) and reads it soon. */
  add(path: string): void {
    if (this.#isClosed || this.#values.has(path)) return;
    this.#values.set(path, undefined);
    this.#markDirty(path);
  }

  /**
   * Stops reporting `path`. Its one-shot server watch is left to fire once and be ignored: a
   * removeWatches could race a later add of the same key and take away the watch that add set.
   */
  remove(path: string): void {
    this.#values.delete(path);
    this.#dirty.delete(path);
  }

  /** Stops watching; waits for a batch of reads in progress. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#unsubscribe();
    this.#values.clear();
    this.#dirty.clear();
    await this.#flushing;
  }

  #onConnection(event: ConnectionEvent, client: ZkClient): void {
    if (event === 'suspended' || event === 'lost') {
      this.#isResyncing = true;
      return;
    }
    this.#adopt(client);
  }

  /** Takes `client` (a new one after an expiry) and schedules a re-read of every key on it. */
  #adopt(client: ZkClient): void {
    if (client !== this.#client) {
      this.#client = client;
      // One listener per client, shared by every key: no closure per key, and events of an
      // expired client's listener are recognized and dropped.
      this.#listener = (event) => this.#onEvent(client, event);
    }
    this.#isResyncing = true;
    for (const path of this.#values.keys()) this.#dirty.add(path);
    this.#scheduleFlush();
  }

  #onEvent(client: ZkClient, event: WatchedEvent): void {
    if (client !== this.#client || !this.#values.has(event.path)) return;
    if (event.type !== EventType.NodeCreated && event.type !== EventType.NodeDataChanged && event.type !== EventType.NodeDeleted) return;
    this.#markDirty(event.path);
  }

  #markDirty(path: string): void {
    this.#dirty.add(path);
    this.#scheduleFlush();
  }

  /** Reads the dirty keys on the next macrotask, so the events of one socket read form one batch. */
  #scheduleFlush(): void {
    if (this.#isFlushScheduled || this.#isClosed) return;
    this.#isFlushScheduled = true;
    setImmediate(() => {
      this.#isFlushScheduled = false;
      this.#flushing = this.#flushing.then(() => this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const client = this.#client;
    const listener = this.#listener;
    if (this.#isClosed || client === null || listener === null || client.state !== 'connected' || this.#dirty.size === 0) {
      this.#finishResyncIfClean(client);
      return;
    }
    const batch = [...this.#dirty];
    this.#dirty = new Set();
    const changed: string[] = [];
    let interrupted = false;
    for (let i = 0; i < batch.length; i += keyReadsInFlight) {
      const slice = batch.slice(i, i + keyReadsInFlight);
      const reads = await Promise.all(slice.map((path) => readKey(client, path, listener)));
      reads.forEach((read, j) => {
        const path = slice[j];
        if (path === undefined || !this.#values.has(path)) return;
        if (read.kind === 'error') {
          // The reconnect (or the next client) reads it again; other errors need a human.
          if (!read.isConnectionError) this.#log.error({ err: read.error, path }, 'cannot read key');
          interrupted ||= read.isConnectionError;
          this.#dirty.add(path);
          return;
        }
        if (!sameValue(this.#values.get(path), read.value)) changed.push(path);
        this.#values.set(path, read.value);
      });
    }
    if (changed.length > 0) this.#o.onChange(changed);
    if (!interrupted) this.#finishResyncIfClean(client);
    // Keys added while reading are read in the next batch; a connection error waits for the reconnect.
    if (!interrupted && this.#dirty.size > 0) this.#scheduleFlush();
  }

  #finishResyncIfClean(client: ZkClient | null): void {
    if (!this.#isResyncing || client === null || client !== this.#client || client.state !== 'connected') return;
    this.#isResyncing = false;
    this.#log.debug({ keys: this.#values.size }, 'keys read again after connecting');
    this.#o.onResynced();
  }
}

/** One key read: its value, or the error that stopped the read. */
type KeyRead =
  | { readonly kind: 'value'; readonly value: KeyValue }
  | { readonly kind: 'error'; readonly error: unknown; readonly isConnectionError: boolean };

/**
 * Reads `path` and leaves `listener` on it: a data watch when it exists, an exist watch when it
 * does not (ExistsWatchRegistration). A node created between the two reads is read once more;
 * one deleted again after that fires the data watch the exists call left, so nothing is missed.
 */
async function readKey(client: ZkClient, path: string, listener: WatchListener): Promise<KeyRead> {
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const value = await getValue(client, path, listener);
      if (value !== undefined) return { kind: 'value', value };
      if ((await client.exists(path, { watch: listener })) === null) return { kind: 'value', value: { found: false, data: '' } };
    }
    return { kind: 'value', value: { found: false, data: '' } };
  } catch (err) {
    const code = err instanceof ZkError ? err.code : null;
    const isConnectionError = code === ErrorCode.ConnectionLoss || code === ErrorCode.OperationTimeout || code === ErrorCode.SessionExpired;
    return { kind: 'error', error: err, isConnectionError };
  }
}

/** The key's value, or undefined when it does not exist. */
async function getValue(client: ZkClient, path: string, listener: WatchListener): Promise<KeyValue | undefined> {
  try {
    const { data } = await client.getData(path, { watch: listener });
    return { found: true, data: data === null ? '' : utf8.decode(data) };
  } catch (err) {
    if (err instanceof ZkError && err.code === ErrorCode.NoNode) return undefined;
    throw err;
  }
}

function sameValue(a: KeyValue | undefined, b: KeyValue): boolean {
  return a !== undefined && a.found === b.found && a.data === b.data;
}
