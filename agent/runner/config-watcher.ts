import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from '../../util/index.js';

/** Inputs of a {@link ConfigWatcher}. */
export interface ConfigWatcherOptions {
  /** The agent YAML file and the services.d folder. */
  readonly paths: readonly string[];
  /** Waits this long after the last change before calling `onChange` (editors write in steps). */
  readonly debounceMs: number;
  readonly onChange: () => void;
  readonly logger: Logger;
}

/**
 * Watches the agent's config file and services.d folder (chokidar) and calls back once per burst
 * of changes; the runner then re-reads and validates the whole config before applying it.
 */
export class ConfigWatcher {
  readonly #o: ConfigWatcherOptions;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** Takes the paths; nothing is watched until `start()`. */
  constructor(options: ConfigWatcherOptions) {
    this.#o = options;
  }

  /** Starts watching; resolves once the watcher is ready. */
  async start(): Promise<void> {
    if (this.#watcher !== null) return;
    const watcher = watch([...this.#o.paths], { ignoreInitial: true, atomic: true });
    this.#watcher = watcher;
    watcher.on('all', (event, path) => {
      this.#o.logger.debug({ event, path }, 'config file changed');
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#o.onChange();
      }, this.#o.debounceMs);
    });
    watcher.on('error', (err) => this.#o.logger.warn({ err }, 'config watcher error'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  /** Stops watching. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const watcher = this.#watcher;
    this.#watcher = null;
    await watcher?.close();
  }
}
