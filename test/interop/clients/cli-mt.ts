import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  spawnTracked,
  stopProcess,
  type TempDir,
  tempDir,
  type TrackedProcess,
  until,
  waitForExit,
} from '../../helpers/index.js';
import type { ClientAvailability } from './client-process.js';

/** The ZooKeeper C client's sample shell (package zookeeper-bin). */
export const cliMtPath = '/usr/lib/zookeeper/bin/cli_mt';

/** Whether cli_mt is installed. */
export function cliMtAvailability(): ClientAvailability {
  return existsSync(cliMtPath)
    ? { ok: true, reason: '' }
    : { ok: false, reason: `${cliMtPath} is missing (package zookeeper-bin)` };
}

/** Lines that carry no outcome: input echoes, timings, session banners. */
const noise = [/^Creating \[.*\] node \(mode: \d+\)$/, /^time = -?\d+ msec$/, /^Got a new session id: 0x[0-9a-f]+$/, /^$/];

/**
 * Makes cli_mt output comparable across servers: times, zxids and session ids become placeholders,
 * the C library's log prefix (time, pid, thread) is dropped, and child lists are sorted, since a
 * server's child order is unspecified.
 */
export function normaliseCliMt(text: string): string[] {
  const lines = text
    .split('\n')
    .filter((line) => !noise.some((pattern) => pattern.test(line)))
    .map((line) =>
      line
        .replace(/^(\t[cm]time ?= ?).*$/, '$1<time>')
        .replace(/^(\t[cm]zxid=)[0-9a-f]+$/, '$1<zxid>')
        .replace(/^(\tephemeralOwner = )[1-9a-f][0-9a-f]*$/, '$1<session>')
        .replace(/^\d{4}-\d\d-\d\d [\d:,]+:\d+\(0x[0-9a-f]+\):/, ''),
    );
  return sortChildLists(lines);
}

/** Sorts the child names that follow a `PATH: rc = 0` line of ls/ls2 (tab-indented, no `=`). */
function sortChildLists(lines: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    out.push(...run.sort());
    run = [];
  };
  let inList = false;
  for (const line of lines) {
    const isChild = inList && line.startsWith('\t') && !line.includes('=');
    if (isChild) {
      run.push(line);
      continue;
    }
    flush();
    inList = /^\/\S*: rc = 0$/.test(line);
    out.push(line);
  }
  flush();
  return out;
}

/**
 * One interactive cli_mt session. Commands go in through a FIFO on its stdin (the harness's
 * spawnTracked gives children no stdin pipe); after each command a `sync` on a marker path is
 * sent, and the command's output is everything printed before the marker's completion. cli_mt
 * prints completions and watch events from one thread in the order the server sent them, so the
 * output of one command is deterministic.
 */
export class CliMtSession {
  readonly #proc: TrackedProcess;
  readonly #stdin: FileHandle;
  readonly #dir: TempDir;
  #marker = 0;
  #consumed = 0;

  private constructor(proc: TrackedProcess, stdin: FileHandle, dir: TempDir) {
    this.#proc = proc;
    this.#stdin = stdin;
    this.#dir = dir;
  }

  /** Starts `cli_mt -h <connectString>` and waits for its session to be established. */
  static async start(connectString: string): Promise<CliMtSession> {
    const dir = await tempDir('corral-cli-mt-');
    const fifo = join(dir.path, 'stdin');
    const made = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    // Opened read-write, so that this open never blocks whether or not cli_mt has opened it yet.
    const stdin = await open(fifo, 'r+');
    const proc = spawnTracked('bash', ['-c', 'exec "$0" -h "$1" < "$2"', cliMtPath, connectString, fifo]);
    const session = new CliMtSession(proc, stdin, dir);
    await until(() => proc.hasExited() || /Got a new session id/.test(proc.stderr()), {
      timeoutMs: 20_000,
      what: 'cli_mt to connect',
    });
    if (proc.hasExited()) throw new Error(`cli_mt exited before connecting:\n${proc.stderr()}`);
    session.#consumed = proc.stderr().length;
    return session;
  }

  /** Sends one command line and returns its normalised output lines. */
  async command(line: string): Promise<string[]> {
    this.#marker += 1;
    const marker = `/cli-mt-marker-${this.#marker}`;
    await this.#stdin.write(`${line}\nsync ${marker}\n`);
    const done = `[${marker}]: rc = 0\n\tname = ${marker}\n`;
    await until(() => this.#proc.stderr().includes(done, this.#consumed) || this.#proc.hasExited(), {
      timeoutMs: 20_000,
      what: `cli_mt to answer "${line}"`,
    });
    const all = this.#proc.stderr();
    const end = all.indexOf(done, this.#consumed);
    if (end < 0) throw new Error(`cli_mt exited during "${line}":\n${all.slice(this.#consumed)}`);
    const text = all.slice(this.#consumed, end);
    this.#consumed = end + done.length;
    return normaliseCliMt(text);
  }

  /** Sends `quit`, waits for cli_mt to exit, and removes the FIFO. */
  async close(): Promise<void> {
    if (!this.#proc.hasExited()) {
      await this.#stdin.write('quit\n');
      if (!(await waitForExit(this.#proc, 10_000))) await stopProcess(this.#proc, 1_000);
    }
    await this.#stdin.close();
    await this.#dir.cleanup();
  }
}
