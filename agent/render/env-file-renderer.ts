import type { DataSource, Dependency } from './data-source.js';
import { formatDotenv } from './dotenv.js';
import { type EnvNameOptions, mapTreeToEnv } from './env-mapping.js';
import { RenderError } from './render-error.js';
import type { Renderer, RenderOutcome } from './template-renderer.js';

/** Inputs of an {@link EnvFileRenderer}. */
export interface EnvFileRendererOptions extends EnvNameOptions {
  /** The name used in errors (e.g. `templates[2]`). */
  readonly name: string;
  /** The znode subtree whose keys become variables. */
  readonly prefix: string;
}

/** Renders a znode subtree as a dotenv file, envconsul style (prefix stripped, names mangled). */
export class EnvFileRenderer implements Renderer {
  readonly name: string;
  readonly #options: EnvFileRendererOptions;
  #lastOutput: string | null = null;

  /** Takes the subtree and the naming options. */
  constructor(options: EnvFileRendererOptions) {
    this.name = options.name;
    this.#options = options;
  }

  render(source: DataSource): RenderOutcome {
    const dep: Dependency = { kind: 'tree', prefix: this.#options.prefix };
    const dependencies = [dep];
    const entries = source.getTree(this.#options.prefix);
    if (entries === undefined) return { kind: 'missing', dependencies, missing: [dep] };
    let output: string;
    try {
      output = formatDotenv(mapTreeToEnv(entries, this.#options));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { kind: 'failed', dependencies, error: new RenderError(this.name, null, reason) };
    }
    if (output === this.#lastOutput) return { kind: 'unchanged', dependencies, output };
    this.#lastOutput = output;
    return { kind: 'rendered', dependencies, output };
  }

  reset(): void {
    this.#lastOutput = null;
  }
}
