/**
 * Server configuration: zoo.cfg (Java .properties) and myid text in, a validated, frozen
 * ServerConfig out, plus the `conf` four-letter word's text (reference §10, §9.2). Pure: it never
 * reads files or the environment; the shell reads them and passes the text. zoo.cfg key spellings
 * stay inside this folder.
 */
export { ConfigError } from './config-error.js';
export { parseZooCfg, type ParseZooCfgOptions, type ParsedZooCfg } from './parse-zoo-cfg.js';
export {
  type ServerConfig,
  type QuorumServerConfig,
  serverConfigSchema,
  quorumServerSchema,
  isFourLetterWordAllowed,
} from './server-config.js';
export { formatConf, type ConfExtras } from './format-conf.js';
export { parseProperties, type PropertyEntry } from './properties.js';
export { juteMaxBufferFromJvmFlags } from './jvm-flags.js';
