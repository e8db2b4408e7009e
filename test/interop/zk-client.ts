import { createRequire } from 'node:module';

/** The slice of node-zookeeper-client's callback API that the interop tests use. */
interface RawStat {
  readonly czxid: Buffer;
  readonly mzxid: Buffer;
  readonly pzxid: Buffer;
  readonly ctime: Buffer;
  readonly mtime: Buffer;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: Buffer;
  readonly dataLength: number;
  readonly numChildren: number;
}
interface RawEvent {
  getType(): number;
  getName(): string;
  getPath(): string;
}
interface RawError extends Error {
  getCode(): number;
}
interface RawId {
  readonly scheme: string;
  readonly id: string;
}
interface RawAcl {
  readonly permission: number;
  readonly id: RawId;
}
type Callback<T> = (error: RawError | null | undefined, value: T, extra?: unknown) => void;
type Watcher = (event: RawEvent) => void;
interface RawTransaction {
  create(path: string, data: Buffer | undefined, acls: RawAcl[], mode: number): RawTransaction;
  setData(path: string, data: Buffer | null, version: number): RawTransaction;
  remove(path: string, version: number): RawTransaction;
  check(path: string, version: number): RawTransaction;
  commit(callback: (error: RawError | null, results: RawMultiResult[] | undefined) => void): void;
}
interface RawClient {
  connect(): void;
  close(): void;
  once(event: 'connected' | 'disconnected' | 'expired' | 'authenticationFailed', listener: () => void): void;
  getSessionId(): Buffer;
  addAuthInfo(scheme: string, auth: Buffer): void;
  create(path: string, data: Buffer | null, acls: RawAcl[], mode: number, callback: Callback<string>): void;
  remove(path: string, version: number, callback: Callback<void>): void;
  setData(path: string, data: Buffer | null, version: number, callback: Callback<RawStat>): void;
  getData(path: string, watcher: Watcher | undefined, callback: (e: RawError | null, data: Buffer | undefined, stat: RawStat) => void): void;
  exists(path: string, watcher: Watcher | undefined, callback: Callback<RawStat | null>): void;
  getChildren(path: string, watcher: Watcher | undefined, callback: (e: RawError | null, children: string[], stat: RawStat) => void): void;
  getACL(path: string, callback: (e: RawError | null, acls: RawAcl[], stat: RawStat) => void): void;
  setACL(path: string, acls: RawAcl[], version: number, callback: Callback<RawStat>): void;
  transaction(): RawTransaction;
}
interface RawMultiResult {
  readonly type: number;
  readonly err?: number;
  readonly path?: string;
  readonly stat?: RawStat;
}
interface NodeZkModule {
  createClient(connectString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): RawClient;
  ACL: new (permission: number, id: RawId) => RawAcl;
  Id: new (scheme: string, id: string) => RawId;
}

const nodeZk = createRequire(import.meta.url)('node-zookeeper-client') as NodeZkModule;

/** CreateMode flag values (reference §5.3). */
export const CreateMode = { persistent: 0, ephemeral: 1, persistentSequential: 2, ephemeralSequential: 3 } as const;

/** The deterministic Stat fields the tests compare (times are left out on purpose). */
export interface StatView {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** One ACL entry in plain form. */
export interface AclEntry {
  readonly perms: number;
  readonly scheme: string;
  readonly id: string;
}

/** A watch notification as the client saw it, tagged with the call that set the watch. */
export interface WatchEvent {
  readonly type: number;
  readonly path: string;
  readonly via: 'exists' | 'getData' | 'getChildren';
}

/** One sub-result of a multi, in plain form: op type and error code (0 on success). */
export interface MultiOutcome {
  readonly type: number;
  readonly err: number;
  readonly path?: string;
}

/** A ZooKeeper error as the adapter rejects with it: `code` is the KeeperException code. */
export class ClientError extends Error {
  /** The numeric error code (for example -101 for NoNode). */
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

function stat(raw: RawStat): StatView {
  return {
    czxid: raw.czxid.readBigInt64BE(0),
    mzxid: raw.mzxid.readBigInt64BE(0),
    pzxid: raw.pzxid.readBigInt64BE(0),
    version: raw.version,
    cversion: raw.cversion,
    aversion: raw.aversion,
    ephemeralOwner: raw.ephemeralOwner.readBigInt64BE(0),
    dataLength: raw.dataLength,
    numChildren: raw.numChildren,
  };
}

function settle<T>(resolve: (v: T) => void, reject: (e: Error) => void, error: RawError | null | undefined, value: T): void {
  if (error) reject(toClientError(error));
  else resolve(value);
}

function toClientError(error: RawError): ClientError {
  return new ClientError(error.getCode(), error.message);
}

function toRawAcl(acl: readonly AclEntry[]): RawAcl[] {
  return acl.map((entry) => new nodeZk.ACL(entry.perms, new nodeZk.Id(entry.scheme, entry.id)));
}

/** The open ACL (world:anyone, all permissions). */
export const openAcl: readonly AclEntry[] = [{ perms: 31, scheme: 'world', id: 'anyone' }];

/**
 * A promise wrapper over one node-zookeeper-client session. Watches record their events in
 * `events`, in arrival order, so that tests can compare the sequence across servers.
 */
export class InteropClient {
  /** Every watch notification received, in order. */
  readonly events: WatchEvent[] = [];
  readonly #raw: RawClient;
  #closed = false;

  private constructor(raw: RawClient) {
    this.#raw = raw;
  }

  /** Connects a new session to `connectString` and resolves once it is connected. */
  static async connect(connectString: string, options: { sessionTimeoutMs?: number; timeoutMs?: number } = {}): Promise<InteropClient> {
    const raw = nodeZk.createClient(connectString, { sessionTimeout: options.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: 0 });
    const timeoutMs = options.timeoutMs ?? 15_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        raw.close();
        reject(new Error(`connect to ${connectString}: not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      raw.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      raw.connect();
    });
    return new InteropClient(raw);
  }

  /** The session id the server assigned. */
  get sessionId(): bigint {
    return this.#raw.getSessionId().readBigInt64BE(0);
  }

  /** Closes the session (closeSession) and resolves once the connection is gone (bounded). */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#raw.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#raw.close();
    });
  }

  /** Adds credentials (`digest`, `user:password`) and waits for a round trip so they apply. */
  async addAuth(scheme: string, auth: string): Promise<void> {
    this.#raw.addAuthInfo(scheme, Buffer.from(auth));
    await this.exists('/');
  }

  /** Creates a znode and resolves with the created path (with any sequence suffix). */
  create(path: string, data: string | null = null, options: { mode?: number; acl?: readonly AclEntry[] } = {}): Promise<string> {
    const buffer = data === null ? null : Buffer.from(data);
    const acl = toRawAcl(options.acl ?? openAcl);
    return new Promise((resolve, reject) => {
      this.#raw.create(path, buffer, acl, options.mode ?? CreateMode.persistent, (e, p) => settle(resolve, reject, e, p));
    });
  }

  /** Deletes a znode if `version` matches (-1 = any). */
  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#raw.remove(path, version, (e) => settle(resolve, reject, e, undefined));
    });
  }

  /** Sets a znode's data if `version` matches (-1 = any) and resolves with the new Stat. */
  setData(path: string, data: string, version = -1): Promise<StatView> {
    return new Promise((resolve, reject) => {
      this.#raw.setData(path, Buffer.from(data), version, (e, s) => (e ? reject(toClientError(e)) : resolve(stat(s))));
    });
  }

  /** Reads a znode's data (as UTF-8, null when none) and Stat; `watch` sets a one-shot data watch. */
  getData(path: string, options: { watch?: boolean } = {}): Promise<{ data: string | null; stat: StatView }> {
    return new Promise((resolve, reject) => {
      this.#raw.getData(path, this.#watcher(options.watch, 'getData'), (e, data, s) => {
        if (e) reject(toClientError(e));
        else resolve({ data: data === undefined || data === null ? null : data.toString('utf8'), stat: stat(s) });
      });
    });
  }

  /** Resolves with the Stat, or null when the znode does not exist; `watch` sets an exists watch. */
  exists(path: string, options: { watch?: boolean } = {}): Promise<StatView | null> {
    return new Promise((resolve, reject) => {
      this.#raw.exists(path, this.#watcher(options.watch, 'exists'), (e, s) => {
        if (e) reject(toClientError(e));
        else resolve(s === null ? null : stat(s));
      });
    });
  }

  /** Lists children (sorted, since the server's order is unspecified) and the parent's Stat. */
  getChildren(path: string, options: { watch?: boolean } = {}): Promise<{ children: string[]; stat: StatView }> {
    return new Promise((resolve, reject) => {
      this.#raw.getChildren(path, this.#watcher(options.watch, 'getChildren'), (e, children, s) => {
        if (e) reject(toClientError(e));
        else resolve({ children: [...children].sort(), stat: stat(s) });
      });
    });
  }

  /** Reads a znode's ACL. */
  getAcl(path: string): Promise<AclEntry[]> {
    return new Promise((resolve, reject) => {
      this.#raw.getACL(path, (e, acls) => {
        if (e) reject(toClientError(e));
        else resolve(acls.map((a) => ({ perms: a.permission, scheme: a.id.scheme, id: a.id.id })));
      });
    });
  }

  /** Replaces a znode's ACL if `version` matches its aversion (-1 = any). */
  setAcl(path: string, acl: readonly AclEntry[], version = -1): Promise<StatView> {
    return new Promise((resolve, reject) => {
      this.#raw.setACL(path, toRawAcl(acl), version, (e, s) => (e ? reject(toClientError(e)) : resolve(stat(s))));
    });
  }

  /**
   * Brings this client's server up to date with everything committed before the call, as `sync`
   * would (node-zookeeper-client has none): a multi of one check of `/` at any version changes
   * nothing, and a member answers a write only once it has applied it, after every earlier txn.
   * On an ensemble, a client that reads what another client wrote calls this first.
   */
  async catchUp(): Promise<void> {
    const { err } = await this.multi((t) => t.check('/', -1));
    if (err !== 0) throw new ClientError(err, 'catch-up multi failed');
  }

  /** Runs a multi built by `build`; resolves with the first failing code (0 if none) and all results. */
  multi(build: (txn: MultiBuilder) => void): Promise<{ err: number; results: MultiOutcome[] }> {
    const txn = this.#raw.transaction();
    build(new MultiBuilder(txn));
    return new Promise((resolve, reject) => {
      txn.commit((error, results) => {
        if (results === undefined) {
          reject(new ClientError(error?.getCode() ?? -1, error?.message ?? 'multi failed without results'));
          return;
        }
        const outcomes = results.map((r) => ({ type: r.type, err: r.err ?? 0, ...(r.path === undefined ? {} : { path: r.path }) }));
        resolve({ err: error ? error.getCode() : 0, results: outcomes });
      });
    });
  }

  #watcher(watch: boolean | undefined, via: WatchEvent['via']): Watcher | undefined {
    if (watch !== true) return undefined;
    return (event) => this.events.push({ type: event.getType(), path: event.getPath(), via });
  }
}

/**
 * Builds the ops of a multi (node-zookeeper-client's Transaction). Beware: that library turns a
 * version of 0 into -1 (`version || -1`) for setData/delete/check inside a multi, so tests use
 * versions other than 0 there.
 */
export class MultiBuilder {
  readonly #txn: RawTransaction;
  constructor(txn: RawTransaction) {
    this.#txn = txn;
  }
  /** Adds a create op. */
  create(path: string, data: string | null = null, mode: number = CreateMode.persistent): this {
    this.#txn.create(path, data === null ? undefined : Buffer.from(data), toRawAcl(openAcl), mode);
    return this;
  }
  /** Adds a setData op. */
  setData(path: string, data: string, version = -1): this {
    this.#txn.setData(path, Buffer.from(data), version);
    return this;
  }
  /** Adds a delete op. */
  remove(path: string, version = -1): this {
    this.#txn.remove(path, version);
    return this;
  }
  /** Adds a check op (version check without a change). */
  check(path: string, version: number): this {
    this.#txn.check(path, version);
    return this;
  }
}

/** Resolves with the ZooKeeper error code of `promise`: 0 if it fulfils, the code if it rejects. */
export async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (err) {
    if (err instanceof ClientError) return err.code;
    throw err;
  }
}
