import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { removeAllTempDirs } from './temp-dir.js';

/** A child process started by the harness, with its output captured as text. */
export interface TrackedProcess {
  /** The Node child process handle. */
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  readonly stdout: () => string;
  /** Everything written to stderr so far. */
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** True once the process has exited. */
  readonly hasExited: () => boolean;
}

const tracked = new Set<TrackedProcess>();

/**
 * Spawns `command` detached in its own process group, so that a signal to the group also reaches
 * any grandchildren (a shell script's JVM, for instance), and tracks it for {@link reapAll}.
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: Pick<SpawnOptions, 'cwd' | 'env'> = {},
): TrackedProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let done = false;
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (e) => {
      err += `spawn failed: ${e.message}\n`;
      done = true;
      resolve('spawn-error');
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const proc: TrackedProcess = { child, stdout: () => out, stderr: () => err, exited, hasExited: () => done };
  tracked.add(proc);
  void exited.then(() => tracked.delete(proc));
  return proc;
}

/** Sends `signal` to the process group of `proc`; does nothing if the group is already gone. */
export function signalGroup(proc: TrackedProcess, signal: NodeJS.Signals): void {
  const pid = proc.child.pid;
  if (pid === undefined || proc.hasExited()) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group exited between the check and the signal, which is the outcome we wanted.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Resolves true if `proc` exits within `timeoutMs`, false otherwise. */
export async function waitForExit(proc: TrackedProcess, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const result = await Promise.race([proc.exited.then(() => true as const), timedOut]);
  clearTimeout(timer);
  return result;
}

/** Stops `proc` politely (SIGTERM to its group), then SIGKILLs the group after `graceMs`. */
export async function stopProcess(proc: TrackedProcess, graceMs = 10_000): Promise<void> {
  if (proc.hasExited()) return;
  signalGroup(proc, 'SIGTERM');
  if (await waitForExit(proc, graceMs)) return;
  signalGroup(proc, 'SIGKILL');
  await waitForExit(proc, 10_000);
}

/**
 * SIGKILLs the process group of every child the harness started and still running, waits for
 * them to exit, and removes every temp dir made by the harness. Call it in afterEach/afterAll.
 */
export async function reapAll(): Promise<void> {
  const procs = [...tracked];
  for (const proc of procs) signalGroup(proc, 'SIGKILL');
  await Promise.all(procs.map((proc) => waitForExit(proc, 10_000)));
  await removeAllTempDirs();
}
