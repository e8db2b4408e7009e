/**
 * Runs the built CLI as a user would, for the black-box tests of test/cli: a process with its
 * own environment (ZOOKEEPER_CONNECT, HOME), optional stdin from a file, bounded in time, and
 * tracked so that `stopAll()` (or the harness's `reapAll()`) never leaves one behind.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { corralBin } from '../helpers/corral.js';
import { spawnTracked, stopProcess, waitForExit, type TrackedProcess } from '../helpers/processes.js';

/** The outcome of one CLI run. */
export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with what environment the CLI runs. */
export interface CliEnv {
  /** Working directory (a temp dir, so that no stray .env is read). */
  readonly cwd: string;
  /** Extra environment variables (ZOOKEEPER_CONNECT, HOME, ...). */
  readonly env: Readonly<Record<string, string>>;
}

const running = new Set<TrackedProcess>();

/** Starts `corral ARGS` (stdin from `stdinFile` when given) and returns the tracked process. */
export function startCli(cli: CliEnv, args: readonly string[], stdinFile?: string): TrackedProcess {
  // The caller's ZOOKEEPER_CONNECT must not leak in: each test says which server it means.
  const env: NodeJS.ProcessEnv = { ...process.env, CORRAL_LOG: 'warn' };
  delete env['ZOOKEEPER_CONNECT'];
  Object.assign(env, cli.env);
  const proc =
    stdinFile === undefined
      ? spawnTracked(process.execPath, [corralBin, ...args], { cwd: cli.cwd, env })
      : // spawnTracked gives the child no stdin; a shell's `exec <file` does, with the same pid.
        spawnTracked('/bin/sh', ['-c', 'exec "$CORRAL_NODE" "$CORRAL_BIN" "$@" < "$CORRAL_STDIN"', 'sh', ...args], {
          cwd: cli.cwd,
          env: { ...env, CORRAL_NODE: process.execPath, CORRAL_BIN: corralBin, CORRAL_STDIN: stdinFile },
        });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

/** Runs `corral ARGS` to completion (killed after `timeoutMs`) and returns its code and output. */
export async function runCli(cli: CliEnv, args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  let stdinFile: string | undefined;
  if (options.stdin !== undefined) {
    stdinFile = join(cli.cwd, `stdin-${running.size}-${Math.floor(performance.now())}.txt`);
    await writeFile(stdinFile, options.stdin);
  }
  const proc = startCli(cli, args, stdinFile);
  if (!(await waitForExit(proc, options.timeoutMs ?? 30_000))) await stopProcess(proc, 1_000);
  return { code: await proc.exited, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Runs `corral ARGS --json`, expects exit 0 and returns the parsed stdout. */
export async function runJson(cli: CliEnv, args: readonly string[]): Promise<unknown> {
  const result = await runCli(cli, [...args, '--json']);
  if (result.code !== 0) throw new Error(`corral ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as unknown;
}

/** Stops every CLI process started here that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => stopProcess(proc, 2_000)));
}
