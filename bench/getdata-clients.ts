/**
 * The two client libraries the client-overhead benchmark compares, behind one small interface:
 * Corral's ZkClient and node-zookeeper-client (the npm package, callback API, promisified here).
 * Each adapter hands back the library's own promise with as little wrapping as the library
 * allows, so the benchmark measures the library and not the adapter.
 */
import { createRequire } from 'node:module';
import { ZkClient } from '../client/index.js';

/** Which client library a run uses. */
export type ClientKind = 'zkclient' | 'node-zookeeper-client';

/** Every client kind, in the order the first round runs them. */
export const CLIENT_KINDS: readonly ClientKind[] = ['zkclient', 'node-zookeeper-client'];

/** One connected session of either library, reduced to what the benchmark calls. */
export interface GetDataClient {
  readonly kind: ClientKind;
  /** Reads a znode's data and resolves with its length in bytes (-1 for null data). */
  getData(path: string): Promise<number>;
  /** Closes the session (closeSession) and the connection; bounded. */
  close(): Promise<void>;
}

/** How long connecting and closing may take before the benchmark gives up. */
const CONNECT_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 5_000;

/** Opens one session of `kind` to host:port and resolves once it is connected. */
export function openGetDataClient(kind: ClientKind, host: string, port: number): Promise<GetDataClient> {
  return kind === 'zkclient' ? openZkClient(host, port) : openNodeZkClient(host, port);
}

/** ZkClient: its getData promise, mapped once to the data length. */
async function openZkClient(host: string, port: number): Promise<GetDataClient> {
  const client = new ZkClient(`${host}:${port}`, { sessionTimeoutMs: 30_000 });
  await client.connect({ timeoutMs: CONNECT_TIMEOUT_MS });
  return {
    kind: 'zkclient',
    getData: (path) => client.getData(path).then(lengthOfZkClientReply),
    close: () => client.close(),
  };
}

function lengthOfZkClientReply(reply: { readonly data: Uint8Array | null }): number {
  return reply.data === null ? -1 : reply.data.length;
}

/** The slice of node-zookeeper-client 1.1's callback API the benchmark uses (it ships no types). */
interface NzcClient {
  connect(): void;
  close(): void;
  once(event: 'connected' | 'disconnected', listener: () => void): void;
  getData(path: string, callback: (error: Error | null, data: Buffer | undefined) => void): void;
}

interface NzcModule {
  createClient(connectString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): NzcClient;
}

let nzcModule: NzcModule | undefined;

/** Loads the CommonJS package lazily, so the rest of bench/ does not need it installed. */
function nodeZookeeperClient(): NzcModule {
  nzcModule ??= createRequire(import.meta.url)('node-zookeeper-client') as NzcModule;
  return nzcModule;
}

/** node-zookeeper-client: its callback getData wrapped in one promise per call. */
async function openNodeZkClient(host: string, port: number): Promise<GetDataClient> {
  // retries 0: a lost connection fails the request instead of re-sending it behind the bench's back.
  const client = nodeZookeeperClient().createClient(`${host}:${port}`, { sessionTimeout: 30_000, spinDelay: 1000, retries: 0 });
  await withTimeout(
    new Promise<void>((resolve) => {
      client.once('connected', resolve);
      client.connect();
    }),
    CONNECT_TIMEOUT_MS,
    () => client.close(),
    `node-zookeeper-client did not connect to ${host}:${port}`,
  );
  return {
    kind: 'node-zookeeper-client',
    getData: (path) =>
      new Promise<number>((resolve, reject) => {
        client.getData(path, (error, data) => {
          if (error !== null && error !== undefined) reject(error);
          else resolve(data === undefined || data === null ? -1 : data.length);
        });
      }),
    close: () => {
      // close() sends closeSession; 'disconnected' follows once the server has closed the socket.
      const closed = new Promise<void>((resolve) => client.once('disconnected', resolve));
      client.close();
      return withTimeout(closed, CLOSE_TIMEOUT_MS, () => undefined, 'node-zookeeper-client did not close').catch(() => undefined);
    },
  };
}

/** Resolves with `promise`, or runs `onTimeout` and rejects with `message` after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${message} within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
