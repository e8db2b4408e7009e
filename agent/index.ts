/**
 * The per-host agent: service registration with health checks, config rendering from znodes,
 * app supervision, active/passive failover and a local status endpoint, composed by one runner
 * (`Agent`). It works against any ZooKeeper ensemble, so it must never import the server, and
 * it never reads process.env or `.env` itself: cli/ passes the environment and overrides.
 */
export { Agent, type AgentOptions, type AgentStatus } from './agent.js';
export { ConfigError, type AgentConfig, type AgentConfigOverrides, loadAgentConfig } from './config/index.js';
export {
  defaultFailoverRoot,
  type GroupStatus,
  type MemberInfo,
  type MemberStatus,
  readGroupStatus,
  requestFailover,
  UnknownFailoverMemberError,
} from './failover/index.js';
export { type FailoverConfig, failoverConfigSchema, parseFailoverConfig } from './failover/failover-config.js';
export { type RegistrationStatus } from './registry/index.js';
export { type AppStatus } from './runner/app-runner.js';
export { type FailoverMemberStatus } from './runner/failover-member.js';
export { type TemplateStatus } from './runner/template-runner.js';
export { type CheckReportResult, type MaintenanceResult, type StatusAddress, type StatusLocation, locateStatusEndpoint, readStatusAddress, statusAddressPath } from './status/index.js';
export { forwardSignals } from './supervise/index.js';
