import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { deferred, type Deferred, type Logger, type Rng, silentLogger } from '../../util/index.js';
import type { Scheduler, Timer } from '../render/scheduler.js';
import { killGroup } from './run-command.js';

/** What the supervisor is doing. */
export type SupervisorState = 'idle' | 'starting' | 'running' | 'stopping' | 'backoff' | 'stopped';

/** Lifecycle events, in the order they happen. */
export type SupervisorEvent =
  | { readonly type: 'starting' }
  | { readonly type: 'running'; readonly pid: number }
  | { readonly type: 'stopping'; readonly signal: NodeJS.Signals }
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly exitCode: number }
  | { readonly type: 'backoff'; readonly delayMs: number; readonly attempt: number }
  | { readonly type: 'stopped'; readonly exitCode: number };

/** When a child that exits on its own is started again. */
export type RestartPolicy = 'on-failure' | 'always' | 'never';

/** Inputs of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** Program and arguments of the child. */
  readonly argv: readonly string[];
  /** The child's environment (default: the agent's own); replace it with `setEnv`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory. */
  readonly cwd?: string;
  /** Signal that makes the child reload; null means reload restarts it. */
  readonly reloadSignal: NodeJS.Signals | null;
  /** Signal that asks the child to stop. */
  readonly killSignal: NodeJS.Signals;
  /** How long to wait after `killSignal` before SIGKILLing the group. */
  readonly killTimeoutMs: number;
  /** A reload waits a random time in [0, splayMs] first, so a fleet does not reload at once. */
  readonly splayMs: number;
  /** Restart after the child exits on its own: always, only on a non-zero code, or never. */
  readonly restartPolicy: RestartPolicy;
  /** Crash-loop backoff: doubling from minMs up to maxMs, reset after a run of resetAfterMs. */
  readonly backoff: { readonly minMs: number; readonly maxMs: number; readonly resetAfterMs: number };
  /** Randomness for splay. */
  readonly rng: Rng;
  /** Time and timers. */
  readonly scheduler: Scheduler;
  /** Logger (component `agent.supervise` is added). */
  readonly logger?: Logger;
  /** Where the child's stdout goes (default: the agent's stdout, inherited). */
  readonly stdout?: Writable;
  /** Where the child's stderr goes (default: the agent's stderr, inherited). */
  readonly stderr?: Writable;
}

interface RunningChild {
  readonly process: ChildProcess;
  readonly startedAtMs: number;
  readonly exited: Deferred<number>;
}

/** The shell convention for a signal death: 128 + the signal's number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

/** The backoff before restart `attempt` (1-based): minMs doubled per attempt, capped at maxMs. */
export function backoffDelayMs(attempt: number, backoff: { readonly minMs: number; readonly maxMs: number }): number {
  return Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt - 1, 30));
}

/**
 * Runs the app as a child in its own process group: output passed through, signals forwarded,
 * reload by signal or restart (with splay), stop with a kill timeout and SIGKILL of the group,
 * restart with capped exponential backoff on crash loops, and the exit code passed through.
 */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<(event: SupervisorEvent) => void>();
  readonly #done = deferred<number>();
  #env: Readonly<Record<string, string | undefined>> | undefined;
  #state: SupervisorState = 'idle';
  #child: RunningChild | null = null;
  #intent: 'none' | 'restart' | 'stop' = 'none';
  #attempt = 0;
  #lastExitCode = 0;
  #timer: Timer | null = null;
  /** Splay waits in progress, each with the function that ends it early (on stop). */
  readonly #splays = new Map<Timer, () => void>();
  #isSplayingRestart = false;
  #terminating: Promise<number> | null = null;

  /** Takes the child's command and the policies; nothing runs until `start()`. */
  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#env = options.env;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'agent.supervise' });
  }

  /** The current state. */
  get state(): SupervisorState {
    return this.#state;
  }

  /** The child's pid (also its process group id) while one runs. */
  get pid(): number | undefined {
    return this.#child?.process.pid;
  }

  /** Resolves with the final exit code once the supervisor has stopped for good. */
  get done(): Promise<number> {
    return this.#done.promise;
  }

  /** Subscribes to lifecycle events; returns the unsubscribe function. */
  on(listener: (event: SupervisorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the child; does nothing if already started. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#spawn();
  }

  /** Replaces the child's environment from the next (re)start on. */
  setEnv(env: Readonly<Record<string, string | undefined>>): void {
    this.#env = env;
  }

  /** Sends `signal` to the child's process group, if a child runs. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined || this.#state === 'stopped') return;
    this.#log.debug({ pid, signal }, 'forwarding signal');
    killGroup(pid, signal);
  }

  /** After a random splay, sends the reload signal, or restarts the child if none is set. */
  async reload(): Promise<void> {
    if (this.#state !== 'running') return;
    if (!(await this.#splay())) return;
    if (this.#state !== 'running' || this.#intent !== 'none') return;
    const signal = this.#options.reloadSignal;
    if (signal === null) await this.restart();
    else this.signal(signal);
  }

  /**
   * Stops the child (stop signal, kill timeout, SIGKILL) and starts a new one with the current
   * env. With `splay` it first waits a random time in [0, splayMs], as a reload does; restarts
   * asked for meanwhile join the pending one, which starts the child with the newest env.
   */
  async restart(options: { readonly splay?: boolean } = {}): Promise<void> {
    if (this.#state !== 'running' && this.#state !== 'starting') return;
    if (options.splay === true) {
      if (this.#isSplayingRestart) return;
      this.#isSplayingRestart = true;
      const isDue = await this.#splay().finally(() => {
        this.#isSplayingRestart = false;
      });
      if (!isDue || (this.#state !== 'running' && this.#state !== 'starting') || this.#intent !== 'none') return;
    }
    this.#intent = 'restart';
    await this.#terminate();
    if (this.#intent !== 'restart') return;
    this.#intent = 'none';
    this.#spawn();
  }

  /** Stops the child and the supervisor for good; resolves with the exit code to pass on. */
  async stop(): Promise<number> {
    if (this.#state === 'stopped' || this.#state === 'idle') {
      if (this.#state === 'idle') this.#finish(0);
      return this.#done.promise;
    }
    this.#intent = 'stop';
    this.#cancelTimer();
    const exitCode = this.#child === null ? this.#lastExitCode : await this.#terminate();
    this.#finish(exitCode);
    return this.#done.promise;
  }

  /** SIGKILLs the child's group at once and stops for good; for aborts and tests. */
  async destroy(): Promise<void> {
    this.#intent = 'stop';
    this.#cancelTimer();
    const child = this.#child;
    if (child?.process.pid !== undefined) killGroup(child.process.pid, 'SIGKILL');
    const exitCode = child === null ? 137 : await child.exited.promise;
    this.#finish(exitCode);
  }

  #emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #setState(state: SupervisorState): void {
    this.#state = state;
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
    for (const [timer, end] of [...this.#splays]) {
      timer.cancel();
      end();
    }
  }

  /** Waits a random time in [0, splayMs]; resolves false when a stop cut the wait short. */
  #splay(): Promise<boolean> {
    const delayMs = this.#options.splayMs > 0 ? this.#options.rng.int(0, this.#options.splayMs) : 0;
    if (delayMs === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.#options.scheduler.setTimer(delayMs, () => {
        this.#splays.delete(timer);
        resolve(true);
      });
      this.#splays.set(timer, () => {
        this.#splays.delete(timer);
        resolve(false);
      });
    });
  }

  #spawn(): void {
    const [program, ...args] = this.#options.argv;
    if (program === undefined) throw new RangeError('empty argv');
    this.#setState('starting');
    this.#emit({ type: 'starting' });
    const child = spawn(program, args, {
      detached: true,
      stdio: ['ignore', this.#options.stdout === undefined ? 'inherit' : 'pipe', this.#options.stderr === undefined ? 'inherit' : 'pipe'],
      ...(this.#env === undefined ? {} : { env: this.#env }),
      ...(this.#options.cwd === undefined ? {} : { cwd: this.#options.cwd }),
    });
    if (this.#options.stdout !== undefined) child.stdout?.pipe(this.#options.stdout, { end: false });
    if (this.#options.stderr !== undefined) child.stderr?.pipe(this.#options.stderr, { end: false });
    const running: RunningChild = { process: child, startedAtMs: this.#options.scheduler.nowMs(), exited: deferred() };
    this.#child = running;
    child.once('spawn', () => this.#onSpawn(running));
    child.once('error', (err) => {
      // A child that never started (ENOENT, EACCES) exits as a shell would: 127.
      this.#log.error({ err: { message: err.message }, program }, 'cannot start child');
      if (child.pid === undefined) this.#onExit(running, 127, null);
    });
    child.once('exit', (code, signal) => this.#onExit(running, code, signal));
  }

  #onSpawn(running: RunningChild): void {
    if (this.#child !== running || this.#state !== 'starting') return;
    const pid = running.process.pid ?? -1;
    this.#setState('running');
    this.#log.info({ pid, argv: this.#options.argv }, 'child started');
    this.#emit({ type: 'running', pid });
  }

  #onExit(running: RunningChild, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== running) return;
    const exitCode = exitCodeOf(code, signal);
    this.#child = null;
    this.#lastExitCode = exitCode;
    this.#log.info({ code, signal, exitCode }, 'child exited');
    this.#emit({ type: 'exited', code, signal, exitCode });
    running.exited.resolve(exitCode);
    if (this.#intent !== 'none') return;
    const policy = this.#options.restartPolicy;
    if (policy === 'never' || (policy === 'on-failure' && exitCode === 0)) {
      this.#finish(exitCode);
      return;
    }
    this.#scheduleRestart(running);
  }

  #scheduleRestart(previous: RunningChild): void {
    const ranForMs = this.#options.scheduler.nowMs() - previous.startedAtMs;
    if (ranForMs >= this.#options.backoff.resetAfterMs) this.#attempt = 0;
    this.#attempt += 1;
    const delayMs = backoffDelayMs(this.#attempt, this.#options.backoff);
    this.#setState('backoff');
    this.#log.warn({ delayMs, attempt: this.#attempt }, 'child crashed; restarting after backoff');
    this.#emit({ type: 'backoff', delayMs, attempt: this.#attempt });
    this.#timer = this.#options.scheduler.setTimer(delayMs, () => {
      this.#timer = null;
      if (this.#state === 'backoff' && this.#intent === 'none') this.#spawn();
    });
  }

  /** Sends the stop signal, SIGKILLs the group after killTimeoutMs, and waits for the exit. */
  #terminate(): Promise<number> {
    const child = this.#child;
    if (child === null) return Promise.resolve(0);
    this.#terminating ??= this.#runTermination(child).finally(() => {
      this.#terminating = null;
    });
    return this.#terminating;
  }

  async #runTermination(child: RunningChild): Promise<number> {
    const { killSignal, killTimeoutMs, scheduler } = this.#options;
    const pid = child.process.pid;
    this.#setState('stopping');
    this.#emit({ type: 'stopping', signal: killSignal });
    if (pid !== undefined) killGroup(pid, killSignal);
    const killTimer = scheduler.setTimer(killTimeoutMs, () => {
      this.#log.warn({ pid, killTimeoutMs }, 'child ignored the stop signal; killing its group');
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    });
    const exitCode = await child.exited.promise;
    killTimer.cancel();
    // Whatever the app left in its group (workers, shells) goes with it.
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
    return exitCode;
  }

  #finish(exitCode: number): void {
    if (this.#state === 'stopped') return;
    this.#setState('stopped');
    this.#emit({ type: 'stopped', exitCode });
    this.#done.resolve(exitCode);
  }
}
