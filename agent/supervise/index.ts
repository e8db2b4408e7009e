/**
 * Process supervision for the agent: the app as a child in its own process group (signals
 * forwarded, reload by signal or restart with splay, stop with a kill timeout then SIGKILL of the
 * group, capped backoff on crash loops, exit code passed through), and short commands run with a
 * timeout that kills their whole group. This module must never leave a child or its group
 * running after stop()/destroy(), and never reads process.env (the env is given).
 */
export {
  type RestartPolicy,
  type SupervisorEvent,
  type SupervisorOptions,
  type SupervisorState,
  Supervisor,
  backoffDelayMs,
  exitCodeOf,
} from './supervisor.js';
export { type SignalSource, type SignalTarget, forwardSignals, forwardedSignals } from './forward-signals.js';
export { type CommandResult, type RunCommandOptions, killGroup, runCommand, substituteFile } from './run-command.js';
