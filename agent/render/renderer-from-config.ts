import type { TemplateConfig } from '../config/agent-config.js';
import type { Clock } from '../../util/index.js';
import { EnvFileRenderer } from './env-file-renderer.js';
import { type Renderer, TemplateRenderer } from './template-renderer.js';

/** Inputs of {@link rendererFromConfig} besides the template's config. */
export interface RendererFromConfigOptions {
  /** The name used in errors (e.g. the source path or `templates[2]`). */
  readonly name: string;
  /** The template text: the source file's content (read by the caller) or undefined for inline/env. */
  readonly sourceText?: string;
  /** Variables for the `env` helper. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Time source for the missing-key timeout. */
  readonly clock?: Clock;
}

/**
 * Builds the renderer a template entry asks for: an {@link EnvFileRenderer} for `env` output,
 * else a {@link TemplateRenderer} over the source text or inline contents with `vars` as context.
 * Throws a RenderError on a template syntax error.
 */
export function rendererFromConfig(template: TemplateConfig, options: RendererFromConfigOptions): Renderer {
  if (template.env !== undefined) return new EnvFileRenderer({ name: options.name, ...template.env });
  const text = template.contents ?? options.sourceText;
  if (text === undefined) throw new RangeError(`${options.name}: the source text was not given`);
  return new TemplateRenderer({
    name: options.name,
    text,
    missing: template.missing,
    context: template.vars,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
