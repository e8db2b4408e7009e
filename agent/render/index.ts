/**
 * The agent's rendering: Handlebars templates with consul-template style helpers that record
 * every key, prefix and service they read; a two-phase render against a DataSource snapshot
 * (report missing dependencies, render only when all are loaded); dotenv output with
 * envconsul-style names; quiescence batching; and atomic file replacement with check-before-swap.
 * Renderers are pure and must never fetch data or write files themselves; only atomic-write.ts
 * touches the filesystem, and it must never write over a live file in place.
 */
export {
  type DataSource,
  type Dependency,
  type KeyValue,
  type ServiceInstance,
  type StaticData,
  type TreeEntry,
  StaticDataSource,
  dependencyId,
} from './data-source.js';
export {
  type AbsentKey,
  type MissingPolicy,
  type Renderer,
  type RenderOutcome,
  type TemplateRendererOptions,
  TemplateRenderer,
} from './template-renderer.js';
export { type EnvFileRendererOptions, EnvFileRenderer } from './env-file-renderer.js';
export { type FormatHelper, formatHelpers } from './format-helpers.js';
export { RenderError } from './render-error.js';
export {
  type EnvNameOptions,
  type ExecEnvOptions,
  buildExecEnv,
  mangleEnvName,
  mapTreeToEnv,
} from './env-mapping.js';
export { type RendererFromConfigOptions, rendererFromConfig } from './renderer-from-config.js';
export { formatDotenv, quoteDotenvValue } from './dotenv.js';
export { type QuiescenceOptions, Quiescence } from './quiescence.js';
export { type Scheduler, type Timer, ManualScheduler, systemScheduler } from './scheduler.js';
export {
  type AtomicWriteOptions,
  type AtomicWriteResult,
  type SwapCheck,
  atomicWrite,
} from './atomic-write.js';
