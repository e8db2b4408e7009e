/**
 * The agent's runner: one ManagedClient shared by service registration (checks with rise/fall,
 * maintenance), template rendering (caches of exactly the recorded dependencies, wait batching,
 * atomic writes, commands or app reloads), the supervised app (envconsul-style env) and the
 * failover member; a local status endpoint; and live config reloads validated whole.
 */
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type ManagedClient as ManagedClientType, ManagedClient, ServiceRegistry, ZkClient } from '../client/index.js';
import { hex, type Logger, randomRng, type Rng } from '../util/index.js';
import type { AgentConfigOverrides } from './config/index.js';
import { ServiceRegistration, type RegistrationStatus } from './registry/index.js';
import { type Scheduler, systemScheduler } from './render/index.js';
import { AppRunner, type AppStatus } from './runner/app-runner.js';
import { ConfigWatcher } from './runner/config-watcher.js';
import { FailoverMember, type FailoverMemberStatus } from './runner/failover-member.js';
import { HeapCompactor } from './runner/heap-compactor.js';
import { type PreparedConfig, prepareConfig } from './runner/prepared-config.js';
import { TemplateRunner, type TemplateStatus } from './runner/template-runner.js';
import { ZkDataSource } from './runner/zk-data-source.js';
import {
  AgentMetrics,
  type CheckReportResult,
  type MaintenanceResult,
  removeStatusAddress,
  StatusServer,
  statusAddressPath,
  writeStatusAddress,
} from './status/index.js';

/** Inputs of an {@link Agent}. */
export interface AgentOptions {
  /** The agent YAML file. */
  readonly configFile: string;
  /** Values from cli/ (flags, env, `.env`) that win over the file's, e.g. `{ server }`. */
  readonly overrides?: AgentConfigOverrides;
  readonly logger: Logger;
  /** The agent's environment (cli/ passes process.env): the `env` helper and the app's base env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Dry run: print renders here; write no file, register nothing, run nothing. */
  readonly dryRunOutput?: Writable;
  readonly scheduler?: Scheduler;
  readonly rng?: Rng;
}

/** Everything `GET /status` and `corral agent status` show. */
export interface AgentStatus {
  readonly agent: {
    readonly configFile: string;
    readonly server: string;
    readonly connected: boolean;
    readonly sessionId: string;
    readonly lastConfigError: string | null;
    readonly status: { readonly host: string; readonly port: number } | null;
  };
  readonly services: readonly RegistrationStatus[];
  readonly templates: readonly TemplateStatus[];
  readonly app: AppStatus | null;
  readonly failover: FailoverMemberStatus | null;
}

/** The per-host agent; `start()` runs it until `stop()`, `renderOnce()` renders once. */
export class Agent {
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  readonly #metrics = new AgentMetrics();
  #prepared: PreparedConfig;
  readonly #managed: ManagedClientType;
  readonly #source: ZkDataSource;
  readonly #registry: ServiceRegistry;
  readonly #services = new Map<string, ServiceRegistration>();
  #templates: TemplateRunner[] = [];
  #templateGeneration = 0;
  #app: AppRunner | null = null;
  #failover: FailoverMember | null = null;
  #statusServer: StatusServer | null = null;
  #statusAddressFile: string | null = null;
  #configWatcher: ConfigWatcher | null = null;
  #lastConfigError: string | null = null;
  #reloading: Promise<void> = Promise.resolve();
  #exit: ((code: number) => void) | null = null;
  readonly #done: Promise<number>;
  #isStopping = false;
  /** Compacts the heap once the agent goes quiet after loading (null with --once and --dry-run). */
  #compactor: HeapCompactor | null = null;

  /** Validates the config (throws ConfigError) and builds, but does not start, the agent. */
  static async create(options: AgentOptions): Promise<Agent> {
    const prepared = await prepareConfig({ file: options.configFile, env: options.env, ...overridesOf(options) });
    return new Agent(options, prepared);
  }

  private constructor(options: AgentOptions, prepared: PreparedConfig) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'agent' });
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#prepared = prepared;
    const { server, sessionTimeoutMs } = prepared.config;
    this.#managed = new ManagedClient(() => new ZkClient(server, { sessionTimeoutMs, log: options.logger }), { log: options.logger });
    this.#source = new ZkDataSource(this.#managed, options.logger);
    this.#registry = new ServiceRegistry(this.#managed);
    this.#done = new Promise((resolve) => {
      this.#exit = resolve;
    });
    this.#managed.onConnection((event, client) => this.#onConnection(event, client));
    // A reader that went away (EPIPE) must not crash the agent with an unhandled 'error' event.
    options.dryRunOutput?.on('error', (err: Error) => this.#log.warn({ err: { message: err.message } }, 'dry-run output failed'));
    // Renders skipped while disconnected (or while the keys were being read again) happen now.
    this.#source.onResynced(() => {
      for (const t of this.#templates) t.trigger();
    });
  }

  /** Resolves with the exit code once the supervised app stops for good on its own. */
  get done(): Promise<number> {
    return this.#done;
  }

  /** The status endpoint's address once started, or null. */
  get statusAddress(): { readonly host: string; readonly port: number } | null {
    return this.#statusServer?.address ?? null;
  }

  /** Starts everything: connection, status endpoint, services, templates, app, failover, config watch. */
  async start(): Promise<void> {
    const dryRun = this.#o.dryRunOutput !== undefined;
    this.#managed.start().catch((err: unknown) => this.#log.warn({ err, server: this.#prepared.config.server }, 'no connection yet; still trying'));
    if (!dryRun) await this.#startStatus();
    this.#startTemplates(this.#prepared);
    if (dryRun) return;
    this.#registry.start().catch((err: unknown) => this.#log.error({ err }, 'service registry failed'));
    for (const service of this.#prepared.config.services) this.#addService(service);
    this.#startApp(this.#prepared);
    this.#startFailover(this.#prepared);
    this.#configWatcher = new ConfigWatcher({
      paths: configPaths(this.#prepared),
      debounceMs: 200,
      onChange: () => void this.reloadConfig(),
      logger: this.#log,
    });
    await this.#configWatcher.start();
    this.#compactor = new HeapCompactor({ scheduler: this.#scheduler, logger: this.#o.logger });
    this.#compactor.noteActivity();
    this.#log.info({ services: this.#services.size, templates: this.#templates.length }, 'agent started');
  }

  /**
   * Renders every template once (waiting for its data), runs their commands unless dry-run, and
   * closes; resolves with 0 when every template rendered, 1 otherwise.
   */
  async renderOnce(connectTimeoutMs: number): Promise<number> {
    try {
      // start() makes the first connection; whenConnected alone would only wait for one.
      this.#managed.start().catch((err: unknown) => this.#log.debug({ err }, 'no connection yet'));
      await this.#managed.whenConnected({ timeoutMs: connectTimeoutMs });
      this.#startTemplates(this.#prepared);
      const results = await Promise.all(this.#templates.map((t) => t.settled()));
      return results.every((r) => r.lastError === null) ? 0 : 1;
    } finally {
      await this.#closeTemplates(this.#templates);
      await this.#source.close();
      await this.#managed.close();
    }
  }

  /** Passes a signal on to the supervised app. */
  signal(signal: NodeJS.Signals): void {
    this.#app?.supervisor.signal(signal);
  }

  /** Turns maintenance on or off for the service with this id, or every instance of this name. */
  setMaintenance(service: string, on: boolean): MaintenanceResult {
    const matches = this.#matchingServices(service);
    if (matches.length === 0) return { ok: false, error: `no service with id or name "${service}"` };
    for (const registration of matches) registration.setMaintenance(on);
    return { ok: true, services: matches.map((r) => r.service.id) };
  }

  /**
   * The app reports its TTL check `check` of the service with this id (or of every instance of
   * this name) as passing or failing; the check's rise/fall thresholds apply as to any result.
   */
  reportCheck(service: string, check: string, ok: boolean, note = ''): CheckReportResult {
    const matches = this.#matchingServices(service);
    if (matches.length === 0) return { ok: false, error: `no service with id or name "${service}"` };
    const withCheck = matches.filter((r) => r.service.checks.some((c) => c.kind === 'ttl' && c.name === check));
    if (withCheck.length === 0) return { ok: false, error: `service "${service}" has no TTL check named "${check}"` };
    for (const registration of withCheck) registration.reportTtl(check, ok, note);
    return { ok: true, services: withCheck.map((r) => r.service.id), check, status: ok ? 'pass' : 'fail' };
  }

  #matchingServices(service: string): ServiceRegistration[] {
    const byId = this.#services.get(service);
    return byId !== undefined ? [byId] : [...this.#services.values()].filter((r) => r.service.name === service);
  }

  /** Everything the status endpoint shows. */
  status(): AgentStatus {
    const client = this.#managed.client;
    return {
      agent: {
        configFile: this.#prepared.file,
        server: this.#prepared.config.server,
        connected: this.#managed.isConnected,
        sessionId: hex(client.sessionId),
        lastConfigError: this.#lastConfigError,
        status: this.statusAddress,
      },
      services: [...this.#services.values()].map((r) => r.status()),
      templates: this.#templates.map((t) => t.status()),
      app: this.#app?.status() ?? null,
      failover: this.#failover?.status() ?? null,
    };
  }

  /** Re-reads the config; applies it when valid as a whole, else keeps the running one. */
  reloadConfig(): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reload());
    return this.#reloading;
  }

  /**
   * Stops in the safe order: deregister every service, leave the failover group, stop
   * rendering, then stop the app; resolves with the app's exit code (0 without an app).
   */
  async stop(): Promise<number> {
    if (this.#isStopping) return this.#done;
    this.#isStopping = true;
    this.#compactor?.close();
    await this.#configWatcher?.close();
    await this.#reloading;
    // Bounded: without a server the ephemerals go with the session anyway, and the app must stop.
    const boundMs = this.#prepared.config.sessionTimeoutMs;
    await this.#bounded('deregistration', boundMs, Promise.all([...this.#services.values()].map((r) => r.close())));
    await this.#bounded('leaving the failover group', boundMs, this.#failover?.close() ?? Promise.resolve());
    await this.#closeTemplates(this.#templates);
    const exitCode = this.#app === null ? 0 : await this.#app.stop();
    await this.#source.close();
    await this.#managed.close();
    await this.#statusServer?.close();
    await this.#removeStatusAddress();
    this.#log.info({ exitCode }, 'agent stopped');
    this.#exit?.(exitCode);
    return exitCode;
  }

  /** Waits for `work` at most `timeoutMs`, then goes on with a warning (work keeps running). */
  async #bounded(what: string, timeoutMs: number, work: Promise<unknown>): Promise<void> {
    let timer: ReturnType<Scheduler['setTimer']> | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = this.#scheduler.setTimer(timeoutMs, () => resolve('timeout'));
    });
    const outcome = await Promise.race([work.then(() => 'done' as const), timedOut]);
    (timer as ReturnType<Scheduler['setTimer']> | null)?.cancel();
    if (outcome === 'timeout') this.#log.warn({ what, timeoutMs }, 'shutdown step timed out; going on');
  }

  async #startStatus(): Promise<void> {
    const status = this.#prepared.config.status;
    if (status === undefined) return;
    this.#statusServer = new StatusServer({
      host: status.host,
      port: status.port,
      snapshot: () => this.status(),
      metrics: this.#metrics.registry,
      setMaintenance: (service, on) => this.setMaintenance(service, on),
      reportCheck: (service, check, ok, note) => this.reportCheck(service, check, ok, note),
      logger: this.#log,
    });
    const bound = await this.#statusServer.start();
    this.#statusAddressFile = statusAddressPath(this.#prepared.file, this.#prepared.config);
    try {
      await writeStatusAddress(this.#statusAddressFile, { ...bound, pid: process.pid });
    } catch (err) {
      // The endpoint works without the file; only `corral agent status --config` needs it.
      this.#log.warn({ err, file: this.#statusAddressFile }, 'cannot write the status address file');
      this.#statusAddressFile = null;
    }
  }

  async #removeStatusAddress(): Promise<void> {
    const file = this.#statusAddressFile;
    if (file === null) return;
    this.#statusAddressFile = null;
    await removeStatusAddress(file, process.pid).catch((err: unknown) => this.#log.warn({ err, file }, 'cannot remove the status address file'));
  }

  #onConnection(event: string, client: ZkClient): void {
    this.#metrics.connected.set(event === 'connected' || event === 'reconnected' ? 1 : 0);
    this.#log.info({ event, sessionId: hex(client.sessionId) }, 'connection changed');
  }

  #addService(service: PreparedConfig['config']['services'][number], maintenance = false): void {
    const registration = new ServiceRegistration({
      service,
      registry: this.#registry,
      scheduler: this.#scheduler,
      logger: this.#o.logger,
      onChange: () => this.#serviceMetrics(registration),
    });
    this.#services.set(service.id, registration);
    registration.setMaintenance(maintenance);
    registration.start();
  }

  #serviceMetrics(registration: ServiceRegistration): void {
    const s = registration.status();
    this.#metrics.registered.set({ service: s.name, id: s.id }, s.state === 'registered' ? 1 : 0);
    for (const check of s.checks) this.#metrics.checkHealthy.set({ service: s.name, check: check.name }, check.healthy ? 1 : 0);
  }

  #startTemplates(prepared: PreparedConfig): void {
    const generation = ++this.#templateGeneration;
    this.#templates = prepared.templates.map(
      (t, i) =>
        new TemplateRunner({
          template: t.config,
          renderer: t.renderer,
          owner: `g${generation}:${i}`,
          source: this.#source,
          // Connected, and every key read again since: a render never mixes values of two views.
          isConnected: () => this.#managed.isConnected && this.#source.isCurrent,
          scheduler: this.#scheduler,
          logger: this.#o.logger,
          ...(this.#o.dryRunOutput === undefined ? {} : { dryRunOutput: this.#o.dryRunOutput }),
          onWritten: () => this.#app?.reload(),
          onRendered: (kind, seconds) => {
            this.#compactor?.noteActivity();
            this.#metrics.renders.inc({ template: t.renderer.name, outcome: kind });
            this.#metrics.renderSeconds.observe({ template: t.renderer.name }, seconds);
          },
        }),
    );
    for (const t of this.#templates) t.renderNow();
  }

  async #closeTemplates(runners: readonly TemplateRunner[]): Promise<void> {
    await Promise.all(runners.map((t) => t.close()));
  }

  #startApp(prepared: PreparedConfig): void {
    const exec = prepared.config.exec;
    if (exec === undefined) return;
    this.#app = new AppRunner({
      exec,
      baseEnv: this.#o.env,
      source: this.#source,
      scheduler: this.#scheduler,
      rng: this.#o.rng ?? randomRng(),
      logger: this.#o.logger,
      onStart: () => this.#metrics.appStarts.inc(),
      onExit: (exitCode) => {
        this.#log.info({ exitCode }, 'the app stopped; stopping the agent');
        void this.stop();
      },
    });
    const app = this.#app;
    // As consul-template's exec mode: the app starts once every template has rendered (or
    // failed) for the first time, so it never reads a missing file or races the first reload.
    void Promise.all(this.#templates.map((t) => t.settled())).then(() => {
      if (this.#app === app && !this.#isStopping) app.start();
    });
  }

  #startFailover(prepared: PreparedConfig): void {
    const config = prepared.failover;
    if (config === null) return;
    this.#failover = new FailoverMember({
      config,
      sessionTimeoutMs: prepared.config.sessionTimeoutMs,
      managed: this.#managed,
      app: this.#app,
      scheduler: this.#scheduler,
      logger: this.#o.logger,
      onChange: (state) => this.#metrics.failoverActive.set({ group: state.group, member: state.member }, state.role === 'active' ? 1 : 0),
    });
    this.#failover.start();
  }

  async #reload(): Promise<void> {
    if (this.#isStopping) return;
    let next: PreparedConfig;
    try {
      next = await prepareConfig({ file: this.#o.configFile, env: this.#o.env, ...overridesOf(this.#o) });
    } catch (err) {
      this.#lastConfigError = err instanceof Error ? err.message : String(err);
      this.#log.error({ err: { message: this.#lastConfigError } }, 'config change refused; keeping the running config');
      return;
    }
    this.#lastConfigError = null;
    const previous = this.#prepared;
    this.#prepared = next;
    warnRestartOnly(previous, next, this.#log);
    await this.#applyServices(previous, next);
    const oldTemplates = this.#templates;
    // New runners first, so the caches both generations read stay open across the swap.
    this.#startTemplates(next);
    await this.#closeTemplates(oldTemplates);
    await this.#applyAppAndFailover(previous, next);
    this.#log.info({ services: this.#services.size, templates: this.#templates.length }, 'config reloaded');
  }

  async #applyServices(previous: PreparedConfig, next: PreparedConfig): Promise<void> {
    const before = new Map(previous.config.services.map((s) => [s.id, s]));
    const after = new Map(next.config.services.map((s) => [s.id, s]));
    for (const [id, registration] of [...this.#services]) {
      const wanted = after.get(id);
      if (wanted !== undefined && same(wanted, before.get(id))) continue;
      const maintenance = registration.status().maintenance;
      this.#services.delete(id);
      await registration.close();
      if (wanted !== undefined) this.#addService(wanted, maintenance);
    }
    for (const [id, service] of after) if (!this.#services.has(id)) this.#addService(service);
  }

  async #applyAppAndFailover(previous: PreparedConfig, next: PreparedConfig): Promise<void> {
    const appChanged = !same(previous.config.exec, next.config.exec);
    const failoverChanged = appChanged || !same(previous.failover, next.failover);
    if (failoverChanged) {
      await this.#failover?.close();
      this.#failover = null;
    }
    if (appChanged) {
      await this.#app?.stop();
      this.#app = null;
      this.#startApp(next);
    }
    if (failoverChanged) this.#startFailover(next);
  }
}

function overridesOf(options: AgentOptions): { overrides?: AgentConfigOverrides } {
  return options.overrides === undefined ? {} : { overrides: options.overrides };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function configPaths(prepared: PreparedConfig): string[] {
  const file = resolve(prepared.file);
  return [file, resolve(dirname(file), prepared.config.servicesDir ?? 'services.d')];
}

function warnRestartOnly(previous: PreparedConfig, next: PreparedConfig, log: Logger): void {
  for (const key of ['server', 'sessionTimeoutMs', 'status'] as const) {
    if (!same(previous.config[key], next.config[key])) log.warn({ key }, 'this setting changes only when the agent restarts');
  }
}
