import type { Logger, Rng } from '../../util/index.js';
import type { ExecConfig } from '../config/index.js';
import { buildExecEnv, type Dependency, dependencyId, mapTreeToEnv, type Scheduler } from '../render/index.js';
import { Supervisor, type SupervisorState } from '../supervise/index.js';
import type { ZkDataSource } from './zk-data-source.js';

/** The supervised app, for `corral agent status`. */
export interface AppStatus {
  readonly state: SupervisorState | 'waiting for env';
  readonly pid: number | null;
  readonly starts: number;
  readonly lastExitCode: number | null;
}

/** Inputs of an {@link AppRunner}. */
export interface AppRunnerOptions {
  readonly exec: ExecConfig;
  /** The agent's own environment (cli/ passes process.env). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly source: ZkDataSource;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Called once when the app stops for good on its own (not through `stop()`), with its exit code. */
  readonly onExit: (exitCode: number) => void;
  /** Called on every start of the child. */
  readonly onStart?: () => void;
}

/**
 * The `exec` section: the app as a supervised child whose environment is the agent's plus a
 * znode subtree mapped envconsul-style. With a subtree, the app starts only once it is loaded,
 * and restarts when the mapped variables change.
 */
export class AppRunner {
  readonly #o: AppRunnerOptions;
  readonly #supervisor: Supervisor;
  readonly #treeDep: Dependency | null;
  #env: Record<string, string> | null = null;
  #starts = 0;
  #lastExitCode: number | null = null;
  #isStopping = false;
  #unsubscribe: () => void = () => undefined;

  /** Builds the supervisor; nothing runs until `start()`. */
  constructor(options: AppRunnerOptions) {
    this.#o = options;
    const { exec } = options;
    this.#treeDep = exec.env.prefix === undefined ? null : { kind: 'tree', prefix: exec.env.prefix };
    this.#supervisor = new Supervisor({
      argv: exec.command,
      reloadSignal: exec.reloadSignal,
      killSignal: exec.killSignal,
      killTimeoutMs: exec.killTimeoutMs,
      splayMs: exec.splayMs,
      restartPolicy: exec.restartPolicy,
      backoff: exec.backoff,
      rng: options.rng,
      scheduler: options.scheduler,
      logger: options.logger,
    });
    this.#supervisor.on((event) => {
      if (event.type === 'running') {
        this.#starts++;
        this.#o.onStart?.();
      }
      if (event.type === 'exited') this.#lastExitCode = event.exitCode;
      if (event.type === 'stopped' && !this.#isStopping) this.#o.onExit(event.exitCode);
    });
  }

  /** The child's signal target, for forwarded signals and failover signals. */
  get supervisor(): Supervisor {
    return this.#supervisor;
  }

  /** True while a child process runs. */
  get isRunning(): boolean {
    return this.#supervisor.pid !== undefined;
  }

  /** Starts the child now, or once the env subtree is loaded. */
  start(): void {
    const dep = this.#treeDep;
    if (dep === null) {
      this.#applyEnv({});
      return;
    }
    const id = dependencyId(dep);
    this.#unsubscribe = this.#o.source.onChange((changed) => {
      if (changed === id) this.#onTree();
    });
    this.#o.source.setDependencies('exec', [dep]);
    this.#onTree();
  }

  /** Sends the reload signal, or restarts the child when none is configured (after splay). */
  reload(): void {
    this.#supervisor.reload().catch((err: unknown) => this.#o.logger.error({ err }, 'reload failed'));
  }

  /** Stops the child (stop signal, kill timeout, SIGKILL); resolves with the exit code to pass on. */
  async stop(): Promise<number> {
    this.#isStopping = true;
    this.#unsubscribe();
    this.#o.source.release('exec');
    return this.#supervisor.stop();
  }

  /** The child's state. */
  status(): AppStatus {
    const waiting = this.#env === null && this.#supervisor.state === 'idle';
    return {
      state: waiting ? 'waiting for env' : this.#supervisor.state,
      pid: this.#supervisor.pid ?? null,
      starts: this.#starts,
      lastExitCode: this.#lastExitCode,
    };
  }

  #onTree(): void {
    const dep = this.#treeDep;
    if (dep === null || dep.kind !== 'tree') return;
    const entries = this.#o.source.getTree(dep.prefix);
    if (entries === undefined) return;
    const { upcase, sanitize, namePrefix } = this.#o.exec.env;
    this.#applyEnv(mapTreeToEnv(entries, { upcase, sanitize, namePrefix }));
  }

  #applyEnv(fromTree: Record<string, string>): void {
    const { pristine, custom } = this.#o.exec.env;
    const env = buildExecEnv({ base: this.#o.baseEnv, pristine, fromTree, custom });
    const previous = this.#env;
    if (previous !== null && sameEnv(previous, env)) return;
    this.#env = env;
    this.#supervisor.setEnv(env);
    if (this.#isStopping) return;
    if (previous === null) {
      this.#supervisor.start();
      return;
    }
    this.#o.logger.info({ splayMs: this.#o.exec.splayMs }, 'app environment changed; restarting the app');
    // After the splay, like a reload: a fleet sharing the subtree must not restart all at once.
    this.#supervisor.restart({ splay: true }).catch((err: unknown) => this.#o.logger.error({ err }, 'restart failed'));
  }
}

function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
