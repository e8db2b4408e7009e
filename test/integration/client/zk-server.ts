/**
 * A standalone server for the client integration suite: Apache ZooKeeper 3.8 (default) or
 * Corral (`CORRAL_TEST_TARGET=corral`), in its own process group, on an OS-reserved port, with
 * a temp data dir. It can be killed with SIGKILL and restarted on the same port and data dir.
 * Test-only; every process and temp dir is removed by `destroy()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Which server the suite runs against. */
export type Target = 'zookeeper' | 'corral';

/** Both servers the suite runs against: the same tests must pass on each. */
export const targets: readonly Target[] = ['zookeeper', 'corral'];

const zkJar = '/usr/share/java/zookeeper.jar';
const quietLogJar = '/usr/share/java/slf4j-nop.jar';
const corralBin = resolve(import.meta.dirname, '../../../dist/cli/run.js');

/** Why the chosen target cannot run here, or undefined when it can. */
export function unavailableReason(target: Target): string | undefined {
  if (target === 'corral') {
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
export class TestServer {
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

  /** Starts a fresh server with a new data dir and port. */
  static async start(target: Target): Promise<TestServer> {
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
