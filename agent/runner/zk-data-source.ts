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

/** A live cache of one dependency. */
type Watch =
  | { readonly kind: 'tree'; readonly cache: TreeCache }
  | { readonly kind: 'service'; readonly cache: ServiceCache; isInitialized: boolean };

const utf8 = new TextDecoder();

/**
 * A DataSource over live caches of exactly the dependencies its owners declared: a TreeCache per
 * key (depth 0) and per subtree (persistent recursive watch, or per-node watches on old servers,
 * re-read after every reconnect), and a ServiceCache per service. A value reads as undefined
 * until its cache holds a full first reading, so a render never runs on partial data.
 */
export class ZkDataSource implements DataSource {
  readonly #managed: ManagedClient;
  readonly #log: Logger;
  readonly #watches = new Map<string, Watch>();
  readonly #owners = new Map<string, Set<string>>();
  readonly #listeners = new Set<(depId: string) => void>();

  /** Takes the shared client; nothing is watched until an owner declares dependencies. */
  constructor(managed: ManagedClient, logger: Logger) {
    this.#managed = managed;
    this.#log = logger.child({ component: 'agent.data' });
  }

  /** Calls `listener` with the dependency id (see dependencyId) after each change or first load. */
  onChange(listener: (depId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** How many dependencies are watched. */
  get size(): number {
    return this.#watches.size;
  }

  /** Declares what `owner` reads now; starts new watches and stops those nobody reads any more. */
  setDependencies(owner: string, deps: readonly Dependency[]): void {
    const ids = new Set(deps.map(dependencyId));
    this.#owners.set(owner, ids);
    for (const dep of deps) this.#ensure(dep);
    this.#collect();
  }

  /** Drops everything `owner` declared. */
  release(owner: string): void {
    this.#owners.delete(owner);
    this.#collect();
  }

  getKey(path: string): KeyValue | undefined {
    const watch = this.#watches.get(dependencyId({ kind: 'key', path }));
    if (watch === undefined || watch.kind === 'service' || !watch.cache.isInitialized) return undefined;
    const node = watch.cache.get(path);
    return node === undefined ? { found: false, data: '' } : { found: true, data: node.data === null ? '' : utf8.decode(node.data) };
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
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    this.#owners.clear();
    await Promise.all(watches.map((w) => w.cache.close()));
  }

  #ensure(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.#watches.has(id)) return;
    const emit = (): void => {
      for (const listener of this.#listeners) listener(id);
    };
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
      const root = dep.kind === 'key' ? dep.path : dep.prefix;
      const cache = new TreeCache(this.#managed, root, dep.kind === 'key' ? { maxDepth: 0 } : {});
      for (const event of ['created', 'changed', 'deleted', 'initialized'] as const) cache.on(event, emit);
      watch = { kind: 'tree', cache };
    }
    this.#watches.set(id, watch);
    watch.cache.start().catch((err: unknown) => this.#log.warn({ err, dependency: id }, 'cannot watch dependency'));
  }

  #collect(): void {
    const wanted = new Set<string>();
    for (const ids of this.#owners.values()) for (const id of ids) wanted.add(id);
    for (const [id, watch] of this.#watches) {
      if (wanted.has(id)) continue;
      this.#watches.delete(id);
      watch.cache.close().catch((err: unknown) => this.#log.debug({ err, dependency: id }, 'closing a watch failed'));
    }
  }
}
