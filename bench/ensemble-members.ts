/**
 * A 3-member ensemble of real processes on loopback for the benchmarks, Corral or Apache
 * ZooKeeper alike: every member is started by servers.ts exactly as the standalone benchmarks
 * start a server (own process group, zoo.cfg in a fresh temp dir, dataDir beside it), plus the
 * same `server.N=127.0.0.1:quorumPort:electionPort` lines, initLimit/syncLimit and a `myid`
 * file. Members can be killed with SIGKILL and restarted on the same dataDir and ports.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchServer, reservePort, type ServerKind, type StartOptions, startOnPort } from './servers.js';

/** How to start an ensemble. */
export interface BenchEnsembleOptions {
  readonly kind: ServerKind;
  /** Voters (default 3). */
  readonly size?: number;
  /** zoo.cfg keys shared by every member, over the bench defaults (tickTime 2000, initLimit 10, syncLimit 5). */
  readonly cfg?: Readonly<Record<string, string | number>>;
  /** Corral's CLI entry point (default: this checkout's dist/cli/run.js). */
  readonly corralBin?: string;
  /** Longest wait for a member (or the whole ensemble) to serve (default 120 s). */
  readonly readyTimeoutMs?: number;
}

/** One member: how it is started, and its process while it runs. */
export interface BenchMember {
  /** The `server.N` id (index + 1). */
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly start: StartOptions;
  /** Null while the member is down (killed and not restarted). */
  server: BenchServer | null;
}

/** The `srvr` `Mode:` of a member, or '' when it does not answer with one (down or looking). */
export type MemberMode = string;

/** Bound on one `srvr` probe: a member that hangs must not stall the polling. */
const PROBE_TIMEOUT_MS = 2_000;

/** A running ensemble; `stop()` ends every member and removes the temp dir. */
export class BenchEnsemble {
  readonly kind: ServerKind;
  readonly members: readonly BenchMember[];
  readonly #root: string;
  readonly #readyTimeoutMs: number;

  private constructor(kind: ServerKind, members: BenchMember[], root: string, readyTimeoutMs: number) {
    this.kind = kind;
    this.members = members;
    this.#root = root;
    this.#readyTimeoutMs = readyTimeoutMs;
  }

  /** Starts every member at once (none serves before a quorum runs) and waits for a full ensemble. */
  static async start(options: BenchEnsembleOptions): Promise<BenchEnsemble> {
    const size = options.size ?? 3;
    const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    const root = await mkdtemp(join(tmpdir(), `corral-bench-ensemble-${options.kind}-`));
    const ports = await distinctPorts(size * 3);
    const lines: Record<string, string> = {};
    for (let i = 0; i < size; i++) lines[`server.${i + 1}`] = `127.0.0.1:${ports[size + 2 * i]}:${ports[size + 2 * i + 1]}`;
    const members: BenchMember[] = [];
    for (let i = 0; i < size; i++) {
      const dir = join(root, `m${i + 1}`);
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeFile(join(dir, 'data', 'myid'), `${i + 1}\n`);
      const start: StartOptions = {
        kind: options.kind,
        dir,
        cfg: { tickTime: 2000, initLimit: 10, syncLimit: 5, ...lines, ...options.cfg },
        readyTimeoutMs,
        ...(options.corralBin === undefined ? {} : { corralBin: options.corralBin }),
      };
      members.push({ id: i + 1, host: '127.0.0.1', port: ports[i] as number, start, server: null });
    }
    const ensemble = new BenchEnsemble(options.kind, members, root, readyTimeoutMs);
    try {
      // allSettled: a member still starting when another fails must not be left running.
      const started = await Promise.allSettled(members.map((_, index) => ensemble.restartMember(index)));
      const failed = started.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
      await ensemble.waitForFullEnsemble();
    } catch (error) {
      await ensemble.stop();
      throw error;
    }
    return ensemble;
  }

  /** Every member's `srvr` mode ('' for a member that is down or not serving). */
  async modes(): Promise<MemberMode[]> {
    return Promise.all(this.members.map((m) => (m.server === null ? Promise.resolve('') : memberMode(m.host, m.port))));
  }

  /** Polls until one member leads and every other one follows; returns the leader's index. */
  async waitForFullEnsemble(timeoutMs = this.#readyTimeoutMs): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let last: MemberMode[] = [];
    while (performance.now() < deadline) {
      last = await this.modes();
      const leader = last.indexOf('leader');
      if (leader >= 0 && last.filter((mode) => mode === 'follower').length === this.members.length - 1) return leader;
      await sleep(50);
    }
    throw new Error(`${this.kind} ensemble: no leader with all followers within ${timeoutMs} ms (modes: ${JSON.stringify(last)})`);
  }

  /**
   * SIGKILLs member `index`'s process group and returns the time (performance.now) just before
   * the signal; resolves once the process has exited.
   */
  async killMember(index: number): Promise<number> {
    const member = this.#member(index);
    const server = member.server;
    if (server === null) throw new Error(`member ${member.id} is already down`);
    const killedAtMs = performance.now();
    process.kill(-server.pid, 'SIGKILL');
    member.server = null;
    // The group is dead already; stop() only waits for the exit to be reaped.
    await server.stop(0);
    return killedAtMs;
  }

  /** Starts member `index` on its own dataDir and ports; resolves once it answers a session. */
  async restartMember(index: number): Promise<void> {
    const member = this.#member(index);
    if (member.server !== null) throw new Error(`member ${member.id} is running`);
    member.server = await startOnPort(member.start, member.port);
  }

  /** Stops every member (SIGTERM, SIGKILL after 10 s) and removes the temp dir. */
  async stop(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        const server = m.server;
        m.server = null;
        if (server !== null) await server.stop(10_000);
      }),
    );
    await rm(this.#root, { recursive: true, force: true });
  }

  /** For a signal handler: SIGKILL every member's group and remove the temp dir synchronously. */
  killNow(): void {
    for (const m of this.members) {
      if (m.server === null) continue;
      try {
        process.kill(-m.server.pid, 'SIGKILL');
      } catch (error) {
        // ESRCH: already gone. Anything else is reported but must not stop the cleanup.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') console.error(error);
      }
    }
    // Give the kernel a moment to close the members' files before removing their dirs.
    spawnSync('sleep', ['0.2']);
    rmSync(this.#root, { recursive: true, force: true });
  }

  #member(index: number): BenchMember {
    const member = this.members[index];
    if (member === undefined) throw new RangeError(`no member at index ${index}`);
    return member;
  }
}

/** Reserves `count` ports from the OS, asking again when it hands the same one out twice. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count && attempts < count * 10; attempts++) ports.add(await reservePort());
  if (ports.size < count) throw new Error(`could not reserve ${count} distinct ports`);
  return [...ports];
}

/** The `Mode:` line of `srvr`, or '' when the member is down, not serving or slow. */
export async function memberMode(host: string, port: number): Promise<MemberMode> {
  const text = await fourLetterWord(host, port, 'srvr', PROBE_TIMEOUT_MS).catch(() => '');
  return /Mode: ([\w-]+)/.exec(text)?.[1] ?? '';
}

/** Sends a four-letter word on a fresh connection and returns what the server writes before closing. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port }, () => socket.write(word));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word}: no answer within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
