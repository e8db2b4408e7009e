/**
 * Runs a transition or fencing command through `/bin/sh -c`, with extra environment variables,
 * in its own process group so a timeout can kill everything it started.
 */
import { spawn } from 'node:child_process';

/** The outcome of one command. */
export interface CommandOutcome {
  /** The exit code, or null when it was killed (by the timeout or a signal). */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** The last few KiB of stdout and stderr, for log lines. */
  readonly output: string;
}

const keptOutputBytes = 4_096;

/** Runs `command` and resolves when it exits or its timeout kills it. */
export function runShellCommand(
  command: string,
  options: { readonly env: Readonly<Record<string, string>>; readonly timeoutMs: number },
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-keptOutputBytes);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: null, timedOut: false, output: `${output}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, output });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    // The group is already gone: nothing left to kill.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
