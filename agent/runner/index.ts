/**
 * The runner's parts that agent.ts composes: a DataSource over live caches of exactly the
 * recorded dependencies, a per-template render loop, the supervised app with its envconsul-style
 * environment, the failover member, the whole-config preparation and the config file watcher.
 * Each part acts only through the client recipes and the leaf modules; none reads process.env.
 */
export { ZkDataSource } from './zk-data-source.js';
export { type TemplateRunnerOptions, type TemplateStatus, TemplateRunner, coalesceMs } from './template-runner.js';
export { type AppRunnerOptions, type AppStatus, AppRunner } from './app-runner.js';
export { type FailoverMemberOptions, type FailoverMemberStatus, FailoverMember } from './failover-member.js';
export { type PrepareConfigOptions, type PreparedConfig, type PreparedTemplate, prepareConfig } from './prepared-config.js';
export { type ConfigWatcherOptions, ConfigWatcher } from './config-watcher.js';
