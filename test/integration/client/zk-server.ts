/**
 * The servers of the client integration suite: a standalone Apache ZooKeeper 3.8 or Corral, in
 * its own process group, on an OS-reserved port, with a temp data dir; or a 3-member Corral
 * ensemble whose clients each get the next member in turn. Each can be frozen (SIGSTOP), killed
 * with SIGKILL and restarted on the same ports and data dirs. Test-only; every process and temp
 * dir is removed by `destroy()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CorralEnsemble, nextMember, startCorralEnsemble } from '../../helpers/index.js';

/** Which server the suite runs against. */
export type Target = 'zookeeper' | 'corral' | 'corral-ensemble';

/** The standalone servers (the recipes' and agent suites run on these). */
export const targets: readonly ('zookeeper' | 'corral')[] = ['zookeeper', 'corral'];

/** Every server the client suite runs against: the same tests must pass on each. */
export const suiteTargets: readonly Target[] = [...targets, 'corral-ensemble'];

/** What the suite does with a server under test. */
export interface SuiteServer {
  readonly target: Target;
  /** Where the next client connects: the server, or the next ensemble member in turn. */
  nextConnectString(): string;
  /** Freezes every server process (SIGSTOP): connections stay open but nothing is answered. */
  stop(): void;
  /** Kills every server process with SIGKILL and waits for them to exit. */
  kill(): Promise<void>;
  /** Starts the servers again on the same ports and data dirs and waits until they serve. */
  restart(): Promise<void>;
  /** Kills the servers and removes their data dirs. */
  destroy(): Promise<void>;
}

/** Starts a fresh server (or ensemble) of `target`. */
export async function startSuiteServer(target: Target): Promise<SuiteServer> {
  return target === 'corral-ensemble' ? EnsembleServer.start() : TestServer.start(target);
}

const zkJar = '/usr/share/java/zookeeper.jar';
const quietLogJar = '/usr/share/java/slf4j-nop.jar';
const corralBin = resolve(import.meta.dirname, '../../../dist/cli/run.js');

/** Why the chosen target cannot run here, or undefined when it can. */
export function unavailableReason(target: Target): string | undefined {
  if (target === 'corral' || target === 'corral-ensemble') {
    return existsSync(corralBin) ? undefined : `Corral is not built (${corralBin} missing; run npm run build)`;
  }
  if (!existsSync(zkJar)) return `Apache ZooKeeper jars missing (${zkJar})`;
  if (!existsSync('/usr/bin/java') && !existsSync('/usr/lib/jvm')) return 'java is not installed';
  return undefined;
}

/** Polls `cond` every 50 ms until it is true; throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, options: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asks the OS for a free port on 127.0.0.1. */
async function reservePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Sends a four-letter word and returns the whole answer ('' when the connection failed). */
export async function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolveText) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => resolveText(''));
    socket.on('close', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    socket.connect(port, '127.0.0.1', () => socket.write(word));
  });
}

/** A running standalone server. */
export class TestServer implements SuiteServer {
  readonly port: number;
  readonly target: Target;
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(target: Target, port: number, dir: string) {
    this.target = target;
    this.port = port;
    this.#dir = dir;
  }

  /** `127.0.0.1:<port>`. */
  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  nextConnectString(): string {
    return this.connectString;
  }

  /** Starts a fresh server with a new data dir and port. */
  static async start(target: 'zookeeper' | 'corral'): Promise<TestServer> {
    const dir = await mkdtemp(join(tmpdir(), 'corral-client-it-'));
    const server = new TestServer(target, await reservePort(), dir);
    await writeFile(join(dir, 'zoo.cfg'), server.#zooCfg());
    await server.restart();
    return server;
  }

  #zooCfg(): string {
    return [
      'tickTime=2000',
      `dataDir=${join(this.#dir, 'data')}`,
      `clientPort=${this.port}`,
      'clientPortAddress=127.0.0.1',
      '4lw.commands.whitelist=*',
      'admin.enableServer=false',
      'extendedTypesEnabled=true',
      '',
    ].join('\n');
  }

  /** Starts the process on the same port and data dir, and waits until it serves. */
  async restart(): Promise<void> {
    const cfg = join(this.#dir, 'zoo.cfg');
    const target = this.target;
    const child =
      target === 'corral'
        ? spawn(process.execPath, [corralBin, 'server', '--config', cfg], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] })
        : spawn(
            'java',
            ['-Dzookeeper.extendedTypesEnabled=true', '-cp', `${zkJar}:${quietLogJar}`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg],
            { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
          );
    this.#child = child;
    this.#exited = new Promise((r) => child.once('exit', () => r()));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      // Only the readiness line matters; keep a bounded tail so a chatty server cannot grow it.
      output = (output + chunk.toString('utf8')).slice(-4_096);
    });
    const isReady = async (): Promise<boolean> =>
      target === 'corral'
        ? output.includes('corral server listening on')
        : (await fourLetterWord(this.port, 'ruok')) === 'imok';
    await until(isReady, { timeoutMs: 30_000, what: `${target} to be ready` });
  }

  /** Freezes the server's process group (SIGSTOP): connections stay open but nothing is answered. */
  stop(): void {
    const pid = this.#child?.pid;
    if (pid !== undefined) process.kill(-pid, 'SIGSTOP');
  }

  /** Kills the server's process group with SIGKILL and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch (err) {
      // ESRCH: the group is already gone, which is the goal.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    await this.#exited;
  }

  /** Kills the server and removes its data dir. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/**
 * A 3-member Corral ensemble (tickTime 2000 and extended types, as the standalone servers),
 * each new client on the next member, so the clients of a test sit on different members.
 */
class EnsembleServer implements SuiteServer {
  readonly target = 'corral-ensemble';
  readonly #ensemble: CorralEnsemble;
  readonly #turn = { next: 0 };

  private constructor(ensemble: CorralEnsemble) {
    this.#ensemble = ensemble;
  }

  static async start(): Promise<EnsembleServer> {
    return new EnsembleServer(await startCorralEnsemble(3, { tickTime: 2000, extendedTypesEnabled: 'true' }));
  }

  nextConnectString(): string {
    return nextMember(this.#ensemble.connectString, this.#turn);
  }

  stop(): void {
    // The members are signalled synchronously; only SIGKILL waits for the exits.
    void this.#ensemble.kill('SIGSTOP');
  }

  kill(): Promise<void> {
    return this.#ensemble.kill('SIGKILL');
  }

  restart(): Promise<void> {
    return this.#ensemble.restart();
  }

  async destroy(): Promise<void> {
    await this.#ensemble.dispose();
  }
}
