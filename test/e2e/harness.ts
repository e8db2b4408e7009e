/**
 * Helpers of the agent's end-to-end tests: agents run as `node dist/cli/run.js agent`, small
 * HTTP apps (examples/fleet/web-app.mjs, examples/namenode-ha/master-app.mjs) as real processes,
 * all tracked by the shared harness so `reapAll()` kills every group.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZkClient } from '../../client/index.js';
import { corralBin, repoRoot, signalGroup, spawnTracked, type TrackedProcess, until, waitForExit } from '../helpers/index.js';

const started = new Set<TrackedProcess>();
const agentProcs = new WeakSet<TrackedProcess>();

/** SIGKILLs the group of every agent and app the harness started (not the servers) and waits. */
export async function killStarted(): Promise<void> {
  const procs = [...started];
  started.clear();
  // Agents first and politely: a supervised app lives in its own process group, and only its
  // agent's orderly stop takes it down.
  const agents = procs.filter((proc) => agentProcs.has(proc));
  for (const proc of agents) signalGroup(proc, 'SIGTERM');
  await Promise.all(agents.map((proc) => waitForExit(proc, 15_000)));
  for (const proc of procs) signalGroup(proc, 'SIGKILL');
  await Promise.all(procs.map((proc) => waitForExit(proc, 10_000)));
}

/** The demo web app and the dummy master. */
export const webApp = join(repoRoot, 'examples', 'fleet', 'web-app.mjs');
export const masterApp = join(repoRoot, 'examples', 'namenode-ha', 'master-app.mjs');
export const namenodeDir = join(repoRoot, 'examples', 'namenode-ha');

/** A running agent process and its status endpoint. */
export interface AgentProcess {
  readonly proc: TrackedProcess;
  readonly statusUrl: string;
}

/** Writes `yaml` to `<dir>/<name>.yaml` and starts an agent on it; waits for its status endpoint. */
export async function startAgent(dir: string, name: string, yaml: string, server: string): Promise<AgentProcess> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  const proc = spawnTracked(process.execPath, [corralBin, 'agent', '--config', file, '--server', server], {
    cwd: dir,
    env: { ...process.env, CORRAL_LOG: process.env.CORRAL_LOG ?? 'info' },
  });
  started.add(proc);
  agentProcs.add(proc);
  const port = await until(
    () => {
      if (proc.hasExited()) throw new Error(`agent ${name} exited: ${proc.stderr().slice(-2000)}`);
      const match = /"port":(\d+),"msg":"status endpoint listening"/.exec(proc.stderr());
      return match?.[1];
    },
    { timeoutMs: 20_000, what: `agent ${name} status endpoint` },
  );
  return { proc, statusUrl: `http://127.0.0.1:${port}` };
}

/** Starts `node script port name` and waits for its "listening" line. */
export async function startApp(script: string, port: number, name: string): Promise<TrackedProcess> {
  const proc = spawnTracked(process.execPath, [script, String(port), name], { cwd: repoRoot });
  started.add(proc);
  await until(() => /listening on/.test(proc.stdout()) || (proc.hasExited() && 'exited'), { timeoutMs: 10_000, what: `${name} listening` });
  if (proc.hasExited()) throw new Error(`${name} exited: ${proc.stderr()}`);
  return proc;
}

/** GETs JSON, or null when the app does not answer. */
export async function getJson(url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    // Down, refusing or paused: the caller treats "no answer" as not active.
    return null;
  }
}

/** A connected plain client for the test's own reads and writes. */
export async function testClient(server: string): Promise<ZkClient> {
  const client = new ZkClient(server, { sessionTimeoutMs: 10_000 });
  await client.connect({ timeoutMs: 15_000 });
  return client;
}

/** Samples every master's /state every ~50 ms until stopped; records instants with two actives. */
export class RoleSampler {
  /** `fenced[i]` is app i's own "I was fenced" flag (false when it does not answer). */
  readonly samples: { readonly atMs: number; readonly roles: readonly string[]; readonly fenced: readonly boolean[] }[] = [];
  readonly overlaps: string[][] = [];
  #running = true;
  readonly #loop: Promise<void>;

  /** Starts sampling `ports` at once. */
  constructor(readonly ports: readonly number[]) {
    this.#loop = this.#run();
  }

  /** The roles of the last sample. */
  get last(): readonly string[] {
    return this.samples[this.samples.length - 1]?.roles ?? [];
  }

  /** Stops sampling. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const states = await Promise.all(this.ports.map((p) => getJson(`http://127.0.0.1:${p}/state`)));
      const roles = states.map((s) => (s === null ? 'down' : String(s['role'])));
      const fenced = states.map((s) => s?.['fenced'] === true);
      this.samples.push({ atMs: performance.now(), roles, fenced });
      if (roles.filter((r) => r === 'active').length > 1) this.overlaps.push(roles);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
