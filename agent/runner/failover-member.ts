import type { ManagedClient } from '../../client/index.js';
import type { Logger } from '../../util/index.js';
import { CheckRunner, type CheckStatus, checkSpecFromConfig } from '../checks/index.js';
import {
  commandApp,
  commandFencer,
  type FailoverApp,
  FailoverController,
  type FailoverState,
  type HealthView,
} from '../failover/index.js';
import { type FailoverConfig, transitionTimeoutWarning } from '../failover/failover-config.js';
import { signalApp } from '../failover/signal-app.js';
import type { Scheduler } from '../render/index.js';
import type { AppRunner } from './app-runner.js';

/** This member's failover state, for `corral agent status`. */
export interface FailoverMemberStatus extends FailoverState {
  readonly group: string;
  readonly member: string;
  readonly healthy: boolean;
  readonly checks: readonly CheckStatus[];
}

/** Inputs of a {@link FailoverMember}. */
export interface FailoverMemberOptions {
  readonly config: FailoverConfig;
  readonly managed: ManagedClient;
  /** The supervised app, when the config has an exec section. */
  readonly app: AppRunner | null;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly onChange: (state: FailoverMemberStatus) => void;
  /** The configured session timeout, checked against transitionTimeoutMs at once (the one the server grants is checked on connect). */
  readonly sessionTimeoutMs?: number;
}

/**
 * The `failover` section at work: the health checks (rise/fall) feed a FailoverController whose
 * app moves by commands (`{{token}}` replaced) or by signals to the supervised app, and whose
 * fencing runs the configured commands in order; `{ stopApp: true }` lets a member that cannot
 * move its own app to standby stop it instead.
 */
export class FailoverMember {
  readonly #o: FailoverMemberOptions;
  readonly #checks: CheckRunner;
  readonly #controller: FailoverController;
  #checkedTimeoutMs = 0;
  #offConnection: (() => void) | null = null;

  /** Builds the checks and the controller; nothing runs until `start()`. */
  constructor(options: FailoverMemberOptions) {
    this.#o = options;
    const { config, logger } = options;
    this.#checks = new CheckRunner({
      checks: config.checks.map(checkSpecFromConfig),
      // A member joins the election only after its app has passed `rise` checks.
      initialHealthy: false,
      rise: config.rise,
      fall: config.fall,
      scheduler: options.scheduler,
      logger,
    });
    const health: HealthView = {
      isHealthy: () => this.#checks.isHealthy,
      onChange: (listener) =>
        this.#checks.on((event) => {
          if (event.type === 'healthChanged') listener(event.healthy);
        }),
    };
    const fencers = config.fencing.flatMap((m) => ('command' in m ? [commandFencer(m.command, m.timeoutMs, logger)] : []));
    if (fencers.length === 0) logger.warn({ group: config.group }, 'no fencing command: a crashed active can only be replaced after a clean hand-over');
    this.#controller = new FailoverController({
      managed: options.managed,
      group: config.group,
      root: config.root,
      member: { id: config.id, address: config.address },
      app: this.#app(),
      health,
      fencers,
      preferred: config.preferred,
      failback: config.failback,
      retryMs: config.retryMs,
      log: logger,
    });
    this.#controller.onChange(() => options.onChange(this.status()));
    if (options.sessionTimeoutMs !== undefined) this.#checkTransitionTimeout(options.sessionTimeoutMs);
  }

  /** Starts the checks and joins the election. */
  start(): void {
    // The server may grant less than asked for (tickTime bounds): check what it granted too.
    const { managed } = this.#o;
    if (managed.isConnected) this.#checkTransitionTimeout(managed.client.negotiatedTimeoutMs);
    this.#offConnection = managed.onConnection((event, client) => {
      if (event === 'connected' || event === 'reconnected') this.#checkTransitionTimeout(client.negotiatedTimeoutMs);
    });
    this.#checks.start();
    this.#controller.start();
  }

  /** This member's role, reason and health. */
  status(): FailoverMemberStatus {
    return {
      ...this.#controller.state,
      group: this.#o.config.group,
      member: this.#o.config.id,
      healthy: this.#checks.isHealthy,
      checks: this.#checks.statuses(),
    };
  }

  /** Leaves the election cleanly (standby first, then the lock goes without a breadcrumb). */
  async close(): Promise<void> {
    this.#offConnection?.();
    this.#checks.close();
    await this.#controller.close();
  }

  /** Warns once per distinct session timeout when a transition could outlast the session. */
  #checkTransitionTimeout(sessionTimeoutMs: number): void {
    if (sessionTimeoutMs <= 0 || sessionTimeoutMs === this.#checkedTimeoutMs) return;
    this.#checkedTimeoutMs = sessionTimeoutMs;
    const warning = transitionTimeoutWarning(this.#o.config, sessionTimeoutMs);
    if (warning !== null) this.#o.logger.warn({ group: this.#o.config.group, sessionTimeoutMs }, warning);
  }

  #app(): FailoverApp {
    const { config, app, logger } = this.#o;
    const canStop = app !== null && config.fencing.some((m) => 'stopApp' in m);
    const stop = async (): Promise<void> => {
      logger.error({ group: config.group }, 'stopping the app: it did not go standby');
      await app?.supervisor.stop();
    };
    if (config.signals !== undefined && app !== null) {
      const child = { signal: (s: NodeJS.Signals) => app.supervisor.signal(s), stop, get isRunning() { return app.isRunning; } };
      return signalApp(child, config.signals, canStop);
    }
    const commands = { toActive: config.toActive ?? '', toStandby: config.toStandby ?? '', timeoutMs: config.transitionTimeoutMs };
    return commandApp(commands, logger, canStop ? stop : undefined);
  }
}
