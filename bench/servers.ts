/**
 * Starts, probes, measures and stops the two servers the benchmarks compare: Corral
 * (`node dist/cli/run.js server --config <zoo.cfg>`) and Apache ZooKeeper 3.8
 * (`java -cp <classpath> QuorumPeerMain <zoo.cfg>`), each standalone in its own process group
 * with its dataDir under a temp dir on the same disk. Readiness is the same for both: a fresh
 * session answers `exists /`, so a recovery time covers loading the database, not just binding.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpCode } from '../protocol/index.js';
import { WireSession } from './wire-session.js';

/** Which server a handle runs. */
export type ServerKind = 'corral' | 'zookeeper';

/** The repository root (this file runs from dist/bench/). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI that runs Corral. */
export const corralBin = join(repoRoot, 'dist', 'cli', 'run.js');

/** Where the Debian package put ZooKeeper; ZOOKEEPER_HOME overrides it. */
const zookeeperHome = process.env['ZOOKEEPER_HOME'] ?? '/usr/share/zookeeper';

/** How to start one server. */
export interface StartOptions {
  readonly kind: ServerKind;
  /** Holds zoo.cfg, the data dir and the server's output log; created by the caller. */
  readonly dir: string;
  /** zoo.cfg keys added to (and overriding) the bench defaults. */
  readonly cfg?: Readonly<Record<string, string | number>>;
  /** Extra JVM flags (ZooKeeper) or node flags (Corral), e.g. -Xmx2g or --cpu-prof. */
  readonly runtimeFlags?: readonly string[];
  /** Longest wait for the first answer (default 300 s: a million-znode recovery is slow). */
  readonly readyTimeoutMs?: number;
  /** Corral's CLI entry point (default: this checkout's dist/cli/run.js). */
  readonly corralBin?: string;
}

/** A running server. */
export interface BenchServer {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** Milliseconds from spawn until a session first answered. */
  readonly readyMs: number;
  /** Resident set size of the server process (VmRSS), in bytes. */
  rssBytes(): Promise<number>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** True when java and ZooKeeper's jars are installed. */
export function zookeeperInstalled(): boolean {
  return spawnSync('java', ['-version']).status === 0 && zookeeperClasspath() !== '';
}

let classpath: string | undefined;

/** The classpath exactly as the Debian scripts compute it (source zkEnv.sh, print CLASSPATH). */
export function zookeeperClasspath(): string {
  if (classpath !== undefined) return classpath;
  const script = join(zookeeperHome, 'bin', 'zkEnv.sh');
  if (!existsSync(script)) return (classpath = '');
  const result = spawnSync('bash', ['-c', `. "${script}" >/dev/null 2>&1; printf %s "$CLASSPATH"`], {
    encoding: 'utf8',
    env: { ...process.env, CLASSPATH: '', ZOOBINDIR: join(zookeeperHome, 'bin') },
  });
  classpath = result.status === 0 ? result.stdout.trim() : '';
  return classpath;
}

/** Asks the OS for a free port (ZooKeeper refuses clientPort=0). */
export function reservePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from the OS'))));
    });
  });
}

/** Writes zoo.cfg and starts the server on a reserved port; retries twice if the port was taken. */
export async function startBenchServer(options: StartOptions): Promise<BenchServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await reservePort();
    try {
      return await startOnPort(options, port);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Starts the server with the zoo.cfg `options` describe on `port` (for a restart: the same dir,
 * hence the same dataDir and data).
 */
export async function startOnPort(options: StartOptions, port: number): Promise<BenchServer> {
  const dataDir = join(options.dir, 'data');
  const cfgPath = join(options.dir, 'zoo.cfg');
  const cfg: Record<string, string | number> = {
    tickTime: 2000,
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    ...options.cfg,
    dataDir,
    clientPort: port,
    clientPortAddress: '127.0.0.1',
  };
  await writeFile(cfgPath, Object.entries(cfg).map(([k, v]) => `${k}=${v}\n`).join(''));
  const outFd = openSync(join(options.dir, `${options.kind}.out`), 'a');
  const spawnedMs = performance.now();
  const child = spawnServer(options, cfgPath, outFd);
  closeSync(outFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const stop = (graceMs = 30_000): Promise<void> => stopGroup(child, exited, () => hasExited, graceMs);
  try {
    await waitUntilAnswering(port, () => hasExited, options.readyTimeoutMs ?? 300_000);
  } catch (error) {
    await stop(2_000);
    throw error;
  }
  const pid = child.pid ?? -1;
  return {
    kind: options.kind,
    host: '127.0.0.1',
    port,
    pid,
    dataDir,
    readyMs: performance.now() - spawnedMs,
    rssBytes: () => rssBytesOf(pid),
    stop,
  };
}

/** Spawns the server process itself (no wrapper script), detached in its own group. */
function spawnServer(options: StartOptions, cfgPath: string, outFd: number): ChildProcess {
  const flags = options.runtimeFlags ?? [];
  const stdio: ['ignore', number, number] = ['ignore', outFd, outFd];
  if (options.kind === 'corral') {
    return spawn(process.execPath, [...flags, options.corralBin ?? corralBin, 'server', '--config', cfgPath], {
      cwd: options.dir,
      detached: true,
      stdio,
      // info is the CLI default: lifecycle lines only, nothing per request (STYLE.md §7).
      env: { ...process.env, CORRAL_LOG: 'info' },
    });
  }
  // As zkServer.sh start does, minus the OOM heap dump: JVM defaults unless `flags` say more.
  return spawn(
    'java',
    [
      `-Dzookeeper.log.dir=${options.dir}`,
      '-Dzookeeper.log.file=zookeeper.log',
      ...flags,
      '-cp',
      zookeeperClasspath(),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      cfgPath,
    ],
    { cwd: options.dir, detached: true, stdio },
  );
}

/** Polls every 20 ms until a fresh session answers `exists /`, the process dies, or time is up. */
async function waitUntilAnswering(port: number, hasExited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (hasExited()) throw new Error(`the server on port ${port} exited before answering`);
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the server on port ${port} did not answer within ${timeoutMs} ms`);
}

/** One probe: connect, `exists /`, close. */
async function answers(port: number): Promise<boolean> {
  let session: WireSession;
  try {
    session = await WireSession.open({ host: '127.0.0.1', port, connectTimeoutMs: 2_000 });
  } catch {
    // Refused, reset or no ConnectResponse yet: the server is still starting.
    return false;
  }
  const { err } = await session.request({ op: OpCode.exists, path: '/', watch: false }, 5_000);
  await session.close(1_000);
  return err === 0;
}

/** VmRSS of `pid` from /proc, in bytes. */
export async function rssBytesOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Signals the process group, escalating to SIGKILL after `graceMs`. */
async function stopGroup(child: ChildProcess, exited: Promise<void>, hasExited: () => boolean, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || hasExited()) return;
    try {
      process.kill(-child.pid, sig);
    } catch (error) {
      // ESRCH: the group is already gone, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    signal('SIGKILL');
    await exited;
  }
}

/**
 * ZooKeeper's Java heap after a full GC, from `jcmd <pid> GC.run` then `GC.heap_info`; null when
 * jcmd is missing or its output has no "used" figure.
 */
export function zookeeperHeapUsedBytes(pid: number): { usedBytes: number; text: string } | null {
  const gc = spawnSync('jcmd', [String(pid), 'GC.run'], { encoding: 'utf8', timeout: 60_000 });
  if (gc.status !== 0) return null;
  const info = spawnSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8', timeout: 60_000 });
  if (info.status !== 0) return null;
  const match = /used (\d+)K/.exec(info.stdout);
  if (match === null) return null;
  return { usedBytes: Number(match[1]) * 1024, text: info.stdout.trim() };
}
