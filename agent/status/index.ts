/**
 * The agent's local status endpoint: JSON at `/status` (registrations, checks, renders, child,
 * failover role), Prometheus metrics at `/metrics` from a registry per agent, maintenance on
 * or off by POST, and TTL check reports from the app (`PUT /check/<service>/<check>/pass|fail`).
 * It only reports and forwards requests to the runner; it must never change ZooKeeper state
 * itself, and it binds to loopback unless configured otherwise. The bound address also goes to
 * a small file beside the config, for `corral agent status --config`.
 */
export { AgentMetrics } from './agent-metrics.js';
export { type CheckReportResult, type MaintenanceResult, type StatusServerOptions, StatusServer } from './status-server.js';
export {
  type StatusAddress,
  type StatusLocation,
  locateStatusEndpoint,
  readStatusAddress,
  removeStatusAddress,
  statusAddressPath,
  writeStatusAddress,
} from './status-address.js';
