/** A znode's value as the data source has fetched it: `found` false means it does not exist. */
export interface KeyValue {
  /** Whether the znode exists. */
  readonly found: boolean;
  /** Its data as UTF-8 text ('' when not found). */
  readonly data: string;
}

/** One znode under a prefix: `key` is its path relative to the prefix (e.g. `db/host`). */
export interface TreeEntry {
  /** Path relative to the prefix, without a leading slash. */
  readonly key: string;
  /** The znode's data as UTF-8 text. */
  readonly value: string;
}

/** A healthy instance of a service, after Curator's ServiceInstance JSON. */
export interface ServiceInstance {
  /** The instance id (the znode name under the service). */
  readonly id: string;
  /** The service name. */
  readonly name: string;
  /** Host name or IP address. */
  readonly address: string;
  /** Port, or null when the instance registered none. */
  readonly port: number | null;
  /** Free-form payload (tags, metadata) or null. */
  readonly payload: unknown;
}

/**
 * A snapshot of what the agent has fetched. Each method returns `undefined` while the value is
 * not loaded yet, so a render can report the dependency as missing instead of guessing.
 */
export interface DataSource {
  /** The znode at `path`, or undefined if not fetched yet. */
  getKey(path: string): KeyValue | undefined;
  /** Every znode below `prefix` (recursively), or undefined if not fetched yet. */
  getTree(prefix: string): readonly TreeEntry[] | undefined;
  /** The healthy instances of service `name`, or undefined if not fetched yet. */
  getService(name: string): readonly ServiceInstance[] | undefined;
}

/** Something a template read, which the runner must fetch and watch. */
export type Dependency =
  | { readonly kind: 'key'; readonly path: string }
  | { readonly kind: 'tree'; readonly prefix: string }
  | { readonly kind: 'service'; readonly name: string };

/** A stable string for a dependency, for sets and maps (`key:/a`, `tree:/a`, `service:web`). */
export function dependencyId(dep: Dependency): string {
  switch (dep.kind) {
    case 'key':
      return `key:${dep.path}`;
    case 'tree':
      return `tree:${dep.prefix}`;
    case 'service':
      return `service:${dep.name}`;
  }
}

/** Contents of a {@link StaticDataSource}: absent entries are not loaded, `null` keys are not found. */
export interface StaticData {
  readonly keys?: Readonly<Record<string, string | null>>;
  readonly trees?: Readonly<Record<string, readonly TreeEntry[]>>;
  readonly services?: Readonly<Record<string, readonly ServiceInstance[]>>;
}

/** A DataSource over fixed maps; a snapshot the runner can build, and handy in tests. */
export class StaticDataSource implements DataSource {
  readonly #data: StaticData;

  /** Takes the snapshot's contents; see {@link StaticData}. */
  constructor(data: StaticData) {
    this.#data = data;
  }

  getKey(path: string): KeyValue | undefined {
    const keys = this.#data.keys ?? {};
    if (!Object.hasOwn(keys, path)) return undefined;
    const data = keys[path];
    return data === null || data === undefined ? { found: false, data: '' } : { found: true, data };
  }

  getTree(prefix: string): readonly TreeEntry[] | undefined {
    const trees = this.#data.trees ?? {};
    return Object.hasOwn(trees, prefix) ? trees[prefix] : undefined;
  }

  getService(name: string): readonly ServiceInstance[] | undefined {
    const services = this.#data.services ?? {};
    return Object.hasOwn(services, name) ? services[name] : undefined;
  }
}
