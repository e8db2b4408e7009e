import type { Writable } from 'node:stream';
import type { Logger } from '../../util/index.js';
import type { TemplateConfig } from '../config/index.js';
import {
  atomicWrite,
  Quiescence,
  type Renderer,
  type RenderOutcome,
  type Scheduler,
  type Timer,
} from '../render/index.js';
import { runCommand } from '../supervise/index.js';
import type { ZkDataSource } from './zk-data-source.js';

/** Where a template stands, for `corral agent status`. */
export interface TemplateStatus {
  readonly name: string;
  readonly destination: string;
  /** The last render attempt's outcome kind, or `pending` before the first. */
  readonly state: RenderOutcome['kind'] | 'pending' | 'disconnected' | 'writeFailed';
  /** Wall ms of the last render attempt, or null. */
  readonly lastRenderWallMs: number | null;
  /** Wall ms of the last time the file was replaced, or null. */
  readonly lastWriteWallMs: number | null;
  /** The last error (template and line, check output, write failure), or null after a good render. */
  readonly lastError: string | null;
  readonly dependencies: number;
}

/** Inputs of a {@link TemplateRunner}. */
export interface TemplateRunnerOptions {
  readonly template: TemplateConfig;
  readonly renderer: Renderer;
  /** A unique name under which the template's dependencies are declared to the data source. */
  readonly owner: string;
  readonly source: ZkDataSource;
  /** Renders are skipped while this says false (the last good file stays). */
  readonly isConnected: () => boolean;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Print to this stream instead of writing files or running commands. */
  readonly dryRunOutput?: Writable;
  /** Called after the file was replaced and the template has no command of its own. */
  readonly onWritten: () => void;
  /** Called after every render attempt with its outcome kind and duration. */
  readonly onRendered?: (kind: TemplateStatus['state'], seconds: number) => void;
}

/**
 * Coalesces data changes that arrive within this long into one render when the template sets no
 * `wait`. A multi does not depend on it: the data source reports what one transaction changed
 * as one burst (see ZkDataSource); this only merges bursts that follow each other closely.
 */
export const coalesceMs = 5;

/**
 * Renders one template whenever its data changes (batched by `wait {min, max}`), writes it
 * atomically, then runs the template's command or asks the runner to reload the app. Skips
 * renders while disconnected and keeps the last good file on any error.
 */
export class TemplateRunner {
  readonly #o: TemplateRunnerOptions;
  readonly #owner: string;
  readonly #log: Logger;
  readonly #batch: Quiescence;
  #deps: ReadonlySet<string> = new Set<string>();
  #running: Promise<void> | null = null;
  #isDirty = false;
  #retryTimer: Timer | null = null;
  #isClosed = false;
  #state: TemplateStatus['state'] = 'pending';
  #lastRenderWallMs: number | null = null;
  #lastWriteWallMs: number | null = null;
  #lastError: string | null = null;
  readonly #settledListeners = new Set<() => void>();
  readonly #unsubscribe: () => void;

  /** Subscribes to the data source; call `trigger()` for the first render. */
  constructor(options: TemplateRunnerOptions) {
    this.#o = options;
    this.#owner = options.owner;
    this.#log = options.logger.child({ component: 'agent.render', template: options.renderer.name });
    const wait = options.template.wait ?? { minMs: coalesceMs, maxMs: coalesceMs * 10 };
    this.#batch = new Quiescence({ ...wait, scheduler: options.scheduler, onFire: () => this.renderNow() });
    this.#unsubscribe = options.source.onChange((id) => {
      if (this.#deps.has(id)) this.trigger();
    });
  }

  /** The template's name in errors. */
  get name(): string {
    return this.#o.renderer.name;
  }

  /** Notes a change; the render follows the template's wait bounds. */
  trigger(): void {
    if (!this.#isClosed) this.#batch.trigger();
  }

  /** Renders at once (serialized with any render in progress). */
  renderNow(): void {
    if (this.#isClosed) return;
    if (this.#running !== null) {
      this.#isDirty = true;
      return;
    }
    this.#running = this.#render()
      .catch((err: unknown) => this.#fail('writeFailed', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        this.#running = null;
        if (this.#isDirty) {
          this.#isDirty = false;
          this.renderNow();
        }
      });
  }

  /** Resolves once a render got past waiting for data (rendered, unchanged or failed). */
  settled(): Promise<TemplateStatus> {
    if (this.#isSettled()) return Promise.resolve(this.status());
    return new Promise((resolve) => {
      const listener = (): void => {
        if (!this.#isSettled()) return;
        this.#settledListeners.delete(listener);
        resolve(this.status());
      };
      this.#settledListeners.add(listener);
    });
  }

  /** The template's current status. */
  status(): TemplateStatus {
    return {
      name: this.name,
      destination: this.#o.template.destination,
      state: this.#state,
      lastRenderWallMs: this.#lastRenderWallMs,
      lastWriteWallMs: this.#lastWriteWallMs,
      lastError: this.#lastError,
      dependencies: this.#deps.size,
    };
  }

  /** Stops rendering and releases the template's watches. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#batch.cancel();
    this.#retryTimer?.cancel();
    this.#unsubscribe();
    await this.#running;
    this.#o.source.release(this.#owner);
  }

  #isSettled(): boolean {
    return this.#state !== 'pending' && this.#state !== 'missing' && this.#state !== 'waiting' && this.#state !== 'disconnected';
  }

  async #render(): Promise<void> {
    if (!this.#o.isConnected()) {
      // Never render from a view that may be stale or partial; the reconnect triggers again.
      this.#setState('disconnected');
      return;
    }
    const started = performance.now();
    const outcome = this.#o.renderer.render(this.#o.source);
    this.#lastRenderWallMs = this.#o.scheduler.wallMs();
    this.#deps = this.#o.source.setDependencies(this.#owner, outcome.dependencies);
    await this.#handle(outcome);
    this.#o.onRendered?.(this.#state, (performance.now() - started) / 1000);
  }

  async #handle(outcome: RenderOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'missing':
        this.#setState('missing');
        return;
      case 'waiting':
        this.#lastError = outcome.error.message;
        this.#setState('waiting');
        this.#retryAfterMissingTimeout();
        return;
      case 'failed':
        this.#log.error({ err: { message: outcome.error.message }, line: outcome.error.line }, 'template failed; keeping the last good file');
        this.#fail('failed', outcome.error.message);
        return;
      case 'unchanged':
        this.#lastError = null;
        this.#setState('unchanged');
        return;
      case 'rendered':
        await this.#output(outcome.output);
        return;
    }
  }

  async #output(text: string): Promise<void> {
    const t = this.#o.template;
    if (this.#o.dryRunOutput !== undefined) {
      this.#o.dryRunOutput.write(`> ${t.destination}\n${text}${text.endsWith('\n') ? '' : '\n'}`);
      this.#lastError = null;
      this.#setState('rendered');
      return;
    }
    const result = await atomicWrite({
      path: t.destination,
      content: text,
      backup: t.backup,
      allowEmpty: t.allowEmpty,
      ...(t.mode === undefined ? {} : { mode: t.mode }),
      ...(t.owner === undefined ? {} : { owner: ownerOf(t.owner) }),
      ...(t.check === undefined ? {} : { check: { argv: t.check, timeoutMs: t.checkTimeoutMs } }),
    });
    switch (result.kind) {
      case 'unchanged':
        this.#lastError = null;
        this.#setState('unchanged');
        return;
      case 'refusedEmpty':
        this.#o.renderer.reset();
        this.#fail('writeFailed', 'the render is empty and the file has content (set allowEmpty to allow it)');
        return;
      case 'checkFailed':
        this.#o.renderer.reset();
        this.#fail('writeFailed', `check failed: ${result.result.output.trim() || `exit ${String(result.result.exitCode)}`}`);
        return;
      case 'written':
        this.#lastWriteWallMs = this.#o.scheduler.wallMs();
        this.#lastError = null;
        this.#log.info({ destination: t.destination }, 'rendered');
        this.#setState('rendered');
        await this.#afterWrite();
        return;
    }
  }

  async #afterWrite(): Promise<void> {
    const t = this.#o.template;
    if (t.command === undefined) {
      this.#o.onWritten();
      return;
    }
    const result = await runCommand({ argv: t.command, timeoutMs: t.commandTimeoutMs });
    if (!result.ok) {
      this.#lastError = `command failed (exit ${String(result.exitCode)}): ${result.output.trim()}`;
      this.#log.error({ argv: t.command, exitCode: result.exitCode, timedOut: result.timedOut }, 'template command failed');
    }
  }

  #retryAfterMissingTimeout(): void {
    const timeoutMs = this.#o.template.missing.timeoutMs;
    if (timeoutMs === null || this.#retryTimer !== null) return;
    this.#retryTimer = this.#o.scheduler.setTimer(timeoutMs, () => {
      this.#retryTimer = null;
      this.renderNow();
    });
  }

  #fail(state: TemplateStatus['state'], message: string): void {
    this.#lastError = message;
    if (state === 'writeFailed') this.#log.error({ reason: message }, 'write failed; keeping the last good file');
    this.#setState(state);
  }

  #setState(state: TemplateStatus['state']): void {
    this.#state = state;
    for (const listener of [...this.#settledListeners]) listener();
  }
}

/** The owner fields that are set, without undefined values (exactOptionalPropertyTypes). */
function ownerOf(owner: NonNullable<TemplateConfig['owner']>): { uid?: number; gid?: number } {
  return { ...(owner.uid === undefined ? {} : { uid: owner.uid }), ...(owner.gid === undefined ? {} : { gid: owner.gid }) };
}
