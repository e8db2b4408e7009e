/**
 * ServiceRegistry: registers this process's service instances, after Curator's
 * ServiceDiscovery. Each instance is an ephemeral znode `<basePath>/<name>/<id>` holding
 * Curator's JSON; after every reconnect, and on the replacement session after an expiry, every
 * instance is written again (Curator's reRegisterServices), so a registration outlives sessions.
 */
import { ErrorCode } from '../../protocol/index.js';
import { type Clock, systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import { InvalidInstanceError, RecipeClosedError, ServiceNotRegisteredError } from './errors.js';
import { type ManagedClient, hasCode } from './managed-client.js';
import { type UuidSource, ensurePath, randomUuid } from './nodes.js';
import {
  type ServiceInstance,
  type ServiceInstanceFields,
  encodeServiceInstance,
  instancePath,
  makeServiceInstance,
  parseServiceInstance,
  servicePath,
} from './service-instance.js';

/** Curator's default base path. */
export const defaultServicesPath = '/services';

/** Options of a ServiceRegistry. */
export interface ServiceRegistryOptions {
  /** The parent of every service's znode. Default `/services`. */
  readonly basePath?: string;
  /** Stamps registrationTimeUTC. Default: the system clock. */
  readonly clock?: Clock;
  /** Makes instance ids when none is given. */
  readonly uuid?: UuidSource;
}

/** Registers, updates and unregisters this process's instances, and queries everyone's. */
export class ServiceRegistry {
  readonly #managed: ManagedClient;
  readonly #basePath: string;
  readonly #clock: Clock;
  readonly #uuid: UuidSource;
  readonly #log: Logger;
  /** What this registry keeps registered, by instance path. */
  readonly #instances = new Map<string, ServiceInstance>();
  /** Writes run one at a time so a re-registration never interleaves with an update. */
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #isClosed = false;

  constructor(managed: ManagedClient, options: ServiceRegistryOptions = {}) {
    this.#managed = managed;
    this.#basePath = options.basePath ?? defaultServicesPath;
    this.#clock = options.clock ?? systemClock;
    this.#uuid = options.uuid ?? randomUuid;
    this.#log = managed.log.child({ recipe: 'serviceRegistry', basePath: this.#basePath });
  }

  /** Makes a DYNAMIC instance stamped now (a random id unless given); it is not registered yet. */
  instance(fields: ServiceInstanceFields): ServiceInstance {
    return makeServiceInstance(fields, { wallMs: this.#clock.wallMs(), id: this.#uuid() });
  }

  /** Starts re-registering after reconnects (idempotent) and waits for a connection. */
  async start(): Promise<void> {
    if (this.#isClosed) throw new RecipeClosedError('service registry');
    this.#unsubscribe ??= this.#managed.onConnection((event) => {
      if (event === 'reconnected') this.#reRegisterAll();
    });
    await this.#managed.whenConnected();
  }

  /** The instances this registry keeps registered. */
  registered(): ServiceInstance[] {
    return [...this.#instances.values()];
  }

  /** Registers `instance` (replacing a stale node of the same id) and keeps it registered. */
  async register(instance: ServiceInstance): Promise<void> {
    if (this.#isClosed) throw new RecipeClosedError('service registry');
    const path = instancePath(this.#basePath, instance.name, instance.id);
    this.#instances.set(path, instance);
    await this.#serial(() => this.#managed.run((client) => this.#write(client, path, instance), { acrossSessions: true }));
  }

  /** Replaces the data of an instance registered here. */
  async update(instance: ServiceInstance): Promise<void> {
    const path = instancePath(this.#basePath, instance.name, instance.id);
    if (!this.#instances.has(path)) throw new ServiceNotRegisteredError(instance.name, instance.id);
    await this.register(instance);
  }

  /** Removes an instance; unregistering one that is not there is fine. */
  async unregister(instance: Pick<ServiceInstance, 'name' | 'id'>): Promise<void> {
    const path = instancePath(this.#basePath, instance.name, instance.id);
    this.#instances.delete(path);
    await this.#serial(() =>
      this.#managed.run(async (client) => {
        try {
          await client.delete(path);
        } catch (err) {
          if (!hasCode(err, ErrorCode.NoNode)) throw err;
        }
      }),
    );
  }

  /** The names of every registered service. */
  async queryForNames(): Promise<string[]> {
    return this.#managed.run(async (client) => {
      try {
        return (await client.getChildren(this.#basePath)).sort();
      } catch (err) {
        if (hasCode(err, ErrorCode.NoNode)) return [];
        throw err;
      }
    });
  }

  /** Every readable instance of service `name` (unreadable ones are logged and skipped), by id. */
  async queryForInstances(name: string): Promise<ServiceInstance[]> {
    return this.#managed.run(async (client) => {
      let ids: string[];
      try {
        ids = (await client.getChildren(servicePath(this.#basePath, name))).sort();
      } catch (err) {
        if (hasCode(err, ErrorCode.NoNode)) return [];
        throw err;
      }
      const found = await Promise.all(ids.map((id) => this.#read(client, name, id)));
      return found.filter((i): i is ServiceInstance => i !== undefined);
    });
  }

  /** One instance of service `name`, or undefined when it is not registered or unreadable. */
  async queryForInstance(name: string, id: string): Promise<ServiceInstance | undefined> {
    return this.#managed.run((client) => this.#read(client, name, id));
  }

  /** Unregisters every instance registered here (best effort) and stops re-registering. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#unsubscribe?.();
    for (const instance of this.registered()) {
      try {
        await this.unregister(instance);
      } catch (err) {
        // The node is ephemeral: if it cannot be deleted now, it goes with the session.
        this.#log.warn({ err, id: instance.id }, 'could not unregister on close');
      }
    }
  }

  async #read(client: ZkClient, name: string, id: string): Promise<ServiceInstance | undefined> {
    const path = instancePath(this.#basePath, name, id);
    try {
      return parseServiceInstance(path, (await client.getData(path)).data);
    } catch (err) {
      if (hasCode(err, ErrorCode.NoNode)) return undefined;
      if (err instanceof InvalidInstanceError) {
        this.#log.warn({ err, path }, 'skipping an unreadable service instance');
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Makes `path` hold `instance` as this session's ephemeral: create it; if it exists and is
   * ours, set the data (unless equal); if it belongs to another session, delete and create.
   */
  async #write(client: ZkClient, path: string, instance: ServiceInstance): Promise<void> {
    const data = encodeServiceInstance(instance);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await client.create(path, data, { mode: 'ephemeral' });
        return;
      } catch (err) {
        if (hasCode(err, ErrorCode.NoNode)) {
          await ensurePath(client, servicePath(this.#basePath, instance.name));
          continue;
        }
        if (!hasCode(err, ErrorCode.NodeExists)) throw err;
      }
      if (await this.#updateOwn(client, path, data)) return;
    }
    await client.create(path, data, { mode: 'ephemeral' });
  }

  /** Sets the data of `path` if this session owns it; else deletes it. Returns whether it was ours. */
  async #updateOwn(client: ZkClient, path: string, data: Uint8Array): Promise<boolean> {
    try {
      const current = await client.getData(path);
      if (current.stat.ephemeralOwner === client.sessionId) {
        if (!sameBytes(current.data, data)) await client.setData(path, data, current.stat.version);
        return true;
      }
      await client.delete(path, current.stat.version);
    } catch (err) {
      // Someone changed or removed it meanwhile: the next attempt looks again.
      if (!hasCode(err, ErrorCode.NoNode, ErrorCode.BadVersion)) throw err;
    }
    return false;
  }

  #reRegisterAll(): void {
    for (const path of this.#instances.keys()) {
      // Look the instance up when the turn comes: it may have been updated or unregistered since.
      const task = async (): Promise<void> => {
        const instance = this.#instances.get(path);
        if (instance === undefined) return;
        await this.#managed.run((client) => this.#write(client, path, instance), { acrossSessions: true });
      };
      this.#serial(task).catch((err: unknown) => this.#log.error({ err, path }, 're-registration failed'));
    }
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.length !== b.length) return false;
  return a.every((byte, i) => byte === b[i]);
}
