import { writeFile } from 'node:fs/promises';

/** A zoo.cfg as key/value pairs; keys spelled exactly as in zoo.cfg. */
export type ZooCfg = Readonly<Record<string, string | number>>;

/** Which server implementation a handle runs. */
export type ServerKind = 'corral' | 'zookeeper';

/** A running (or stopped) server process started by the harness. */
export interface ServerHandle {
  /** `corral` or `zookeeper`. */
  readonly kind: ServerKind;
  /** The address clients connect to (always on 127.0.0.0/8). */
  readonly host: string;
  /** The bound client port; restart() keeps it. */
  readonly port: number;
  /** `host:port`, the form clients and zkCli.sh take. */
  readonly connectString: string;
  /** The server's dataDir. */
  readonly dataDir: string;
  /** The zoo.cfg file the server was started with. */
  readonly configPath: string;
  /** Everything the current server process wrote to stdout. */
  readonly stdout: string;
  /** Everything the current server process wrote to stderr. */
  readonly stderr: string;
  /** Stops the server: SIGTERM to its process group, SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Signals the server's process group; for SIGKILL it resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server if it is running and starts it again on the same config, port and dataDir. */
  restart(): Promise<void>;
  /** Stops the server and removes the temp dirs the harness made for it. */
  dispose(): Promise<void>;
}

/** Renders key/value pairs as zoo.cfg text, one `key=value` line each, in the given order. */
export function renderZooCfg(cfg: ZooCfg): string {
  return Object.entries(cfg)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}

/** Writes `cfg` to `path` as a zoo.cfg file. */
export async function writeZooCfg(path: string, cfg: ZooCfg): Promise<void> {
  await writeFile(path, renderZooCfg(cfg), 'utf8');
}

/** The last `maxChars` characters of a process's output, for error messages. */
export function tail(text: string, maxChars = 2_000): string {
  return text.length <= maxChars ? text : `…${text.slice(-maxChars)}`;
}
