/**
 * A FailoverApp for an app the agent supervises that changes role on a signal (e.g. SIGUSR1 to
 * go active, SIGUSR2 to go standby). Signals carry no data, so the fencing token reaches such an
 * app only through its environment or a file rendered by a template.
 */
import type { FailoverApp } from './failover-controller.js';

/** The supervised child as the adapter needs it: send a signal, say whether it runs, stop it. */
export interface SignalledChild {
  /** Sends `signal` to the child's process group. */
  signal(signal: NodeJS.Signals): void;
  /** True while a child process runs. */
  readonly isRunning: boolean;
  /** Stops the child for good (self-fencing). */
  stop(): Promise<unknown>;
}

/** A FailoverApp that signals the supervised child; with `canStop`, a failed standby stops it. */
export function signalApp(
  child: SignalledChild,
  signals: { readonly active: NodeJS.Signals; readonly standby: NodeJS.Signals },
  canStop: boolean,
): FailoverApp {
  const send = async (signal: NodeJS.Signals): Promise<void> => {
    // A child that is not running cannot take the role; the controller then retries or fences.
    if (!child.isRunning) throw new Error(`the supervised app is not running; cannot send ${signal}`);
    child.signal(signal);
  };
  const app: FailoverApp = { toActive: () => send(signals.active), toStandby: () => send(signals.standby) };
  if (!canStop) return app;
  return {
    ...app,
    stop: async () => {
      await child.stop();
    },
  };
}
