import { spawn } from 'node:child_process';

/** Inputs of {@link runCommand}. */
export interface RunCommandOptions {
  /** Program and arguments; nothing goes through a shell unless argv says `/bin/sh -c`. */
  readonly argv: readonly string[];
  /** Kill the command's whole process group after this long. */
  readonly timeoutMs: number;
  /** The environment (default: the agent's own, as Node passes it). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory. */
  readonly cwd?: string;
  /** Keep at most this much of stdout+stderr (default 64 KiB); the rest is dropped. */
  readonly maxOutputBytes?: number;
}

/** How a command ended. */
export interface CommandResult {
  /** True when it exited with code 0 in time. */
  readonly ok: boolean;
  /** Its exit code, or null when a signal ended it or it never started. */
  readonly exitCode: number | null;
  /** The signal that ended it, if any. */
  readonly signal: NodeJS.Signals | null;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
  /** The start of its stdout and stderr interleaved, or why it could not start. */
  readonly output: string;
}

/** SIGKILLs a process group; ESRCH means it is already gone, which is what we wanted. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Runs a short command (a check, a template check, a post-render command) in its own process
 * group, so that a timeout kills everything it started, and reports how it ended.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const [program, ...args] = options.argv;
  if (program === undefined) return Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, output: 'empty argv' });
  const maxBytes = options.maxOutputBytes ?? 64 * 1024;
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let output = '';
    let timedOut = false;
    let spawnError: string | null = null;
    const collect = (chunk: Buffer): void => {
      if (output.length < maxBytes) output += chunk.toString('utf8').slice(0, maxBytes - output.length);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      spawnError = `cannot run ${program}: ${err.message}`;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ok = spawnError === null && !timedOut && code === 0;
      resolve({ ok, exitCode: code, signal, timedOut, output: spawnError ?? output });
    });
  });
}

/**
 * Puts `file` in place of every `{{file}}` in argv; inside a `sh -c` script the path is
 * single-quoted, so spaces or quotes in it cannot change the command.
 */
export function substituteFile(argv: readonly string[], file: string): string[] {
  const quoted = `'${file.replace(/'/g, `'\\''`)}'`;
  return argv.map((arg, i) => {
    const isScript = i > 0 && argv[i - 1] === '-c' && /(^|\/)(ba|da|z)?sh$/.test(argv[0] ?? '');
    return arg.replaceAll('{{file}}', isScript ? quoted : file);
  });
}
