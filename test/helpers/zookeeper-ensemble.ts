/**
 * A 3-member (or any size) Apache ZooKeeper 3.8 ensemble on loopback, the counterpart of
 * corral-ensemble.ts: every member gets reserved client/quorum/election ports, its own temp dir
 * with a dataDir and `myid`, the same `server.N` lines, and runs as its own JVM
 * (`QuorumPeerMain zoo.cfg`, as zookeeper.ts starts a standalone one). `dispose()` stops every
 * JVM and removes the dirs. Test-only; callers skip with `zookeeperAvailability().reason` when
 * ZooKeeper is not installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CorralEnsemble, ensembleOf } from './corral-ensemble.js';
import { signalGroup, stopProcess, type TrackedProcess, waitForExit } from './processes.js';
import { reservePorts } from './reserve-port.js';
import { type ServerHandle, tail, writeZooCfg, type ZooCfg } from './server-handle.js';
import { tempDir, type TempDir } from './temp-dir.js';
import { until } from './until.js';
import { spawnZooKeeper, zookeeperAvailability } from './zookeeper.js';

/** A running ZooKeeper ensemble; the same shape as a Corral one, so tests can take either. */
export type ZooKeeperEnsemble = CorralEnsemble;

/**
 * Starts `size` ZooKeeper voters and waits until every one serves (leader or follower).
 * `cfg` overrides the shared zoo.cfg keys (tickTime 2000, initLimit 10, syncLimit 5).
 */
export async function startZooKeeperEnsemble(size: number, cfg: ZooCfg = {}, readyTimeoutMs = 60_000): Promise<ZooKeeperEnsemble> {
  const availability = zookeeperAvailability();
  if (!availability.ok) throw new Error(`startZooKeeperEnsemble: ${availability.reason}`);
  const ports = await reservePorts(3 * size);
  const lines: Record<string, string> = {};
  for (let i = 1; i <= size; i++) lines[`server.${i}`] = `127.0.0.1:${ports[3 * i - 2]}:${ports[3 * i - 1]}`;
  const dirs: TempDir[] = [];
  const members: ServerHandle[] = [];
  try {
    for (let i = 1; i <= size; i++) {
      const dir = await tempDir(`corral-zk-member-${i}-`);
      dirs.push(dir);
      const dataDir = join(dir.path, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${i}\n`);
      const configPath = join(dir.path, 'zoo.cfg');
      const port = ports[3 * i - 3] as number;
      await writeZooCfg(configPath, {
        tickTime: 2000,
        initLimit: 10,
        syncLimit: 5,
        'admin.enableServer': 'false',
        '4lw.commands.whitelist': '*',
        ...cfg,
        dataDir,
        clientPort: port,
        clientPortAddress: '127.0.0.1',
        ...lines,
      });
      members.push(memberHandle(spawnZooKeeper(configPath, dir.path), port, dataDir, configPath, dir.path));
    }
  } catch (error) {
    for (const m of members) await m.stop();
    for (const d of dirs) await d.cleanup();
    throw error;
  }
  const dispose = async (): Promise<void> => {
    for (const m of members) await m.stop();
    for (const d of dirs) await d.cleanup();
  };
  const ensemble = ensembleOf(members, size, {
    leaderIntervalMs: 200,
    afterRestart: () => allServing(readyTimeoutMs),
    dispose,
  });
  const allServing = async (timeoutMs: number): Promise<void> => {
    await until(async () => (await ensemble.modes()).every((mode) => mode === 'leader' || mode === 'follower'), {
      timeoutMs,
      intervalMs: 200,
      what: 'every ZooKeeper ensemble member serving',
    });
  };
  try {
    await allServing(readyTimeoutMs);
  } catch (error) {
    const logs = members.map((m, i) => `member ${i + 1} stderr:\n${tail(m.stderr)}`).join('\n');
    await dispose();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
  }
  return ensemble;
}

/** One member; restart() only respawns it (the ensemble's restart waits for the quorum). */
function memberHandle(first: TrackedProcess, port: number, dataDir: string, configPath: string, logDir: string): ServerHandle {
  let proc = first;
  const host = '127.0.0.1';
  return {
    kind: 'zookeeper',
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
    stop: async () => {
      // A paused JVM ignores SIGTERM until continued.
      if (!proc.hasExited()) signalGroup(proc, 'SIGCONT');
      await stopProcess(proc);
    },
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      signalGroup(proc, signal);
      if (signal === 'SIGKILL') await waitForExit(proc, 10_000);
    },
    restart: async () => {
      await stopProcess(proc);
      proc = spawnZooKeeper(configPath, logDir);
    },
    dispose: async () => {
      await stopProcess(proc);
    },
  };
}
