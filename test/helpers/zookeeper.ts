import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fourLetterWord } from './four-letter-word.js';
import {
  signalGroup,
  spawnTracked,
  stopProcess,
  type TrackedProcess,
  waitForExit,
} from './processes.js';
import { reservePort } from './reserve-port.js';
import { type ServerHandle, tail, writeZooCfg, type ZooCfg } from './server-handle.js';
import { tempDir } from './temp-dir.js';
import { until } from './until.js';

/** Where the Debian packages put the scripts; ZOOKEEPER_HOME overrides it for a tarball install. */
export const zookeeperHome = process.env.ZOOKEEPER_HOME ?? '/usr/share/zookeeper';

/** The zkEnv.sh that both zkServer.sh and zkCli.sh source to build their classpath. */
const zkEnvScript = join(zookeeperHome, 'bin', 'zkEnv.sh');

/** The zkCli.sh that {@link zkCli} runs. */
export const zkCliScript = join(zookeeperHome, 'bin', 'zkCli.sh');

/** JVM flags that make short-lived JVMs start faster and stay small on the 2-core machines. */
export const quickJvmFlags = ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx256m'];

/** An SLF4J binding for the server's own stderr, so that a failed start says why. */
const slf4jSimpleJar = '/usr/share/java/slf4j-simple.jar';

let cachedClasspath: string | undefined;
let cachedAvailability: { readonly ok: boolean; readonly reason: string } | undefined;

/**
 * The ZooKeeper classpath exactly as zkEnv.sh computes it (the Debian one sets it from
 * /etc/zookeeper/conf/environment, the upstream one globs lib/*.jar): source the script in bash
 * and print `$CLASSPATH`. Computed once per process.
 */
export function zookeeperClasspath(): string {
  if (cachedClasspath !== undefined) return cachedClasspath;
  const result = spawnSync('bash', ['-c', `. "${zkEnvScript}" >/dev/null 2>&1; printf %s "$CLASSPATH"`], {
    encoding: 'utf8',
    env: { ...process.env, CLASSPATH: '', ZOOBINDIR: join(zookeeperHome, 'bin') },
  });
  const classpath = result.status === 0 ? result.stdout.trim() : '';
  cachedClasspath = classpath;
  return classpath;
}

/** Whether `java` and the ZooKeeper 3.8 jars and scripts are installed, with a reason if not. */
export function zookeeperAvailability(): { readonly ok: boolean; readonly reason: string } {
  if (cachedAvailability !== undefined) return cachedAvailability;
  cachedAvailability = checkAvailability();
  return cachedAvailability;
}

/** True when the Apache ZooKeeper half of the interop tests can run (java + jars present). */
export function zookeeperAvailable(): boolean {
  return zookeeperAvailability().ok;
}

function checkAvailability(): { ok: boolean; reason: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.status !== 0) return { ok: false, reason: 'java is not on PATH' };
  if (!existsSync(zkEnvScript) || !existsSync(zkCliScript)) {
    return { ok: false, reason: `${zkEnvScript} or ${zkCliScript} is missing` };
  }
  const jars = zookeeperClasspath().split(':').filter((entry) => entry.endsWith('.jar'));
  if (jars.length === 0 || !jars.every((jar) => existsSync(jar))) {
    return { ok: false, reason: `zkEnv.sh gave no usable jar classpath ("${zookeeperClasspath()}")` };
  }
  return { ok: true, reason: '' };
}

/** Options for {@link startZooKeeper}. */
export interface StartZooKeeperOptions {
  /** zoo.cfg keys; they override the harness defaults. */
  readonly cfg?: ZooCfg;
  /** How long to wait for the server to answer (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts Apache ZooKeeper standalone (`java -cp <classpath> QuorumPeerMain <zoo.cfg>`) with a temp
 * dataDir, `admin.enableServer=false` and `4lw.commands.whitelist=*`, and waits until `ruok`
 * answers `imok` (or `srvr` answers, when the cfg leaves `ruok` off the whitelist).
 * ZooKeeper refuses `clientPort=0`, so the port is reserved first and the start retried if the
 * port was taken in between.
 */
export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<ServerHandle> {
  const availability = zookeeperAvailability();
  if (!availability.ok) throw new Error(`startZooKeeper: ${availability.reason}`);
  const dir = await tempDir('corral-zookeeper-');
  const dataDir = join(dir.path, 'data');
  const configPath = join(dir.path, 'zoo.cfg');
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await reservePort();
    const cfg: ZooCfg = {
      tickTime: 2000,
      'admin.enableServer': 'false',
      '4lw.commands.whitelist': '*',
      ...options.cfg,
      dataDir,
      clientPort: port,
      clientPortAddress: '127.0.0.1',
    };
    await writeZooCfg(configPath, cfg);
    try {
      const proc = await launch(configPath, dir.path, port, readyTimeoutMs);
      return makeHandle({ proc, port, dataDir, configPath, dirCleanup: dir.cleanup, readyTimeoutMs });
    } catch (err) {
      lastError = err;
    }
  }
  await dir.cleanup();
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

interface HandleParts {
  proc: TrackedProcess;
  readonly port: number;
  readonly dataDir: string;
  readonly configPath: string;
  readonly dirCleanup: () => Promise<void>;
  readonly readyTimeoutMs: number;
}

function makeHandle(parts: HandleParts): ServerHandle {
  const host = '127.0.0.1';
  const logDir = join(parts.configPath, '..');
  return {
    kind: 'zookeeper',
    host,
    port: parts.port,
    connectString: `${host}:${parts.port}`,
    dataDir: parts.dataDir,
    configPath: parts.configPath,
    get stdout() {
      return parts.proc.stdout();
    },
    get stderr() {
      return parts.proc.stderr();
    },
    stop: () => stopProcess(parts.proc),
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      signalGroup(parts.proc, signal);
      if (signal === 'SIGKILL') await waitForExit(parts.proc, 10_000);
    },
    restart: async () => {
      await stopProcess(parts.proc);
      parts.proc = await launch(parts.configPath, logDir, parts.port, parts.readyTimeoutMs);
    },
    dispose: async () => {
      await stopProcess(parts.proc);
      await parts.dirCleanup();
    },
  };
}

/**
 * Spawns one ZooKeeper JVM on `configPath` (`QuorumPeerMain zoo.cfg`, as zkServer.sh does; a
 * standalone server or an ensemble member alike), logging errors only, without waiting for it.
 */
export function spawnZooKeeper(configPath: string, logDir: string): TrackedProcess {
  const classpath = [zookeeperClasspath(), ...(existsSync(slf4jSimpleJar) ? [slf4jSimpleJar] : [])];
  return spawnTracked('java', [
    ...quickJvmFlags,
    `-Dzookeeper.log.dir=${logDir}`,
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=error',
    '-cp',
    classpath.join(':'),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    configPath,
  ]);
}

async function launch(
  configPath: string,
  logDir: string,
  port: number,
  readyTimeoutMs: number,
): Promise<TrackedProcess> {
  const proc = spawnZooKeeper(configPath, logDir);
  try {
    const outcome = await until(async () => (proc.hasExited() ? 'exited' : await probe(port)), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 100,
      what: `ZooKeeper on 127.0.0.1:${port} to answer ruok/srvr`,
    });
    if (outcome === 'exited') throw new Error('ZooKeeper exited before serving');
  } catch (err) {
    await stopProcess(proc, 2_000);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`startZooKeeper: ${reason}\nstdout:\n${tail(proc.stdout())}\nstderr:\n${tail(proc.stderr())}`);
  }
  return proc;
}

/**
 * True once the server answers `ruok` with `imok` (or refuses it by whitelist) and `srvr` with a
 * real report: ZooKeeper starts listening before its database is loaded, and `ruok` alone says
 * `imok` in that window too (reference §9.1).
 */
async function probe(port: number): Promise<boolean> {
  const ruok = await fourLetterWord('127.0.0.1', port, 'ruok', { timeoutMs: 2_000 });
  if (ruok !== 'imok' && !ruok.includes('not in the whitelist')) return false;
  const srvr = await fourLetterWord('127.0.0.1', port, 'srvr', { timeoutMs: 2_000 });
  return srvr.startsWith('Zookeeper version:');
}
