import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  reapAll,
  type ServerHandle,
  startCorral,
  startZooKeeper,
  zookeeperAvailability,
  type ZooCfg,
} from '../helpers/index.js';
import { InteropClient } from './zk-client.js';

/** One server implementation the interop scenarios run against. */
export interface InteropTarget {
  /** `corral` or `zookeeper`. */
  readonly name: 'corral' | 'zookeeper';
  /** The describe label; says why when the target is skipped. */
  readonly label: string;
  /** True when this target cannot run here (ZooKeeper not installed). */
  readonly skip: boolean;
  /** Why the target is skipped ('' when it runs). */
  readonly skipReason: string;
  /** Starts a fresh standalone server of this kind. */
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
      const client = await InteropClient.connect(server.connectString, options);
      clients.push(client);
      return client;
    },
  };
}
