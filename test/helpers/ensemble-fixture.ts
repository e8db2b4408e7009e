/**
 * The lifecycle the ensemble integration tests share: each test starts its own ensemble with
 * `start`, opens ZkClients with `client`, and after the test every client is destroyed, any
 * paused member is resumed (a stopped process ignores SIGTERM) and the ensemble is disposed;
 * after the file, every child process is reaped. Test-only.
 */
import { afterAll, afterEach } from 'vitest';
import { ZkClient } from '../../client/index.js';
import { startCorralEnsemble, type CorralEnsemble, type CorralEnsembleOptions } from './corral-ensemble.js';
import { reapAll } from './processes.js';
import type { ServerHandle, ZooCfg } from './server-handle.js';

/** What a test file gets from {@link ensemblePerTest}. */
export interface EnsembleFixture {
  /** Starts this test's ensemble (see startCorralEnsemble); it is disposed after the test. */
  start(size: number, cfg?: ZooCfg, options?: CorralEnsembleOptions): Promise<CorralEnsemble>;
  /** The running ensemble; throws when the test started none. */
  readonly ensemble: CorralEnsemble;
  /** The member at `index` of the running ensemble. */
  member(index: number): ServerHandle;
  /** A connected ZkClient, destroyed after the test. */
  client(connectString: string, sessionTimeoutMs?: number): Promise<ZkClient>;
}

/** Registers the hooks and returns the fixture; call it at the top of a test file. */
export function ensemblePerTest(options: { readonly connectTimeoutMs?: number } = {}): EnsembleFixture {
  let current: CorralEnsemble | undefined;
  const clients: ZkClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const m of current?.members ?? []) await m.kill('SIGCONT');
    await current?.dispose();
    current = undefined;
  });
  afterAll(async () => {
    await reapAll();
  });
  const fixture: EnsembleFixture = {
    start: async (size, cfg = {}, ensembleOptions = {}) => {
      current = await startCorralEnsemble(size, cfg, ensembleOptions);
      return current;
    },
    get ensemble(): CorralEnsemble {
      if (current === undefined) throw new Error('this test started no ensemble');
      return current;
    },
    member: (index) => {
      const m = fixture.ensemble.members[index];
      if (m === undefined) throw new Error(`no member ${index}`);
      return m;
    },
    client: async (connectString, sessionTimeoutMs = 20_000) => {
      const c = new ZkClient(connectString, { sessionTimeoutMs });
      clients.push(c);
      await c.connect({ timeoutMs: options.connectTimeoutMs ?? 15_000 });
      return c;
    },
  };
  return fixture;
}
