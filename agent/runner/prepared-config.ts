import { readFile } from 'node:fs/promises';
import type { Clock } from '../../util/index.js';
import {
  type AgentConfig,
  type AgentConfigOverrides,
  ConfigError,
  loadAgentConfig,
  type TemplateConfig,
} from '../config/index.js';
import { type FailoverConfig, parseFailoverConfig } from '../failover/failover-config.js';
import { RenderError, type Renderer, rendererFromConfig } from '../render/index.js';

/** A template with its parsed renderer. */
export interface PreparedTemplate {
  readonly config: TemplateConfig;
  readonly renderer: Renderer;
}

/** Everything the runner needs from the config files, validated whole. */
export interface PreparedConfig {
  /** The config file it came from. */
  readonly file: string;
  readonly config: AgentConfig;
  /** The `failover` section, parsed; null when there is none. */
  readonly failover: FailoverConfig | null;
  /** Every template, parsed (a syntax error refuses the whole config). */
  readonly templates: readonly PreparedTemplate[];
}

/** Inputs of {@link prepareConfig}. */
export interface PrepareConfigOptions {
  readonly file: string;
  readonly overrides?: AgentConfigOverrides;
  /** Variables the templates' `env` helper reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
}

/**
 * Reads and validates the agent config, its services.d folder, its failover section and every
 * template; throws a ConfigError (`file: key: reason`) on the first mistake, so that a bad
 * change can be refused while the running config stays.
 */
export async function prepareConfig(options: PrepareConfigOptions): Promise<PreparedConfig> {
  const config = await loadAgentConfig({ file: options.file, ...(options.overrides === undefined ? {} : { overrides: options.overrides }) });
  const failover = parseFailoverConfig(config.failover, options.file);
  if (failover !== null && config.exec === undefined) {
    if (failover.signals !== undefined) throw new ConfigError(options.file, 'failover.signals', 'signals need an exec section (the supervised app)');
    if (failover.fencing.some((m) => 'stopApp' in m)) {
      throw new ConfigError(options.file, 'failover.fencing', 'stopApp needs an exec section (the supervised app)');
    }
  }
  const templates: PreparedTemplate[] = [];
  for (const [i, template] of config.templates.entries()) {
    const name = template.source ?? `templates[${i}]`;
    const sourceText = template.source === undefined ? undefined : await readFile(template.source, 'utf8');
    try {
      const renderer = rendererFromConfig(template, {
        name,
        env: options.env,
        ...(sourceText === undefined ? {} : { sourceText }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      templates.push({ config: template, renderer });
    } catch (err) {
      if (err instanceof RenderError) throw new ConfigError(options.file, `templates[${i}]`, err.message);
      throw err;
    }
  }
  return { file: options.file, config, failover, templates };
}
