import { quickJvmFlags, zkCliScript } from './zookeeper.js';
import { spawnTracked, stopProcess, waitForExit } from './processes.js';

/** What a zkCli.sh run printed and how it exited, with the JVM's logging noise removed. */
export interface ZkCliResult {
  /** Command output on stdout, without the connection banner. */
  readonly stdout: string;
  /** stderr without SLF4J start-up warnings (zkCli prints e.g. `Created /a` and errors here). */
  readonly stderr: string;
  /** The process exit code (zkCli exits 1 when the command failed). */
  readonly exitCode: number;
}

/** Lines that zkCli.sh prints on every run whatever the command, so they carry no outcome. */
const noiseLines = [
  /^SLF4J: /,
  /^Connecting to /,
  /^WATCHER::$/,
  /^WatchedEvent state:SyncConnected type:None path:null$/,
  /^$/,
];

function denoise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !noiseLines.some((pattern) => pattern.test(line)))
    .join('\n');
}

/**
 * Runs `zkCli.sh -server <host:port> <args...>` non-interactively (one command per run) and
 * returns its output. zkCli.sh logs through SLF4J with no binding on the Debian classpath, so the
 * only noise left is SLF4J's own warnings and the connection banner, which are filtered out.
 */
export async function zkCli(
  server: string | { readonly connectString: string },
  args: readonly string[],
  options: { readonly timeoutMs?: number } = {},
): Promise<ZkCliResult> {
  const connectString = typeof server === 'string' ? server : server.connectString;
  const proc = spawnTracked('bash', [zkCliScript, '-server', connectString, ...args], {
    env: {
      ...process.env,
      CLIENT_JVMFLAGS: [...quickJvmFlags, '-Dzookeeper.root.logger=ERROR,CONSOLE'].join(' '),
      ZOO_LOG4J_PROP: 'ERROR,CONSOLE',
    },
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(await waitForExit(proc, timeoutMs))) {
    await stopProcess(proc, 1_000);
    throw new Error(`zkCli ${args.join(' ')}: no exit within ${timeoutMs} ms`);
  }
  const code = await proc.exited;
  return {
    stdout: denoise(proc.stdout()),
    stderr: denoise(proc.stderr()),
    exitCode: typeof code === 'number' ? code : -1,
  };
}
