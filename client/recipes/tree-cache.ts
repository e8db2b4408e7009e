/**
 * TreeCache: a local copy of a subtree (path -> data and Stat), after Curator's CuratorCache.
 * Where the server supports it, one persistent recursive watch (addWatch mode 1) reports every
 * change below the root; otherwise (mode `perNode`, or `auto` on a server that answers
 * Unimplemented) every cached node carries a data and a child watch. Changes are applied one at a
 * time in the order the server reported them. After every reconnect the whole subtree is read
 * again and compared, because a persistent watch re-registered with setWatches2 does not replay
 * what happened while disconnected.
 */
import { ErrorCode, EventType } from '../../protocol/index.js';
import type { Logger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import type { WatchListener, WatchedEvent } from '../watch-registry.js';
import { Emitter } from './emitter.js';
import { RecipeClosedError } from './errors.js';
import {
  type ConnectionEvent,
  type ManagedClient,
  type WaitOptions,
  hasCode,
  isConnectionError,
  ok,
  waitFor,
} from './managed-client.js';
import { childPath, nameOf } from './sequence.js';
import { type CachedNode, type TreeChange, depthBelow, diffTrees, isSameVersion, subtreePaths } from './tree-diff.js';

/** How the cache learns of changes: `auto` tries the recursive watch and falls back to per-node watches. */
export type TreeCacheMode = 'auto' | 'recursive' | 'perNode';

/** Options of a TreeCache. */
export interface TreeCacheOptions {
  readonly mode?: TreeCacheMode;
  /** Levels below the root to cache (0 = the root only). Default: unlimited. */
  readonly maxDepth?: number;
}

/** Reads issued at once while walking a subtree (a bound on the client's request queue). */
export const maxReadsInFlight = 500;

/** The events of a TreeCache. */
export type TreeCacheEvents = {
  created: [path: string, node: CachedNode];
  changed: [path: string, node: CachedNode, previous: CachedNode];
  deleted: [path: string, previous: CachedNode];
  initialized: [];
};

/** A node as read: its data and Stat, and its children's names when they were asked for. */
interface ReadNode {
  readonly node: CachedNode;
  readonly children: readonly string[];
}

/** A live local copy of the subtree at one root. */
export class TreeCache {
  readonly #managed: ManagedClient;
  readonly #root: string;
  readonly #requestedMode: TreeCacheMode;
  readonly #maxDepth: number;
  readonly #log: Logger;
  readonly #events: Emitter<TreeCacheEvents>;
  readonly #nodes = new Map<string, CachedNode>();
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #started: Promise<void> | undefined;
  /** The client whose watches feed the cache, and the listener registered on it. */
  #client: ZkClient | undefined;
  #listener: WatchListener | undefined;
  #mode: 'recursive' | 'perNode' | undefined;
  #isInitialized = false;
  #isClosed = false;

  constructor(managed: ManagedClient, rootPath: string, options: TreeCacheOptions = {}) {
    this.#managed = managed;
    this.#root = rootPath;
    this.#requestedMode = options.mode ?? 'auto';
    this.#maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.#log = managed.log.child({ recipe: 'treeCache', rootPath });
    this.#events = new Emitter(this.#log);
  }

  /** The watch mode in use once started: one recursive watch, or watches on every node. */
  get mode(): 'recursive' | 'perNode' | undefined {
    return this.#mode;
  }

  /** Whether the first full reading is done. */
  get isInitialized(): boolean {
    return this.#isInitialized;
  }

  /** The cached node at `path`, if any. */
  get(path: string): CachedNode | undefined {
    return this.#nodes.get(path);
  }

  /** Every cached path. */
  paths(): string[] {
    return [...this.#nodes.keys()];
  }

  /** The names of the cached children of `path`. */
  childNames(path: string): string[] {
    return this.paths()
      .filter((p) => p !== path && depthBelow(path, p) === 1)
      .map(nameOf)
      .sort();
  }

  /** A snapshot of the whole cache. */
  entries(): Map<string, CachedNode> {
    return new Map(this.#nodes);
  }

  /** Subscribes to `created`, `changed`, `deleted` or `initialized`; returns the unsubscribe function. */
  on<K extends keyof TreeCacheEvents>(event: K, listener: (...args: TreeCacheEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts watching and reading (idempotent); resolves once the first reading is in the cache. */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.#isClosed) return Promise.reject(new RecipeClosedError(`tree cache ${this.#root}`));
    this.#started ??= this.#begin();
    return this.#started.then(() => this.#awaitInitialized(options));
  }

  async #begin(): Promise<void> {
    this.#unsubscribe = this.#managed.onConnection((event, client) => this.#onConnection(event, client));
    const client = await this.#managed.whenConnected();
    this.#enqueue(() => this.#attach(client));
  }

  #awaitInitialized(options: WaitOptions): Promise<void> {
    if (this.#isInitialized) return Promise.resolve();
    return waitFor<void>(`tree cache ${this.#root} to initialize`, options, (settle) =>
      this.#events.on('initialized', () => settle(ok(undefined))),
    );
  }

  /** Stops watching; the cache keeps its last contents but changes no more. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#unsubscribe?.();
    await this.#queue;
    await this.#detach();
    this.#events.clear();
  }

  #onConnection(event: ConnectionEvent, client: ZkClient): void {
    if (event === 'connected' || event === 'reconnected') this.#enqueue(() => this.#attach(client));
  }

  /** Installs the watches on `client` (once per client), then reads the whole subtree. */
  async #attach(client: ZkClient): Promise<void> {
    if (client !== this.#client) {
      const listener: WatchListener = (event) => this.#onWatch(client, event);
      this.#client = client;
      this.#listener = listener;
      this.#mode = await this.#installWatch(client, listener);
      this.#log.debug({ mode: this.#mode }, 'tree cache watching');
    }
    await this.#refreshSubtree(client, this.#root);
    if (!this.#isInitialized) {
      this.#isInitialized = true;
      this.#events.emit('initialized');
    }
  }

  async #installWatch(client: ZkClient, listener: WatchListener): Promise<'recursive' | 'perNode'> {
    if (this.#requestedMode === 'perNode') return 'perNode';
    try {
      await client.addWatch(this.#root, 'persistentRecursive', listener);
      return 'recursive';
    } catch (err) {
      // Servers before 3.6 do not know addWatch.
      if (this.#requestedMode === 'auto' && hasCode(err, ErrorCode.Unimplemented)) return 'perNode';
      throw err;
    }
  }

  async #detach(): Promise<void> {
    const client = this.#client;
    const listener = this.#listener;
    if (client === undefined || listener === undefined) return;
    const paths = this.#mode === 'recursive' ? [this.#root] : [this.#root, ...this.#nodes.keys()];
    for (const path of new Set(paths)) {
      try {
        await client.removeWatches(path, 'any', { listener, local: this.#mode !== 'recursive' });
      } catch (err) {
        // No watch at that path any more, or no connection: the listener ignores events after close.
        this.#log.debug({ err, path }, 'watch not removed');
      }
    }
  }

  #onWatch(client: ZkClient, event: WatchedEvent): void {
    if (client !== this.#client || this.#isClosed) return;
    const depth = depthBelow(this.#root, event.path);
    if (depth < 0 || depth > this.#maxDepth) return;
    this.#enqueue(() => this.#handle(client, event));
  }

  async #handle(client: ZkClient, event: WatchedEvent): Promise<void> {
    switch (event.type) {
      case EventType.NodeDeleted:
        this.#removeSubtree(event.path);
        if (this.#mode === 'perNode' && event.path === this.#root) await this.#refreshSubtree(client, this.#root);
        return;
      case EventType.NodeCreated:
        await this.#refreshSubtree(client, event.path);
        return;
      case EventType.NodeDataChanged:
        await this.#refreshNode(client, event.path);
        return;
      case EventType.NodeChildrenChanged:
        await this.#refreshChildren(client, event.path);
        return;
      default:
        return;
    }
  }

  /** Reads one node again; a node that is gone takes its cached subtree with it. */
  async #refreshNode(client: ZkClient, path: string): Promise<void> {
    const read = await this.#readNode(client, path, false);
    if (read === undefined) this.#removeSubtree(path);
    else this.#upsert(path, read.node);
  }

  /** Reads the children of `path` again (per-node mode): new ones are read whole, missing ones dropped. */
  async #refreshChildren(client: ZkClient, path: string): Promise<void> {
    const read = await this.#readNode(client, path, true);
    if (read === undefined) {
      this.#removeSubtree(path);
      return;
    }
    this.#upsert(path, read.node);
    const names = new Set(read.children);
    for (const cached of this.childNames(path)) if (!names.has(cached)) this.#removeSubtree(childPath(path, cached));
    for (const name of read.children) {
      const child = childPath(path, name);
      if (!this.#nodes.has(child)) await this.#refreshSubtree(client, child);
    }
  }

  /** Reads the subtree at `start` and applies the difference to the cache. */
  async #refreshSubtree(client: ZkClient, start: string): Promise<void> {
    const next = await this.#readSubtree(client, start);
    const previous = new Map<string, CachedNode>();
    for (const path of subtreePaths(this.#nodes.keys(), start)) {
      const node = this.#nodes.get(path);
      if (node !== undefined) previous.set(path, node);
    }
    for (const change of diffTrees(previous, next)) this.#apply(change);
    // Unchanged nodes still take the freshest Stat (child counts move without a data change).
    for (const [path, node] of next) this.#nodes.set(path, node);
  }

  /** Walks the subtree at `start` level by level, pipelining at most maxReadsInFlight reads. */
  async #readSubtree(client: ZkClient, start: string): Promise<Map<string, CachedNode>> {
    const out = new Map<string, CachedNode>();
    let level = [start];
    let depth = depthBelow(this.#root, start);
    while (level.length > 0) {
      const withChildren = depth < this.#maxDepth;
      const nextLevel: string[] = [];
      for (let i = 0; i < level.length; i += maxReadsInFlight) {
        const batch = level.slice(i, i + maxReadsInFlight);
        const reads = await Promise.all(batch.map((p) => this.#readNode(client, p, withChildren)));
        reads.forEach((read, j) => {
          const path = batch[j];
          if (read === undefined || path === undefined) return;
          out.set(path, read.node);
          for (const name of read.children) nextLevel.push(childPath(path, name));
        });
      }
      level = nextLevel;
      depth++;
    }
    return out;
  }

  /** One node's data and Stat (and children); in per-node mode it also leaves the watches. */
  async #readNode(client: ZkClient, path: string, withChildren: boolean): Promise<ReadNode | undefined> {
    const watch = this.#mode === 'perNode' ? this.#listener : undefined;
    const options = watch === undefined ? {} : { watch };
    try {
      const [data, children] = await Promise.all([
        client.getData(path, options),
        withChildren ? client.getChildren(path, options) : Promise.resolve([]),
      ]);
      return { node: { data: data.data, stat: data.stat }, children };
    } catch (err) {
      if (!hasCode(err, ErrorCode.NoNode)) throw err;
      // Without a recursive watch only an exists watch can tell when a missing root appears.
      if (watch !== undefined && path === this.#root && (await client.exists(path, options)) !== null) {
        return this.#readNode(client, path, withChildren);
      }
      return undefined;
    }
  }

  #upsert(path: string, node: CachedNode): void {
    const previous = this.#nodes.get(path);
    if (previous === undefined) this.#apply({ kind: 'created', path, node });
    else if (!isSameVersion(previous, node)) this.#apply({ kind: 'changed', path, node, previous });
    else this.#nodes.set(path, node);
  }

  #removeSubtree(path: string): void {
    for (const p of subtreePaths(this.#nodes.keys(), path)) {
      const previous = this.#nodes.get(p);
      if (previous !== undefined) this.#apply({ kind: 'deleted', path: p, previous });
    }
  }

  #apply(change: TreeChange): void {
    switch (change.kind) {
      case 'created':
        this.#nodes.set(change.path, change.node);
        this.#events.emit('created', change.path, change.node);
        return;
      case 'changed':
        this.#nodes.set(change.path, change.node);
        this.#events.emit('changed', change.path, change.node, change.previous);
        return;
      case 'deleted':
        this.#nodes.delete(change.path);
        this.#events.emit('deleted', change.path, change.previous);
        return;
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(() => (this.#isClosed ? undefined : task()))
      .catch((err: unknown) => this.#onTaskError(err));
  }

  #onTaskError(err: unknown): void {
    // The reconnect that follows a connection error re-reads everything.
    if (isConnectionError(err) || hasCode(err, ErrorCode.SessionExpired)) {
      this.#log.debug({ err }, 'tree cache step interrupted by the connection');
      return;
    }
    this.#log.error({ err }, 'tree cache step failed');
  }
}
