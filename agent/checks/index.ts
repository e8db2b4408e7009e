/**
 * Health checks for the agent's services: HTTP (undici), TCP connect, command exit code (its
 * process group killed on timeout) and TTL (the app reports in), driven by a CheckRunner with
 * per-check rise/fall thresholds and injectable time. This module only observes: it must never
 * register, deregister or restart anything itself; the runner acts on its events.
 */
export { type CheckResult, type Probe, runProbe } from './probe.js';
export { type HttpCheckOptions, httpProbe } from './http-check.js';
export { type TcpCheckOptions, tcpProbe } from './tcp-check.js';
export { type CommandCheckOptions, commandProbe } from './command-check.js';
export { type ThresholdState, type Thresholds, applyResult } from './thresholds.js';
export {
  type CheckEvent,
  type CheckRunnerOptions,
  type CheckSpec,
  type CheckStatus,
  CheckRunner,
} from './check-runner.js';
export { checkSpecFromConfig } from './check-from-config.js';
