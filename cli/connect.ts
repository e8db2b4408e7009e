/**
 * How the data commands reach a server: the shared connection flags (`--server`, `--auth`,
 * `--connect-timeout-ms`), the connect string's default (`ZOOKEEPER_CONNECT`, from the
 * environment or a `.env` file, else `localhost:2181`), and a connected ZkClient that is always
 * closed afterwards. Only cli/ reads environment variables (STYLE.md §8).
 */
import { Flags } from '@oclif/core';
import { config as loadDotenv } from 'dotenv';
import { InvalidConnectStringError, ZkClient, parseConnectString } from '../client/index.js';
import { ErrorCode, ZkError } from '../protocol/index.js';
import type { Logger } from '../util/index.js';
import { UsageError } from './exit-codes.js';

/** The connect string used when neither `--server` nor `ZOOKEEPER_CONNECT` is given. */
export const defaultConnectString = 'localhost:2181';

/** The flags every command that talks to a server takes. */
export const connectionFlags = {
  server: Flags.string({
    summary: 'Connect string host:port[,host:port...][/chroot]. Default: $ZOOKEEPER_CONNECT or localhost:2181.',
    helpGroup: 'CONNECTION',
  }),
  auth: Flags.string({
    summary: 'Credentials to add after connecting, as scheme:credentials (e.g. digest:user:password).',
    helpGroup: 'CONNECTION',
  }),
  'connect-timeout-ms': Flags.integer({
    summary: 'Give up (exit 3) when no server answers within this many milliseconds.',
    default: 10_000,
    min: 1,
    helpGroup: 'CONNECTION',
  }),
};

/** The parsed values of {@link connectionFlags}. */
export interface ConnectionOptions {
  readonly server: string | undefined;
  readonly auth: string | undefined;
  readonly 'connect-timeout-ms': number;
}

let isDotenvLoaded = false;

/** The connect string to use: the flag, else `ZOOKEEPER_CONNECT` (environment or `.env`), else the default. */
export function resolveConnectString(flag: string | undefined): string {
  if (flag !== undefined && flag !== '') return flag;
  if (!isDotenvLoaded) {
    // A .env in the working directory fills in what the environment does not set.
    loadDotenv({ quiet: true });
    isDotenvLoaded = true;
  }
  const fromEnv = process.env['ZOOKEEPER_CONNECT'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaultConnectString;
}

/** Splits `scheme:credentials` at the first colon (digest credentials contain a colon too). */
export function parseAuth(text: string): { scheme: string; credentials: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--auth ${JSON.stringify(text)}: expected scheme:credentials, e.g. digest:user:password`);
  return { scheme: text.slice(0, colon), credentials: text.slice(colon + 1) };
}

/** Connects a ZkClient as the flags say, adds the credentials, and fails with advice when no server answers. */
export async function connectClient(options: ConnectionOptions, logger: Logger): Promise<ZkClient> {
  const connectString = resolveConnectString(options.server);
  // Bad --auth values are usage errors, reported before any connection attempt.
  const auths = options.auth === undefined ? [] : [parseAuth(options.auth)];
  let client: ZkClient;
  try {
    parseConnectString(connectString);
    client = new ZkClient(connectString, { log: logger, requestTimeoutMs: options['connect-timeout-ms'] });
  } catch (err) {
    if (err instanceof InvalidConnectStringError) throw new UsageError(`invalid connect string ${JSON.stringify(connectString)}: ${err.message}`);
    throw err;
  }
  const timeoutMs = options['connect-timeout-ms'];
  try {
    await client.connect({ timeoutMs });
  } catch (err) {
    client.destroy();
    if (!(err instanceof ZkError)) throw err;
    throw new ZkError(
      ErrorCode.ConnectionLoss,
      undefined,
      `Cannot connect to ${connectString} within ${timeoutMs} ms: is the server running? ` +
        'Set the address with --server host:port or ZOOKEEPER_CONNECT.',
    );
  }
  for (const { scheme, credentials } of auths) await client.addAuth(scheme, credentials);
  return client;
}

/** Runs `work` with a connected client and closes the session afterwards, whatever happens. */
export async function withClient<T>(options: ConnectionOptions, logger: Logger, work: (client: ZkClient) => Promise<T>): Promise<T> {
  const client = await connectClient(options, logger);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
