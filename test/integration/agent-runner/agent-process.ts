/**
 * Helpers of the agent runner tests: the built CLI run as `corral agent …` (or any other
 * subcommand) in a temp dir, every process tracked by the shared harness so `reapAll()` kills it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { corralBin, spawnTracked, type TrackedProcess, until, waitForExit } from '../../helpers/index.js';

/** A running agent: its process and the base URL of its status endpoint. */
export interface RunningAgent {
  readonly proc: TrackedProcess;
  readonly configFile: string;
  readonly statusUrl: string;
}

/** The environment of a CLI child: logs at info (tests read them), no ZOOKEEPER_CONNECT leaking in. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CORRAL_LOG: process.env.CORRAL_LOG ?? 'info' };
  delete env['ZOOKEEPER_CONNECT'];
  return env;
}

/** Starts `corral ARGS` in `cwd`. */
export function startCorralCli(cwd: string, args: readonly string[]): TrackedProcess {
  return spawnTracked(process.execPath, [corralBin, ...args], { cwd, env: cliEnv() });
}

/** Runs `corral ARGS` to the end (bounded) and returns its exit code and output. */
export async function runCorralCli(cwd: string, args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const proc = startCorralCli(cwd, args);
  if (!(await waitForExit(proc, timeoutMs))) throw new Error(`corral ${args.join(' ')} did not exit within ${timeoutMs} ms`);
  return { code: await proc.exited, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Writes `<dir>/agent.yaml` and starts an agent on it; waits for its status endpoint. */
export async function startAgent(dir: string, yaml: string, server: string): Promise<RunningAgent> {
  const configFile = join(dir, 'agent.yaml');
  await writeFile(configFile, yaml);
  const proc = startCorralCli(dir, ['agent', '--config', configFile, '--server', server]);
  const port = await until(
    () => {
      if (proc.hasExited()) throw new Error(`the agent exited: ${proc.stderr().slice(-2000)}`);
      return /"port":(\d+),"msg":"status endpoint listening"/.exec(proc.stderr())?.[1];
    },
    { timeoutMs: 20_000, what: 'the agent status endpoint' },
  );
  return { proc, configFile, statusUrl: `http://127.0.0.1:${port}` };
}

/** GETs a JSON document, or null when nothing answers. */
export async function getJson(url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    // Not up yet, or gone: the caller polls.
    return null;
  }
}

/** The agent's /status document (throws when it does not answer). */
export async function agentStatus(agent: RunningAgent): Promise<AgentStatusView> {
  const status = await getJson(`${agent.statusUrl}/status`);
  if (status === null) throw new Error('the agent status endpoint did not answer');
  return status as unknown as AgentStatusView;
}

/** The parts of `GET /status` the tests read. */
export interface AgentStatusView {
  readonly agent: { readonly connected: boolean; readonly lastConfigError: string | null; readonly status: { readonly port: number } | null };
  readonly services: readonly { readonly id: string; readonly state: string; readonly maintenance: boolean }[];
  readonly templates: readonly { readonly destination: string; readonly state: string; readonly lastError: string | null }[];
}

/** A rendered file's text, or null while the agent has not written it yet. */
export async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    // Not written yet.
    return null;
  }
}
