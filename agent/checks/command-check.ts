import { runCommand } from '../supervise/run-command.js';
import type { Probe } from './probe.js';

/** Inputs of {@link commandProbe}. */
export interface CommandCheckOptions {
  /** Program and arguments. */
  readonly argv: readonly string[];
  /** Kill the command's process group and fail after this long. */
  readonly timeoutMs: number;
  /** Environment for the command (default: the agent's own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A command check: passes when the command exits 0 in time; its output is the note. */
export function commandProbe(options: CommandCheckOptions): Probe {
  return async () => {
    const result = await runCommand({
      argv: options.argv,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: 4096,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    if (result.timedOut) return { ok: false, output: `timed out after ${options.timeoutMs} ms` };
    const ending = result.exitCode === null ? `signal ${result.signal ?? '?'}` : `exit ${result.exitCode}`;
    const text = result.output.trim();
    return { ok: result.ok, output: text === '' ? ending : `${ending}: ${text}` };
  };
}
