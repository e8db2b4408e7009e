/**
 * The agent's configuration: one YAML file plus a `services.d/` folder of extra services,
 * validated whole with zod into a frozen, typed AgentConfig (defaults live in the schema).
 * A mistake refuses with `file: key.path: reason`. This module must never read `process.env`
 * or `.env` (cli/ does and passes overrides), and never start anything.
 */
export {
  type AgentConfig,
  type CheckConfig,
  type EnvMappingConfig,
  type ExecConfig,
  type ServiceConfig,
  type SignalName,
  type TemplateConfig,
  agentConfigSchema,
  serviceSchema,
  signalNames,
} from './agent-config.js';
export { ConfigError, formatKeyPath } from './config-error.js';
export {
  type AgentConfigOverrides,
  type ExtraService,
  type ParseAgentConfigOptions,
  deepMerge,
  overridesFile,
  parseAgentConfig,
} from './parse-agent-config.js';
export { type LoadAgentConfigOptions, loadAgentConfig, parseYamlDocument } from './load-agent-config.js';
