import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  signalGroup,
  spawnTracked,
  stopProcess,
  type TrackedProcess,
  waitForExit,
} from './processes.js';
import { type ServerHandle, tail, writeZooCfg, type ZooCfg } from './server-handle.js';
import { tempDir } from './temp-dir.js';
import { until } from './until.js';

/** The repository root, found from this file's location (test/helpers/). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI entry point that `startCorral` runs (`npm run build` makes it). */
export const corralBin = join(repoRoot, 'dist', 'cli', 'run.js');

/** Options for {@link startCorral}. */
export interface StartCorralOptions {
  /** zoo.cfg keys; they override the harness defaults (clientPort=0 on 127.0.0.1, tickTime=2000, every four-letter word allowed, as for ZooKeeper). */
  readonly cfg?: ZooCfg;
  /** Use this dataDir instead of a fresh temp dir (it is then not removed by dispose). */
  readonly dataDir?: string;
  /** How long to wait for the "listening" line (default 30 s). */
  readonly readyTimeoutMs?: number;
}

const listeningLine = /^corral server listening on (.+):(\d+)\s*$/m;

/**
 * Starts `node dist/cli/run.js server --config <zoo.cfg>` in its own process group and waits for
 * its first stdout line, `corral server listening on <host>:<port>`, which names the bound port.
 */
export async function startCorral(options: StartCorralOptions = {}): Promise<ServerHandle> {
  if (!existsSync(corralBin)) {
    throw new Error(`startCorral: ${corralBin} is missing; run \`npm run build\` first`);
  }
  const dir = await tempDir('corral-server-');
  const dataDir = options.dataDir ?? join(dir.path, 'data');
  const configPath = join(dir.path, 'zoo.cfg');
  const baseCfg: ZooCfg = {
    tickTime: 2000,
    clientPort: 0,
    clientPortAddress: '127.0.0.1',
    '4lw.commands.whitelist': '*',
    ...options.cfg,
    dataDir,
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  await writeZooCfg(configPath, baseCfg);
  let proc = await launch(configPath, readyTimeoutMs);
  const bound = parseListening(proc.stdout());
  if (bound === undefined) throw new Error('startCorral: listening line vanished');
  const { host, port } = bound;
  // Pin the port, so that restart() comes back where clients expect it.
  await writeZooCfg(configPath, { ...baseCfg, clientPort: port });

  const handle: ServerHandle = {
    kind: 'corral',
    host,
    port,
    connectString: `${host}:${port}`,
    dataDir,
    configPath,
    get stdout() {
      return proc.stdout();
    },
    get stderr() {
      return proc.stderr();
    },
    stop: () => stopProcess(proc),
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      signalGroup(proc, signal);
      if (signal === 'SIGKILL') await waitForExit(proc, 10_000);
    },
    restart: async () => {
      await stopProcess(proc);
      proc = await launch(configPath, readyTimeoutMs);
    },
    dispose: async () => {
      await stopProcess(proc);
      await dir.cleanup();
    },
  };
  return handle;
}

function parseListening(stdout: string): { host: string; port: number } | undefined {
  const match = listeningLine.exec(stdout);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { host: match[1], port: Number(match[2]) };
}

async function launch(configPath: string, readyTimeoutMs: number): Promise<TrackedProcess> {
  const proc = spawnTracked(process.execPath, [corralBin, 'server', '--config', configPath], {
    cwd: repoRoot,
    // Server logs are captured (never printed); warn keeps them short unless CORRAL_LOG asks more.
    env: { ...process.env, CORRAL_LOG: process.env.CORRAL_LOG ?? 'warn' },
  });
  try {
    const outcome = await until(() => (proc.hasExited() ? 'exited' : parseListening(proc.stdout())), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 25,
      what: 'corral server listening line',
    });
    if (outcome === 'exited') throw new Error('the server exited before listening');
  } catch (err) {
    await stopProcess(proc, 2_000);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `startCorral: ${reason}\nstdout:\n${tail(proc.stdout())}\nstderr:\n${tail(proc.stderr())}`,
    );
  }
  return proc;
}
