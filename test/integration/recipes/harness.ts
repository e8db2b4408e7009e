/**
 * The recipes' integration harness: one real server per test file, and managed clients that each
 * talk to it through their own cuttable proxy, so a test can suspend one client's connection or
 * let the server expire its session while everyone else carries on. Test-only.
 */
import { ZkClient } from '../../../client/index.js';
import { type ConnectionEvent, ManagedClient } from '../../../client/recipes/index.js';
import { until } from '../../helpers/until.js';
import { describe } from 'vitest';
import { TestServer, fourLetterWord, targets, unavailableReason } from '../client/zk-server.js';
import { CuttableProxy } from './proxy.js';

/**
 * Declares a recipe's suite once per server (Apache ZooKeeper 3.8 and Corral), each skipped with
 * its reason when that server cannot run here. `startServer` starts a fresh standalone server of
 * the suite's target (tickTime 2000).
 */
export function describeEachTarget(recipe: string, body: (startServer: () => Promise<TestServer>) => void): void {
  for (const target of targets) {
    const skipReason = unavailableReason(target);
    const title = `${recipe} against ${target}${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`;
    describe.skipIf(skipReason !== undefined)(title, () => body(() => TestServer.start(target)));
  }
}

/** The shortest session ZooKeeper grants with tickTime=2000 (2 * tickTime). */
export const shortSessionTimeoutMs = 4_000;

/** One participant: a managed client behind its own proxy, with every connection event it saw. */
export interface Member {
  readonly managed: ManagedClient;
  readonly proxy: CuttableProxy;
  readonly events: ConnectionEvent[];
}

/** Tracks members so that afterEach can close them all. */
export class Members {
  readonly #server: () => TestServer;
  readonly #members: Member[] = [];
  readonly #plain: ZkClient[] = [];

  constructor(server: () => TestServer) {
    this.#server = server;
  }

  /** A started managed client behind a fresh proxy (its factory makes a new client after expiry). */
  async add(): Promise<Member> {
    const proxy = await CuttableProxy.start(this.#server().port);
    const managed = new ManagedClient(
      () => new ZkClient(proxy.connectString, { sessionTimeoutMs: shortSessionTimeoutMs, backoffMsMin: 50, backoffMsMax: 300 }),
      { connectTimeoutMs: 15_000 },
    );
    const member: Member = { managed, proxy, events: [] };
    managed.onConnection((event) => member.events.push(event));
    this.#members.push(member);
    await managed.start();
    return member;
  }

  /** A plain client straight to the server, for observing and poking. */
  async plain(): Promise<ZkClient> {
    const client = new ZkClient(this.#server().connectString, { sessionTimeoutMs: 20_000 });
    this.#plain.push(client);
    await client.connect({ timeoutMs: 15_000 });
    return client;
  }

  /** Closes every member and proxy. */
  async closeAll(): Promise<void> {
    for (const m of this.#members.splice(0)) {
      await m.managed.close();
      await m.proxy.close();
    }
    for (const c of this.#plain.splice(0)) await c.close();
  }
}

/**
 * Cuts `member` off until the server has expired its session, then lets it reconnect: it gets a
 * real expiry (`lost`), and its ManagedClient a new client (`reconnected`).
 */
export async function expireSession(server: TestServer, member: Member): Promise<void> {
  const sessionHex = `0x${member.managed.client.sessionId.toString(16)}`;
  const lostBefore = member.events.filter((e) => e === 'lost').length;
  member.proxy.cut();
  await until(async () => !(await fourLetterWord(server.port, 'dump')).includes(sessionHex), {
    timeoutMs: 30_000,
    what: `the server to expire session ${sessionHex}`,
  });
  member.proxy.restore();
  await until(() => member.events.filter((e) => e === 'lost').length > lostBefore, { timeoutMs: 15_000, what: 'lost' });
  await until(() => member.managed.isConnected, { timeoutMs: 15_000, what: 'a new session' });
}

/** Cuts `member` off briefly (well inside its session timeout) and waits until it is back. */
export async function suspend(member: Member, whileCut: () => Promise<void>): Promise<void> {
  member.proxy.cut();
  await until(() => member.events.at(-1) === 'suspended', { timeoutMs: 10_000, what: 'suspended' });
  await whileCut();
  member.proxy.restore();
  await until(() => member.managed.isConnected, { timeoutMs: 10_000, what: 'reconnected' });
}
