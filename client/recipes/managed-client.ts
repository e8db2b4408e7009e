/**
 * ManagedClient: the connection view every recipe shares, after Curator's ConnectionStateManager.
 * It turns one ZkClient's states into Curator's connection events (connected, suspended,
 * reconnected, lost) and, when built from a factory, replaces an expired client with a new one so
 * recipes can rebuild their ephemeral state on a fresh session.
 */
import { ErrorCode, ZkError } from '../../protocol/index.js';
import { type Logger, silentLogger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import { type SessionState, isTerminal } from '../session.js';
import { Emitter } from './emitter.js';
import { RecipeAbortedError, RecipeClosedError, RecipeTimeoutError, SessionLostError } from './errors.js';

/**
 * Curator's connection states: `suspended` = disconnected, the session may still live;
 * `reconnected` = connected again, on the same session or (after `lost`) on a new client's one;
 * `lost` = the session expired (or authentication failed, or the client was closed elsewhere).
 */
export type ConnectionEvent = 'connected' | 'suspended' | 'reconnected' | 'lost';

/** Options of a ManagedClient. */
export interface ManagedClientOptions {
  readonly log?: Logger;
  /** How long start() waits for the first connection. Default 30 000. */
  readonly connectTimeoutMs?: number;
}

/** Options of a bounded wait. */
export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of ManagedClient.run. */
export interface RunOptions extends WaitOptions {
  /** Retry on the replacement client after an expiry (only for ops that do not depend on the session). */
  readonly acrossSessions?: boolean;
  /** Attempts before giving up. Default 10. */
  readonly maxAttempts?: number;
}

type ManagedEvents = { connection: [event: ConnectionEvent, client: ZkClient] };

/** The connection every recipe uses: the current ZkClient plus Curator-style connection events. */
export class ManagedClient {
  readonly #factory: () => ZkClient;
  readonly #log: Logger;
  readonly #connectTimeoutMs: number;
  readonly #events: Emitter<ManagedEvents>;
  #client: ZkClient;
  #unsubscribe: () => void = () => undefined;
  #generation = 0;
  #hasConnected = false;
  #isLost = false;
  #isStarted = false;
  #isClosed = false;
  /** Set by wrap(): the client belongs to the caller and is never replaced. */
  #isFixed = false;

  /** Wraps `factory`; after an expiry the factory is called again for a client with a new session. */
  constructor(factory: () => ZkClient, options: ManagedClientOptions = {}) {
    this.#factory = factory;
    this.#log = (options.log ?? silentLogger()).child({ component: 'client.recipes' });
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.#events = new Emitter(this.#log);
    this.#client = factory();
    this.#adopt(this.#client);
  }

  /** Wraps an existing client that is never replaced: after its expiry every recipe stays down. */
  static wrap(client: ZkClient, options: ManagedClientOptions = {}): ManagedClient {
    const managed = new ManagedClient(() => client, options);
    managed.#isFixed = true;
    return managed;
  }

  /** The current client (a new one after each expiry when built from a factory). */
  get client(): ZkClient {
    return this.#client;
  }

  /** How many times the client was replaced after an expiry (0 for the first session). */
  get generation(): number {
    return this.#generation;
  }

  /** Whether the current client is connected. */
  get isConnected(): boolean {
    return this.#client.state === 'connected';
  }

  /** Whether close() was called. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The logger recipes derive theirs from. */
  get log(): Logger {
    return this.#log;
  }

  /** Subscribes to connection events; returns the unsubscribe function. */
  onConnection(listener: (event: ConnectionEvent, client: ZkClient) => void): () => void {
    return this.#events.on('connection', listener);
  }

  /** Connects the first client (idempotent) and resolves once it is connected. */
  async start(): Promise<void> {
    if (this.#isClosed) throw new RecipeClosedError('ManagedClient');
    if (!this.#isStarted) {
      this.#isStarted = true;
      this.#connectInBackground(this.#client);
    }
    await this.whenConnected({ timeoutMs: this.#connectTimeoutMs });
  }

  /**
   * Resolves with the connected client: at once when connected, else after the next connection
   * (a replacement client after an expiry). Rejects when closed, when the session is lost for
   * good (a wrapped client), on timeout, or on abort.
   */
  whenConnected(options: WaitOptions = {}): Promise<ZkClient> {
    const immediate = this.#connectedOutcome();
    if (immediate !== undefined) return immediate.ok ? Promise.resolve(immediate.value) : Promise.reject(immediate.error);
    return waitFor<ZkClient>('a connection', options, (settle) =>
      this.onConnection(() => {
        const outcome = this.#connectedOutcome();
        if (outcome !== undefined) settle(outcome);
      }),
    );
  }

  #connectedOutcome(): Outcome<ZkClient> | undefined {
    if (this.#isClosed) return failed(new RecipeClosedError('ManagedClient'));
    if (this.#client.state === 'connected') return ok(this.#client);
    if (this.#isLost && (this.#isFixed || this.#client.state !== 'connecting')) {
      return failed(new SessionLostError('waiting for a connection'));
    }
    return undefined;
  }

  /**
   * Runs `op` with a connected client and retries it after connection errors (its outcome was
   * unknown, so `op` must be idempotent) and, with `acrossSessions`, on the next client after an
   * expiry. Gives up after `maxAttempts` (default 10) with the last error.
   */
  async run<T>(op: (client: ZkClient) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? 10;
    let lastError: unknown;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const client = await this.whenConnected(options);
      try {
        return await op(client);
      } catch (err) {
        const isRetryable = isConnectionError(err) || (options.acrossSessions === true && hasCode(err, ErrorCode.SessionExpired));
        if (!isRetryable) throw err;
        lastError = err;
        this.#log.debug({ err, attempt }, 'retrying after a connection error');
      }
    }
    throw lastError;
  }

  /** Closes the current client (a wrapped client is left to its owner) and stops replacing it. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#unsubscribe();
    // Waiters learn of the close through one last event.
    this.#events.emit('connection', 'lost', this.#client);
    this.#events.clear();
    if (!this.#isFixed) await this.#client.close();
  }

  #adopt(client: ZkClient): void {
    // A wrapped client may have connected before it was handed over.
    this.#hasConnected = client.state !== 'connecting';
    this.#unsubscribe = client.onState((state) => this.#onState(client, state));
  }

  #connectInBackground(client: ZkClient): void {
    client.connect({ timeoutMs: this.#connectTimeoutMs }).catch((err: unknown) => {
      // The client keeps trying after a connect timeout; only its terminal states matter here.
      this.#log.debug({ err }, 'connect did not finish in time');
    });
  }

  #onState(client: ZkClient, state: SessionState): void {
    if (client !== this.#client || this.#isClosed) return;
    switch (state) {
      case 'connected': {
        const event: ConnectionEvent = this.#hasConnected || this.#generation > 0 ? 'reconnected' : 'connected';
        this.#hasConnected = true;
        this.#isLost = false;
        this.#events.emit('connection', event, client);
        return;
      }
      case 'disconnected':
      // Read-only: reads work but writes fail with NotReadOnly, so writers (lock, latch,
      // registry) must act as when suspended; `connected` again reports `reconnected`.
      case 'connectedReadOnly':
        this.#events.emit('connection', 'suspended', client);
        return;
      case 'expired':
      case 'authFailed':
      case 'closed':
        this.#onLost(client, state);
        return;
      case 'connecting':
        return;
    }
  }

  #onLost(client: ZkClient, state: SessionState): void {
    this.#log.info({ state }, 'session lost');
    this.#isLost = true;
    this.#events.emit('connection', 'lost', client);
    // Only an expiry is worth a new session: after authFailed or an outside close a new client
    // would fail the same way.
    if (state !== 'expired' || this.#isFixed || this.#isClosed) return;
    this.#unsubscribe();
    const next = this.#factory();
    this.#client = next;
    this.#generation++;
    this.#adopt(next);
    this.#log.info({ generation: this.#generation }, 'replacing the expired client');
    this.#connectInBackground(next);
  }
}

/** Whether an error is a ZooKeeper outcome with one of `codes`. */
export function hasCode(err: unknown, ...codes: number[]): err is ZkError {
  return err instanceof ZkError && codes.includes(err.code);
}

/** Whether an operation may simply be retried once connected again (its outcome is unknown). */
export function isConnectionError(err: unknown): boolean {
  return hasCode(err, ErrorCode.ConnectionLoss, ErrorCode.OperationTimeout);
}

/**
 * Resolves once `client` is connected again; rejects with SessionLostError once it can never be
 * (its session expired or it was closed), so session-bound work (an ephemeral node) stops.
 */
export function untilClientConnected(client: ZkClient, options: WaitOptions = {}): Promise<void> {
  const outcome = (state: SessionState): Outcome<void> | undefined => {
    if (state === 'connected') return ok(undefined);
    if (isTerminal(state)) return failed(new SessionLostError('waiting for a reconnection'));
    return undefined;
  };
  const now = outcome(client.state);
  if (now !== undefined) return now.ok ? Promise.resolve() : Promise.reject(now.error);
  return waitFor<void>('a reconnection', options, (settle) =>
    client.onState((state) => {
      const next = outcome(state);
      if (next !== undefined) settle(next);
    }),
  );
}

/** How a wait ended: a value, or the error to reject with. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A successful Outcome. */
export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

/** A failed Outcome. */
export function failed<T>(error: unknown): Outcome<T> {
  return { ok: false, error };
}

/**
 * Waits for `subscribe`'s listener to settle, bounded by `timeoutMs` and `signal`; the first
 * outcome wins, later ones are ignored, and the subscription and timer are always released.
 */
export function waitFor<T>(
  what: string,
  options: WaitOptions,
  subscribe: (settle: (outcome: Outcome<T>) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let isDone = false;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: () => void = () => undefined;
    const onAbort = (): void => finish(failed(new RecipeAbortedError(what)));
    const finish = (outcome: Outcome<T>): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    };
    if (options.signal?.aborted === true) {
      finish(failed(new RecipeAbortedError(what)));
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const { timeoutMs } = options;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => finish(failed(new RecipeTimeoutError(what, timeoutMs))), timeoutMs);
    }
    unsubscribe = subscribe(finish);
    if (isDone) unsubscribe();
  });
}
