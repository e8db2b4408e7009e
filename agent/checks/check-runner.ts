import { type Logger, silentLogger } from '../../util/index.js';
import type { Scheduler, Timer } from '../render/scheduler.js';
import { type CheckResult, type Probe, runProbe } from './probe.js';
import { applyResult, type ThresholdState, type Thresholds } from './thresholds.js';

/** One check the runner drives: an active probe on an interval, or a TTL the app reports to. */
export type CheckSpec =
  | { readonly kind: 'probe'; readonly name: string; readonly intervalMs: number; readonly probe: Probe }
  | { readonly kind: 'ttl'; readonly name: string; readonly ttlMs: number };

/** Events of a {@link CheckRunner}. */
export type CheckEvent =
  | { readonly type: 'result'; readonly check: string; readonly ok: boolean; readonly output: string }
  | { readonly type: 'checkChanged'; readonly check: string; readonly healthy: boolean }
  | { readonly type: 'healthChanged'; readonly healthy: boolean };

/** Inputs of a {@link CheckRunner}. */
export interface CheckRunnerOptions extends Thresholds {
  /** The checks; the service is healthy when every one is (and always, with none). */
  readonly checks: readonly CheckSpec[];
  /** Health of each check before its first flip. */
  readonly initialHealthy: boolean;
  /** Time and timers. */
  readonly scheduler: Scheduler;
  /** Logger (component `agent.checks` is added). */
  readonly logger?: Logger;
}

/** The state of one check, for status pages. */
export interface CheckStatus {
  readonly name: string;
  readonly healthy: boolean;
  /** The last result's note, or null before the first result. */
  readonly lastOutput: string | null;
}

interface CheckSlot {
  readonly spec: CheckSpec;
  state: ThresholdState;
  lastOutput: string | null;
  timer: Timer | null;
}

/**
 * Runs a service's checks (each probe again `intervalMs` after the previous run finished, TTLs
 * expiring `ttlMs` after the last report), applies rise/fall thresholds per check, and emits
 * each result, each check's flips, and flips of the service's overall health.
 */
export class CheckRunner {
  readonly #options: CheckRunnerOptions;
  readonly #slots = new Map<string, CheckSlot>();
  readonly #listeners = new Set<(event: CheckEvent) => void>();
  readonly #log: Logger;
  #healthy: boolean;
  #running = false;
  #closed = false;

  /** Takes the checks and thresholds; nothing runs until `start()`. */
  constructor(options: CheckRunnerOptions) {
    if (!(options.rise >= 1 && options.fall >= 1)) throw new RangeError('expected rise >= 1 and fall >= 1');
    this.#options = options;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'agent.checks' });
    for (const spec of options.checks) {
      if (this.#slots.has(spec.name)) throw new RangeError(`duplicate check name "${spec.name}"`);
      this.#slots.set(spec.name, { spec, state: { healthy: options.initialHealthy, streak: 0 }, lastOutput: null, timer: null });
    }
    this.#healthy = this.#computeHealthy();
  }

  /** True when every check is healthy. */
  get isHealthy(): boolean {
    return this.#healthy;
  }

  /** Each check's health and last note. */
  statuses(): CheckStatus[] {
    return [...this.#slots.values()].map((s) => ({ name: s.spec.name, healthy: s.state.healthy, lastOutput: s.lastOutput }));
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (event: CheckEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs every probe once now and arms the TTL timers; idempotent. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    for (const slot of this.#slots.values()) {
      if (slot.spec.kind === 'probe') void this.#runProbe(slot, slot.spec.probe, slot.spec.intervalMs);
      else this.#armTtl(slot, slot.spec.ttlMs);
    }
  }

  /** The app reports a TTL check as passing (or failing with `ok` false); re-arms its expiry. */
  reportTtl(name: string, ok: boolean, note = ''): void {
    const slot = this.#slots.get(name);
    if (slot === undefined || slot.spec.kind !== 'ttl') throw new RangeError(`no TTL check named "${name}"`);
    if (this.#closed) return;
    this.#record(slot, { ok, output: note === '' ? (ok ? 'ttl passed' : 'ttl failed') : note });
    if (this.#running) this.#armTtl(slot, slot.spec.ttlMs);
  }

  /** Stops every timer; results of probes still running are dropped. */
  close(): void {
    this.#closed = true;
    this.#running = false;
    for (const slot of this.#slots.values()) {
      slot.timer?.cancel();
      slot.timer = null;
    }
  }

  async #runProbe(slot: CheckSlot, probe: Probe, intervalMs: number): Promise<void> {
    slot.timer = null;
    const result = await runProbe(probe);
    if (!this.#running) return;
    this.#record(slot, result);
    slot.timer = this.#options.scheduler.setTimer(intervalMs, () => void this.#runProbe(slot, probe, intervalMs));
  }

  #armTtl(slot: CheckSlot, ttlMs: number): void {
    slot.timer?.cancel();
    slot.timer = this.#options.scheduler.setTimer(ttlMs, () => {
      slot.timer = null;
      this.#record(slot, { ok: false, output: `ttl expired after ${ttlMs} ms` });
      // Keep failing every ttlMs until the app reports, so the fall threshold is reached.
      if (this.#running) this.#armTtl(slot, ttlMs);
    });
  }

  #record(slot: CheckSlot, result: CheckResult): void {
    const name = slot.spec.name;
    slot.lastOutput = result.output;
    this.#emit({ type: 'result', check: name, ok: result.ok, output: result.output });
    const before = slot.state.healthy;
    slot.state = applyResult(slot.state, result.ok, this.#options);
    if (slot.state.healthy === before) return;
    this.#log.info({ check: name, healthy: slot.state.healthy, output: result.output }, 'check changed');
    this.#emit({ type: 'checkChanged', check: name, healthy: slot.state.healthy });
    const healthy = this.#computeHealthy();
    if (healthy === this.#healthy) return;
    this.#healthy = healthy;
    this.#emit({ type: 'healthChanged', healthy });
  }

  #computeHealthy(): boolean {
    return [...this.#slots.values()].every((s) => s.state.healthy);
  }

  #emit(event: CheckEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
