import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type CorralEnsemble,
  reapAll,
  type ServerHandle,
  startCorral,
  nextMember,
  startCorralEnsemble,
  startZooKeeper,
  zookeeperAvailability,
  type ZooCfg,
} from '../helpers/index.js';
import { startZooKeeperEnsemble } from '../helpers/zookeeper-ensemble.js';
import { InteropClient } from './zk-client.js';

/** One server implementation the interop scenarios run against. */
export interface InteropTarget {
  /** `corral`, `zookeeper`, or `corral-ensemble` (3 members; see {@link ensembleTargets}). */
  readonly name: 'corral' | 'zookeeper' | 'corral-ensemble';
  /** The describe label; says why when the target is skipped. */
  readonly label: string;
  /** True when this target cannot run here (ZooKeeper not installed). */
  readonly skip: boolean;
  /** Why the target is skipped ('' when it runs). */
  readonly skipReason: string;
  /** Starts a fresh server (standalone, or the whole ensemble) of this kind. */
  start(cfg?: ZooCfg): Promise<ServerHandle>;
}

const zk = zookeeperAvailability();

/**
 * Both targets, for `describe.each(targets)`. The ZooKeeper one is marked `skip` with a clear
 * label when java or the ZooKeeper 3.8 packages are missing; the Corral one always runs.
 */
export const targets: readonly InteropTarget[] = [
  { name: 'corral', label: 'corral', skip: false, skipReason: '', start: (cfg) => startCorral(cfg ? { cfg } : {}) },
  {
    name: 'zookeeper',
    label: zk.ok ? 'zookeeper 3.8' : 'zookeeper 3.8 (skipped)',
    skip: !zk.ok,
    skipReason: zk.ok ? '' : `Apache ZooKeeper 3.8 is not installed: ${zk.reason}`,
    start: (cfg) => startZooKeeper(cfg ? { cfg } : {}),
  },
];

/**
 * A 3-member Corral ensemble seen as one server: `connectString` lists every member, and the
 * fixture and the client programs give each client they open the next member in turn (one
 * host each), so the clients of a scenario sit on different members. `restart()` restarts every
 * member and waits until all serve again.
 */
function ensembleHandle(ensemble: CorralEnsemble): ServerHandle {
  const first = ensemble.members[0] as ServerHandle;
  return {
    kind: 'corral',
    host: first.host,
    port: first.port,
    connectString: ensemble.connectString,
    dataDir: first.dataDir,
    configPath: first.configPath,
    get stdout() {
      return ensemble.members.map((m) => m.stdout).join('');
    },
    get stderr() {
      return ensemble.members.map((m) => m.stderr).join('');
    },
    stop: async () => {
      await Promise.all(ensemble.members.map((m) => m.stop()));
    },
    kill: (signal) => ensemble.kill(signal),
    restart: () => ensemble.restart(),
    dispose: () => ensemble.dispose(),
  };
}

/**
 * The standalone targets plus a 3-member Corral ensemble, for the suites whose scenarios hold for
 * any ZooKeeper service (issue 4: "the client suite and the interop tests pass against a
 * 3-member ensemble, with each client connected to a different member").
 */
export const ensembleTargets: readonly InteropTarget[] = [
  ...targets,
  {
    name: 'corral-ensemble',
    label: 'corral 3-member ensemble',
    skip: false,
    skipReason: '',
    // tickTime as the standalone targets, so negotiated session timeouts agree.
    start: async (cfg) => ensembleHandle(await startCorralEnsemble(3, { tickTime: 2000, ...cfg })),
  },
];

/** A 3-member ensemble whose members a test reaches one by one (to pin clients, to pause one). */
export interface ThreeMemberTarget {
  readonly name: 'corral-ensemble' | 'zookeeper-ensemble';
  /** The describe label; says why when the target is skipped. */
  readonly label: string;
  /** True when this target cannot run here (ZooKeeper not installed). */
  readonly skip: boolean;
  /** Why the target is skipped ('' when it runs). */
  readonly skipReason: string;
  /** Starts 3 voters (tickTime 2000 unless `cfg` says otherwise) and waits until all serve. */
  start(cfg?: ZooCfg): Promise<CorralEnsemble>;
}

/**
 * A 3-member Corral ensemble and a 3-member Apache ZooKeeper 3.8 ensemble (skipped with a clear
 * label when ZooKeeper is not installed), for suites that pin clients to single members or pause
 * one member while the others keep quorum (the failover partition test).
 */
export const threeMemberTargets: readonly ThreeMemberTarget[] = [
  {
    name: 'corral-ensemble',
    label: 'corral 3-member ensemble',
    skip: false,
    skipReason: '',
    start: (cfg) => startCorralEnsemble(3, { tickTime: 2000, ...cfg }),
  },
  {
    name: 'zookeeper-ensemble',
    label: zk.ok ? 'zookeeper 3.8 3-member ensemble' : 'zookeeper 3.8 3-member ensemble (skipped)',
    skip: !zk.ok,
    skipReason: zk.ok ? '' : `Apache ZooKeeper 3.8 is not installed: ${zk.reason}`,
    start: (cfg) => startZooKeeperEnsemble(3, cfg),
  },
];

/** The name of a suite for `target`, carrying the skip reason when the target cannot run. */
export function suiteName(target: InteropTarget, name: string): string {
  return target.skip ? `${name} SKIPPED: ${target.skipReason}` : name;
}

/** A server shared by the tests of one describe block, plus the clients each test opened. */
export interface ServerFixture {
  /** The running server (available inside tests and beforeEach). */
  readonly server: ServerHandle;
  /** Opens a client session to the server; it is closed after the current test. */
  connect(options?: { sessionTimeoutMs?: number }): Promise<InteropClient>;
}

/**
 * Registers beforeAll/afterAll hooks that start one server of `target` for the enclosing
 * describe and stop it (and every child process and temp dir) afterwards; clients opened with
 * `connect()` are closed after each test.
 */
export function useServer(target: InteropTarget, cfg?: ZooCfg): ServerFixture {
  let server: ServerHandle | undefined;
  const clients: InteropClient[] = [];
  const members = { next: 0 };
  beforeAll(async () => {
    server = await target.start(cfg);
  });
  afterEach(async () => {
    const open = clients.splice(0);
    await Promise.all(open.map((client) => client.close()));
  });
  afterAll(async () => {
    await server?.dispose();
    await reapAll();
  });
  return {
    get server(): ServerHandle {
      if (server === undefined) throw new Error('useServer: the server is not started yet');
      return server;
    },
    connect: async (options = {}) => {
      if (server === undefined) throw new Error('useServer: the server is not started yet');
      const client = await InteropClient.connect(nextMember(server.connectString, members), options);
      clients.push(client);
      return client;
    },
  };
}
