/** The signals the agent passes on to its child by default. */
export const forwardedSignals: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT'];

/** Something that emits signals by name, such as `process`. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Something that takes a signal, such as a Supervisor. */
export interface SignalTarget {
  signal(signal: NodeJS.Signals): void;
}

/**
 * Passes each of `signals` received by `source` on to `target`; returns the function that
 * removes the listeners. The runner decides which signals to pass (it stops on SIGTERM itself).
 */
export function forwardSignals(
  source: SignalSource,
  target: SignalTarget,
  signals: readonly NodeJS.Signals[] = forwardedSignals,
): () => void {
  const listeners = signals.map((signal) => {
    const listener = (): void => target.signal(signal);
    source.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}
