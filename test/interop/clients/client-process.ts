/**
 * Runs third-party ZooKeeper clients (kazoo, the Java client and Curator, the C client's cli_mt)
 * as child processes for the interop suites. Test-only code: every child is started with the
 * harness's spawnTracked, so reapAll() kills it, and every wait is bounded.
 */
import { spawnSync } from 'node:child_process';
import { spawnTracked, stopProcess, type TrackedProcess, waitForExit } from '../../helpers/index.js';
import { tail } from '../../helpers/server-handle.js';

/** Whether a client can run here, and why not when it cannot. */
export interface ClientAvailability {
  /** True when the client and everything it needs are installed. */
  readonly ok: boolean;
  /** Why the client cannot run ('' when it can). */
  readonly reason: string;
}

/** A JSON value as a client script prints it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Options for {@link runJsonClient}. */
export interface RunJsonClientOptions {
  /** Kill the client and fail after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Environment variables added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs `command args...`, waits for it to exit 0, and parses the last non-empty stdout line as
 * JSON (a client library may log above it). Throws with the client's stderr when it fails.
 */
export async function runJsonClient(
  command: string,
  args: readonly string[],
  options: RunJsonClientOptions = {},
): Promise<Json> {
  const proc = spawnTracked(command, args, { env: { ...process.env, ...options.env } });
  return jsonResult(proc, `${command} ${args.slice(-2).join(' ')}`, options.timeoutMs ?? 60_000);
}

/**
 * Waits for a client started with spawnTracked to exit 0 and parses the last non-empty stdout line
 * as JSON. Kills it and throws, with its output, if it fails or outlives `timeoutMs`.
 */
export async function jsonResult(proc: TrackedProcess, what: string, timeoutMs: number): Promise<Json> {
  if (!(await waitForExit(proc, timeoutMs))) {
    await stopProcess(proc, 1_000);
    throw new Error(`${what}: no exit within ${timeoutMs} ms\nstderr:\n${tail(proc.stderr())}`);
  }
  const code = await proc.exited;
  const lines = proc.stdout().split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (code !== 0 || last === undefined) {
    throw new Error(`${what}: exited ${code}\nstdout:\n${tail(proc.stdout())}\nstderr:\n${tail(proc.stderr())}`);
  }
  return JSON.parse(last) as Json;
}

/** Runs a short probe command synchronously and says whether it exited 0, with its stderr. */
export function probe(command: string, args: readonly string[]): { readonly ok: boolean; readonly output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  const output = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim();
  return { ok: result.status === 0, output };
}
