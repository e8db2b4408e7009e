/**
 * ServiceCache: a live list of one service's instances, after Curator's ServiceCache. It is a
 * TreeCache one level deep over `<basePath>/<name>`, whose children are parsed as Curator
 * ServiceInstance JSON; a child that does not parse is logged and left out.
 */
import type { Logger } from '../../util/logger.js';
import { Emitter } from './emitter.js';
import { InvalidInstanceError } from './errors.js';
import type { ManagedClient, WaitOptions } from './managed-client.js';
import { nameOf } from './sequence.js';
import { type ServiceInstance, parseServiceInstance, servicePath } from './service-instance.js';
import { defaultServicesPath } from './service-registry.js';
import { type TreeCacheMode, TreeCache } from './tree-cache.js';
import { type CachedNode, depthBelow } from './tree-diff.js';

/** Options of a ServiceCache. */
export interface ServiceCacheOptions {
  /** The parent of every service's znode. Default `/services`. */
  readonly basePath?: string;
  readonly mode?: TreeCacheMode;
}

/** The events of a ServiceCache; `changed` follows every added, updated or removed. */
export type ServiceCacheEvents = {
  added: [instance: ServiceInstance];
  updated: [instance: ServiceInstance, previous: ServiceInstance];
  removed: [instance: ServiceInstance];
  changed: [];
  initialized: [];
};

/** The live instances of one service. */
export class ServiceCache {
  readonly #name: string;
  readonly #path: string;
  readonly #log: Logger;
  readonly #tree: TreeCache;
  readonly #events: Emitter<ServiceCacheEvents>;
  /** Parsed instances by znode name (the instance id). */
  readonly #instances = new Map<string, ServiceInstance>();

  constructor(managed: ManagedClient, name: string, options: ServiceCacheOptions = {}) {
    this.#name = name;
    this.#path = servicePath(options.basePath ?? defaultServicesPath, name);
    this.#log = managed.log.child({ recipe: 'serviceCache', service: name });
    this.#events = new Emitter(this.#log);
    this.#tree = new TreeCache(managed, this.#path, { mode: options.mode ?? 'auto', maxDepth: 1 });
    this.#tree.on('created', (path, node) => this.#onNode(path, node));
    this.#tree.on('changed', (path, node) => this.#onNode(path, node));
    this.#tree.on('deleted', (path) => this.#onDeleted(path));
    this.#tree.on('initialized', () => this.#events.emit('initialized'));
  }

  /** The service's name. */
  get name(): string {
    return this.#name;
  }

  /** The current instances, ordered by id. */
  instances(): ServiceInstance[] {
    return [...this.#instances.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The instance with `id`, if present. */
  get(id: string): ServiceInstance | undefined {
    return this.#instances.get(id);
  }

  /** Subscribes to `added`, `updated`, `removed`, `changed` or `initialized`; returns the unsubscribe function. */
  on<K extends keyof ServiceCacheEvents>(event: K, listener: (...args: ServiceCacheEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts following the service (idempotent); resolves once the current instances are loaded. */
  start(options: WaitOptions = {}): Promise<void> {
    return this.#tree.start(options);
  }

  /** Stops following; the list keeps its last contents. */
  async close(): Promise<void> {
    await this.#tree.close();
    this.#events.clear();
  }

  #onNode(path: string, node: CachedNode): void {
    if (depthBelow(this.#path, path) !== 1) return;
    const id = nameOf(path);
    let instance: ServiceInstance;
    try {
      instance = parseServiceInstance(path, node.data);
    } catch (err) {
      if (!(err instanceof InvalidInstanceError)) throw err;
      this.#log.warn({ err, path }, 'skipping an unreadable service instance');
      this.#onDeleted(path);
      return;
    }
    const previous = this.#instances.get(id);
    this.#instances.set(id, instance);
    if (previous === undefined) this.#events.emit('added', instance);
    else this.#events.emit('updated', instance, previous);
    this.#events.emit('changed');
  }

  #onDeleted(path: string): void {
    if (depthBelow(this.#path, path) !== 1) return;
    const id = nameOf(path);
    const previous = this.#instances.get(id);
    if (previous === undefined) return;
    this.#instances.delete(id);
    this.#events.emit('removed', previous);
    this.#events.emit('changed');
  }
}
