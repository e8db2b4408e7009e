import { type ManagedClient, ServiceCache, TreeCache } from '../../client/index.js';
import type { Logger } from '../../util/index.js';
import {
  type DataSource,
  type Dependency,
  dependencyId,
  type KeyValue,
  type ServiceInstance,
  type TreeEntry,
} from '../render/index.js';
import { KeyWatcher } from './key-watcher.js';

/** A live cache of one subtree or service dependency (single keys live in the KeyWatcher). */
type Watch =
  | { readonly kind: 'tree'; readonly cache: TreeCache }
  | { readonly kind: 'service'; readonly cache: ServiceCache; isInitialized: boolean };

const utf8 = new TextDecoder();

/**
 * How long changes may be held while more keep arriving; then they go out anyway, so a steady
 * stream of changes still renders now and then (a large multi that takes the caches longer
 * than this to read renders more than once).
 */
export const maxBarrierMs = 2_000;

/**
 * A DataSource over live caches of exactly the dependencies its owners declared: one shared
 * KeyWatcher for every single key (one read and one watch per key, re-armed on each event), a
 * TreeCache per subtree (persistent recursive watch, or per-node watches on old servers,
 * re-read after every reconnect), and a ServiceCache per service. A value reads as undefined
 * until it has been read in full, so a render never runs on partial data.
 *
 * Changes go to the listeners in bursts: a change is held until a round trip to the server,
 * sent after it, comes back with no other change applied meanwhile. The caches read what each
 * watch event names one event at a time, each read sent as soon as the previous one returned,
 * and the server sends every event of a transaction before the reply to any request sent after
 * them; so the reads of one transaction's events all return before the barrier does, and the
 * keys, subtrees and services one multi changed reach the templates as one burst (one render
 * without `wait`), however many round trips the caches needed to apply it.
 */
export class ZkDataSource implements DataSource {
  readonly #managed: ManagedClient;
  readonly #log: Logger;
  readonly #watches = new Map<string, Watch>();
  readonly #owners = new Map<string, Set<string>>();
  readonly #listeners = new Set<(depId: string) => void>();
  readonly #resyncListeners = new Set<() => void>();
  readonly #keys: KeyWatcher;
  /** Dependency ids changed since the last burst went out. */
  #pending = new Set<string>();
  /** A change arrived since the barrier in flight was sent. */
  #changedSinceBarrier = false;
  #isBarrierRunning = false;
  #isClosed = false;

  /** Takes the shared client; nothing is watched until an owner declares dependencies. */
  constructor(managed: ManagedClient, logger: Logger) {
    this.#managed = managed;
    this.#log = logger.child({ component: 'agent.data' });
    this.#keys = new KeyWatcher({
      managed,
      logger,
      onChange: (paths) => {
        for (const path of paths) this.#emit(dependencyId({ kind: 'key', path }));
      },
      onResynced: () => {
        for (const listener of [...this.#resyncListeners]) listener();
      },
    });
  }

  /**
   * Calls `listener` each time every single key has been read again after a (re)connection; the
   * renders skipped meanwhile happen then.
   */
  onResynced(listener: () => void): () => void {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  /** False from a (re)connection until every single key has been read again on it. */
  get isCurrent(): boolean {
    return this.#keys.isCurrent;
  }

  /** Calls `listener` with the dependency id (see dependencyId) after each change or first load. */
  onChange(listener: (depId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How many dependencies are watched. */
  get size(): number {
    return this.#watches.size + this.#keys.size;
  }

  /**
   * Declares what `owner` reads now; starts new watches and stops those nobody reads any more.
   * Returns the dependency ids (the set the source keeps, for the owner to share, not change).
   */
  setDependencies(owner: string, deps: readonly Dependency[]): ReadonlySet<string> {
    const ids = new Set(deps.map(dependencyId));
    const previous = this.#owners.get(owner);
    this.#owners.set(owner, ids);
    for (const dep of deps) this.#ensure(dep);
    // Most renders read what the last one read; only a dropped dependency needs the sweep, which
    // builds an id per watched key.
    if (previous !== undefined && !isSubset(previous, ids)) this.#collect();
    return ids;
  }

  /** Drops everything `owner` declared. */
  release(owner: string): void {
    this.#owners.delete(owner);
    this.#collect();
  }

  getKey(path: string): KeyValue | undefined {
    return this.#keys.get(path);
  }

  getTree(prefix: string): readonly TreeEntry[] | undefined {
    const watch = this.#watches.get(dependencyId({ kind: 'tree', prefix }));
    if (watch === undefined || watch.kind === 'service' || !watch.cache.isInitialized) return undefined;
    const cache = watch.cache;
    const base = prefix === '/' ? '/' : `${prefix}/`;
    const out: TreeEntry[] = [];
    for (const [path, node] of cache.entries()) {
      if (!path.startsWith(base)) continue;
      const hasData = node.data !== null && node.data.length > 0;
      // Folders (nodes with children and no data) are structure, not keys, as in consul's tree.
      if (!hasData && node.stat.numChildren > 0) continue;
      out.push({ key: path.slice(base.length), value: node.data === null ? '' : utf8.decode(node.data) });
    }
    return out;
  }

  getService(name: string): readonly ServiceInstance[] | undefined {
    const watch = this.#watches.get(dependencyId({ kind: 'service', name }));
    if (watch === undefined || watch.kind !== 'service' || !watch.isInitialized) return undefined;
    return watch.cache
      .instances()
      .filter((i) => i.enabled !== false)
      .map((i) => ({ id: i.id, name: i.name, address: i.address ?? '', port: i.port, payload: i.payload }));
  }

  /** Stops every watch. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#pending.clear();
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    this.#owners.clear();
    await Promise.all([this.#keys.close(), ...watches.map((w) => w.cache.close())]);
  }

  /** Notes a change; it goes out with its burst (see the class comment). */
  #emit(id: string): void {
    if (this.#isClosed) return;
    this.#pending.add(id);
    this.#changedSinceBarrier = true;
    if (this.#isBarrierRunning) return;
    this.#isBarrierRunning = true;
    void this.#runBarrier();
  }

  async #runBarrier(): Promise<void> {
    const deadline = performance.now() + maxBarrierMs;
    while (performance.now() < deadline) {
      // A macrotask first: reads the caches start in microtasks after a reply are sent by then.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#isClosed) break;
      this.#changedSinceBarrier = false;
      if (!this.#managed.isConnected) break;
      try {
        await this.#managed.client.exists('/');
      } catch (err) {
        // Disconnected: renders wait for the resync anyway, so the burst goes out as it is.
        this.#log.debug({ err }, 'change barrier interrupted');
        break;
      }
      // Again a macrotask: the continuations of replies that came with the barrier's run first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.#changedSinceBarrier) break;
    }
    this.#isBarrierRunning = false;
    const ids = this.#pending;
    this.#pending = new Set();
    if (this.#isClosed) return;
    for (const id of ids) for (const listener of this.#listeners) listener(id);
  }

  #ensure(dep: Dependency): void {
    if (dep.kind === 'key') {
      this.#keys.add(dep.path);
      return;
    }
    const id = dependencyId(dep);
    if (this.#watches.has(id)) return;
    const emit = (): void => this.#emit(id);
    let watch: Watch;
    if (dep.kind === 'service') {
      const cache = new ServiceCache(this.#managed, dep.name);
      const serviceWatch: Watch = { kind: 'service', cache, isInitialized: false };
      cache.on('changed', emit);
      cache.on('initialized', () => {
        serviceWatch.isInitialized = true;
        emit();
      });
      watch = serviceWatch;
    } else {
      const cache = new TreeCache(this.#managed, dep.prefix);
      for (const event of ['created', 'changed', 'deleted', 'initialized'] as const) cache.on(event, emit);
      watch = { kind: 'tree', cache };
    }
    this.#watches.set(id, watch);
    watch.cache.start().catch((err: unknown) => this.#log.warn({ err, dependency: id }, 'cannot watch dependency'));
  }

  #collect(): void {
    const wanted = new Set<string>();
    for (const ids of this.#owners.values()) for (const id of ids) wanted.add(id);
    for (const path of [...this.#keys.paths()]) if (!wanted.has(dependencyId({ kind: 'key', path }))) this.#keys.remove(path);
    for (const [id, watch] of this.#watches) {
      if (wanted.has(id)) continue;
      this.#watches.delete(id);
      watch.cache.close().catch((err: unknown) => this.#log.debug({ err, dependency: id }, 'closing a watch failed'));
    }
  }
}

/** Whether every element of `a` is in `b`. */
function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
