import type { ServiceInstance, ServiceRegistry } from '../../client/index.js';
import { type Logger } from '../../util/index.js';
import { type CheckStatus, CheckRunner, checkSpecFromConfig } from '../checks/index.js';
import type { ServiceConfig } from '../config/index.js';
import type { Scheduler } from '../render/index.js';

/** Where a service instance stands in discovery. */
export type RegistrationState = 'pending' | 'registered' | 'marked' | 'removed';

/** One service's registration, health and maintenance flag, for status pages and metrics. */
export interface RegistrationStatus {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly state: RegistrationState;
  readonly healthy: boolean;
  readonly maintenance: boolean;
  readonly checks: readonly CheckStatus[];
  /** The last registry failure, or null. */
  readonly lastError: string | null;
}

/** Inputs of a {@link ServiceRegistration}. */
export interface ServiceRegistrationOptions {
  readonly service: ServiceConfig;
  readonly registry: ServiceRegistry;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Called after every change of state, health or check result. */
  readonly onChange?: () => void;
}

/**
 * Keeps one service instance in discovery while its checks pass (rise/fall) and it is not in
 * maintenance; otherwise removes it or marks it `enabled: false`, as the config says. The
 * ServiceRegistry re-registers it on every new session.
 */
export class ServiceRegistration {
  readonly service: ServiceConfig;
  readonly #registry: ServiceRegistry;
  readonly #runner: CheckRunner;
  readonly #instance: ServiceInstance;
  readonly #log: Logger;
  readonly #onChange: () => void;
  #maintenance = false;
  #state: RegistrationState = 'pending';
  #lastError: string | null = null;
  #queue: Promise<void> = Promise.resolve();
  #isClosed = false;

  /** Builds the checks and the instance; nothing runs until `start()`. */
  constructor(options: ServiceRegistrationOptions) {
    const { service } = options;
    this.service = service;
    this.#registry = options.registry;
    this.#log = options.logger.child({ component: 'agent.registry', service: service.name, id: service.id });
    this.#onChange = options.onChange ?? (() => undefined);
    this.#runner = new CheckRunner({
      checks: service.checks.map(checkSpecFromConfig),
      initialHealthy: service.initial === 'healthy',
      rise: service.rise,
      fall: service.fall,
      scheduler: options.scheduler,
      logger: options.logger,
    });
    this.#instance = options.registry.instance({
      name: service.name,
      id: service.id,
      address: service.address,
      port: service.port,
      payload: { tags: [...service.tags], metadata: { ...service.metadata } },
    });
    this.#runner.on((event) => {
      if (event.type === 'healthChanged') this.#sync();
      this.#onChange();
    });
  }

  /** Starts the checks and registers the instance if it is healthy. */
  start(): void {
    this.#runner.start();
    this.#sync();
  }

  /** Takes the instance out of discovery (or puts it back) without touching the app. */
  setMaintenance(on: boolean): void {
    if (this.#maintenance === on) return;
    this.#maintenance = on;
    this.#log.info({ maintenance: on }, 'maintenance changed');
    this.#sync();
  }

  /** The app reports a TTL check. */
  reportTtl(check: string, ok: boolean, note?: string): void {
    this.#runner.reportTtl(check, ok, note);
  }

  /** The current state, health and checks. */
  status(): RegistrationStatus {
    const s = this.service;
    return {
      name: s.name,
      id: s.id,
      address: s.address,
      port: s.port,
      state: this.#state,
      healthy: this.#runner.isHealthy,
      maintenance: this.#maintenance,
      checks: this.#runner.statuses(),
      lastError: this.#lastError,
    };
  }

  /** Stops the checks and removes the instance from discovery (deregister first on shutdown). */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#runner.close();
    await this.#queue;
    await this.#apply('removed');
  }

  /** Moves discovery to what health and maintenance say, one change at a time. */
  #sync(): void {
    if (this.#isClosed) return;
    this.#queue = this.#queue.then(() => {
      if (this.#isClosed) return undefined;
      const isWanted = this.#runner.isHealthy && !this.#maintenance;
      if (isWanted) return this.#apply('registered');
      return this.#apply(this.#maintenance || this.service.onUnhealthy === 'remove' ? 'removed' : 'marked');
    });
  }

  async #apply(target: 'registered' | 'marked' | 'removed'): Promise<void> {
    if (this.#state === target) return;
    try {
      if (target === 'removed') await this.#registry.unregister(this.#instance);
      else await this.#registry.register(target === 'marked' ? { ...this.#instance, enabled: false } : this.#instance);
      this.#state = target;
      this.#lastError = null;
      this.#log.info({ state: target }, 'registration changed');
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#log.error({ err, target }, 'registration failed');
    }
    this.#onChange();
  }
}
