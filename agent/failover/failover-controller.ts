/**
 * Active/passive failover for one member of a group, after Hadoop's ZKFailoverController and
 * ActiveStandbyElector (see group-layout.ts for the znodes).
 *
 * Rules, in the order they protect safety:
 * - Go standby at once when the connection is suspended, the session is lost, or the local
 *   health check fails: the server may expire our session soon, and another member may win.
 * - Never go active without fencing the previous active named in the breadcrumb, unless it
 *   handed over cleanly (it deleted the breadcrumb). If every fencing method fails, give the
 *   lock back and retry later, loudly.
 * - Every app transition runs one at a time; after going active the controller re-checks that
 *   it still holds the lock on a live connection, and goes standby again if not.
 *
 * All decisions run in one serialized `#pass()`; events only ask for another pass.
 */
import type { ZkClient } from '../../client/index.js';
import type { ConnectionEvent, ManagedClient } from '../../client/recipes/index.js';
import { ErrorCode, ZkError, type Stat } from '../../protocol/index.js';
import type { Logger } from '../../util/logger.js';
import {
  decodeJson,
  encodeJson,
  failoverRequestSchema,
  groupPaths,
  memberInfoSchema,
  type GroupPaths,
  type MemberInfo,
  type MemberRole,
} from './group-layout.js';

/** The local app's transitions; each rejects when the app did not make the move. */
export interface FailoverApp {
  toActive(token: string): Promise<void>;
  toStandby(): Promise<void>;
  /** Self-fencing for an app this agent supervises: used when toStandby fails. */
  stop?(): Promise<void>;
}

/** The local health check's current verdict and its changes. */
export interface HealthView {
  isHealthy(): boolean;
  onChange(listener: (healthy: boolean) => void): () => void;
}

/** Fences a previous active; resolves true when it is known to be fenced. */
export type Fencer = (target: MemberInfo, context: { readonly group: string; readonly newActive: string }) => Promise<boolean>;

/** Options of FailoverController. */
export interface FailoverControllerOptions {
  readonly managed: ManagedClient;
  readonly group: string;
  readonly root?: string;
  readonly member: { readonly id: string; readonly address: string };
  readonly app: FailoverApp;
  readonly health: HealthView;
  /** Tried in order until one succeeds. */
  readonly fencers: readonly Fencer[];
  /** When set with `failback`, this member takes the active role back whenever it is healthy. */
  readonly preferred?: string | null;
  readonly failback?: boolean;
  /** Pause before trying again after a failed fencing or transition. Default 2 000 ms. */
  readonly retryMs?: number;
  /** A manual request older than this is ignored (its target never came). Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly log: Logger;
  /** Wall clock for status stamps and request ages. */
  readonly wallMs?: () => number;
}

/** A member's view of a failover group, as the controller last decided it. */
export interface FailoverState {
  readonly role: MemberRole;
  readonly reason: string;
  /** The fencing token of the current active term, when this member is active. */
  readonly token: string | null;
}

/** Runs the election and the local app's transitions for one member of a failover group. */
export class FailoverController {
  readonly #o: FailoverControllerOptions;
  readonly #paths: GroupPaths;
  readonly #log: Logger;
  readonly #wallMs: () => number;
  #role: MemberRole = 'initializing';
  #reason = 'starting';
  #token: string | null = null;
  #running: Promise<void> | null = null;
  #isDirty = false;
  #isClosed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #appOps: Promise<void> = Promise.resolve();
  /**
   * True from the moment toActive is asked for until toStandby (or stop) is known to have
   * succeeded: the app may be active, so only a fence or a successful demotion clears it.
   */
  #isAppMaybeActive = false;
  /** Bumped by every demotion, so a toActive that finishes after one knows it was overtaken. */
  #demotions = 0;
  #preparedGeneration = -1;
  #unsubscribe: (() => void)[] = [];
  readonly #listeners = new Set<(state: FailoverState) => void>();

  constructor(options: FailoverControllerOptions) {
    this.#o = options;
    this.#paths = groupPaths(options.group, options.root);
    this.#log = options.log.child({ component: 'agent.failover', group: options.group, member: options.member.id });
    this.#wallMs = options.wallMs ?? (() => Date.now());
  }

  /** The current role and why. */
  get state(): FailoverState {
    return { role: this.#role, reason: this.#reason, token: this.#token };
  }

  /** Calls `listener` on every role change. */
  onChange(listener: (state: FailoverState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Joins the election. */
  start(): void {
    if (this.#unsubscribe.length > 0 || this.#isClosed) return;
    this.#unsubscribe.push(
      this.#o.managed.onConnection((event) => this.#onConnection(event)),
      this.#o.health.onChange(() => this.#kick()),
    );
    this.#kick();
  }

  /** Leaves the election cleanly: standby first, then hands the lock over without a breadcrumb. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    await this.#running;
    const isStandby = await this.#demote('agent stopping');
    const client = this.#o.managed.isConnected ? this.#o.managed.client : null;
    if (client === null) return;
    // Only a member whose app is known to be standby hands over without a breadcrumb; otherwise
    // the breadcrumb stays and the next winner fences this app (as ZKFC's quitElection(needFence)).
    if (isStandby) await this.#releaseCleanly(client);
    else await deleteIfOwned(client, this.#paths.lock, client.sessionId);
  }

  #onConnection(event: ConnectionEvent): void {
    if (event === 'suspended' || event === 'lost') {
      // Demote now, not after the next pass: the session may expire on the server soon.
      this.#demote(event === 'lost' ? 'session expired' : 'connection lost')
        .catch((error: unknown) => this.#log.error({ err: error }, 'going standby after the connection failed'))
        .finally(() => this.#kick());
      return;
    }
    this.#kick();
  }

  /** Asks for another pass; passes never overlap. */
  #kick(): void {
    if (this.#isClosed) return;
    if (this.#running !== null) {
      this.#isDirty = true;
      return;
    }
    this.#running = this.#pass()
      .catch((error: unknown) => this.#onPassError(error))
      .finally(() => {
        this.#running = null;
        if (this.#isDirty) {
          this.#isDirty = false;
          this.#kick();
        }
      });
  }

  #onPassError(error: unknown): void {
    if (error instanceof ZkError && (error.code === ErrorCode.ConnectionLoss || error.code === ErrorCode.SessionExpired)) {
      this.#log.debug({ err: error }, 'failover pass interrupted by the connection');
    } else {
      this.#log.error({ err: error }, 'failover pass failed');
    }
    this.#retryLater();
  }

  #retryLater(): void {
    if (this.#retryTimer !== null || this.#isClosed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#kick();
    }, this.#o.retryMs ?? 2_000);
  }

  /** One decision round against the current state of the group. */
  async #pass(): Promise<void> {
    const managed = this.#o.managed;
    if (!managed.isConnected) {
      await this.#demote('not connected');
      return;
    }
    const client = managed.client;
    await this.#prepare(client, managed.generation);
    const healthy = this.#o.health.isHealthy();
    const request = await this.#readRequest(client);
    const lock = await this.#readLock(client);
    const isMine = lock !== null && lock.stat.ephemeralOwner === client.sessionId;
    if (!healthy) {
      await this.#demote('health check failing');
      if (isMine) await deleteIfOwned(client, this.#paths.lock, client.sessionId);
    } else if (isMine) {
      await this.#whileHolding(client, lock.stat, request);
    } else {
      await this.#whileNotHolding(client, lock, request);
    }
    await this.#publishStatus(client, healthy);
  }

  async #whileHolding(client: ZkClient, lockStat: Stat, request: string | null): Promise<void> {
    if (request !== null && request !== this.#o.member.id) {
      this.#log.info({ to: request }, 'manual failover requested; stepping down');
      if (await this.#demote(`handing over to ${request}`)) {
        await this.#releaseCleanly(client);
      } else {
        // The app may still be active: keep the breadcrumb so the next active fences it.
        this.#log.error({ to: request }, 'app did not reach standby; handing over with fencing');
        await deleteIfOwned(client, this.#paths.lock, client.sessionId);
      }
      return;
    }
    if (this.#role !== 'active') await this.#becomeActive(client, lockStat.czxid.toString());
    if (this.#role === 'active' && request === this.#o.member.id) await deleteQuietly(client, this.#paths.request);
  }

  async #whileNotHolding(client: ZkClient, lock: { info: MemberInfo | null } | null, request: string | null): Promise<void> {
    if (this.#role === 'active' || this.#role === 'becoming-active') await this.#demote('lock held by another member');
    if (request !== null && request !== this.#o.member.id) {
      this.#setRole('standby', `manual failover to ${request} in progress`);
      return;
    }
    if (lock !== null) {
      this.#setRole('standby', `active is ${lock.info?.id ?? 'unknown'}`);
      const wantsBack = this.#o.failback === true && this.#o.preferred === this.#o.member.id;
      if (wantsBack && request === null) await this.#requestFailback(client);
      return;
    }
    const won = await this.#tryLock(client);
    if (won !== null) await this.#becomeActive(client, won.czxid.toString());
  }

  /** Creates the group's persistent znodes once per session generation. */
  async #prepare(client: ZkClient, generation: number): Promise<void> {
    if (this.#preparedGeneration === generation) return;
    for (const path of [...ancestors(this.#paths.group), this.#paths.group, this.#paths.members]) {
      await createIfMissing(client, path);
    }
    this.#preparedGeneration = generation;
  }

  async #readRequest(client: ZkClient): Promise<string | null> {
    const read = await getDataOrNull(client, this.#paths.request, () => this.#kick());
    if (read === null) return null;
    const request = decodeJson(failoverRequestSchema, read.data);
    const ageMs = this.#wallMs() - Number(read.stat.mtime);
    if (request === null || ageMs > (this.#o.requestTimeoutMs ?? 30_000)) return null;
    return request.to;
  }

  async #readLock(client: ZkClient): Promise<{ info: MemberInfo | null; stat: Stat } | null> {
    const read = await getDataOrNull(client, this.#paths.lock, () => this.#kick());
    if (read === null) return null;
    return { info: decodeJson(memberInfoSchema, read.data), stat: read.stat };
  }

  async #tryLock(client: ZkClient): Promise<Stat | null> {
    const info: MemberInfo = { id: this.#o.member.id, address: this.#o.member.address, token: '' };
    try {
      const { stat } = await client.create2(this.#paths.lock, encodeJson(info), { mode: 'ephemeral' });
      this.#log.info({ token: stat.czxid.toString() }, 'won the failover lock');
      return stat;
    } catch (error) {
      if (error instanceof ZkError && error.code === ErrorCode.NodeExists) {
        await getDataOrNull(client, this.#paths.lock, () => this.#kick());
        return null;
      }
      throw error;
    }
  }

  /** Fences the previous active if it did not hand over, writes the breadcrumb, goes active. */
  async #becomeActive(client: ZkClient, token: string): Promise<void> {
    const previous = await getDataOrNull(client, this.#paths.breadcrumb);
    const crumb = previous === null ? null : decodeJson(memberInfoSchema, previous.data);
    if (crumb !== null && crumb.id !== this.#o.member.id) {
      this.#setRole('fencing', `fencing ${crumb.id}`);
      if (!(await this.#fence(crumb))) {
        this.#log.error({ target: crumb.id }, 'every fencing method failed; not going active');
        await deleteIfOwned(client, this.#paths.lock, client.sessionId);
        this.#setRole('standby', `could not fence ${crumb.id}; retrying`);
        this.#retryLater();
        return;
      }
    }
    const mine: MemberInfo = { id: this.#o.member.id, address: this.#o.member.address, token };
    await setOrCreate(client, this.#paths.breadcrumb, encodeJson(mine));
    this.#setRole('becoming-active', 'won the election');
    const demotions = this.#demotions;
    this.#isAppMaybeActive = true;
    try {
      await this.#appOp(() => this.#o.app.toActive(token));
    } catch (error) {
      this.#log.error({ err: error }, 'app failed to become active; giving the lock back');
      await this.#demote('transition to active failed');
      await deleteIfOwned(client, this.#paths.lock, client.sessionId);
      this.#retryLater();
      return;
    }
    // A demotion (connection suspended, then maybe back) ran while the app was moving: its
    // toStandby is queued after this toActive, so the role must not become active; the next pass
    // decides again.
    if (this.#demotions !== demotions) {
      this.#log.warn({}, 'demoted while going active; deciding again');
      this.#kick();
      return;
    }
    // The connection may have gone while the app was moving: then it must not stay active.
    if (!this.#o.managed.isConnected || this.#o.managed.client !== client) {
      await this.#demote('connection lost while going active');
      return;
    }
    this.#token = token;
    this.#setRole('active', 'holds the lock');
    this.#log.info({ token }, 'active');
  }

  async #fence(target: MemberInfo): Promise<boolean> {
    for (const [index, fencer] of this.#o.fencers.entries()) {
      try {
        if (await fencer(target, { group: this.#o.group, newActive: this.#o.member.id })) {
          this.#log.info({ target: target.id, method: index }, 'fenced previous active');
          return true;
        }
        this.#log.warn({ target: target.id, method: index }, 'fencing method failed');
      } catch (error) {
        this.#log.warn({ target: target.id, method: index, err: error }, 'fencing method failed');
      }
    }
    return false;
  }

  /**
   * Moves the app to standby (stopping it if that fails and we supervise it). Resolves true when
   * the app is known to be standby or stopped (or was never asked to go active), false when it
   * may still be active: then only fencing by the next active makes it safe.
   */
  async #demote(reason: string): Promise<boolean> {
    const wasActive = this.#role === 'active' || this.#role === 'becoming-active';
    this.#token = null;
    this.#setRole('standby', reason);
    if (wasActive) this.#demotions++;
    if (!this.#isAppMaybeActive) return true;
    this.#log.warn({ reason }, 'going standby');
    try {
      await this.#appOp(() => this.#o.app.toStandby());
      this.#isAppMaybeActive = false;
      return true;
    } catch (error) {
      this.#log.error({ err: error }, 'app failed to go standby');
    }
    const stop = this.#o.app.stop;
    if (stop === undefined) return false;
    try {
      await this.#appOp(() => stop.call(this.#o.app));
      this.#isAppMaybeActive = false;
      return true;
    } catch (error) {
      this.#log.error({ err: error }, 'app failed to stop; the next active must fence it');
      return false;
    }
  }

  /**
   * A clean hand-over: no breadcrumb, so the next active needs no fencing. Only this member's
   * own breadcrumb is removed; another's still names an active that has to be fenced.
   */
  async #releaseCleanly(client: ZkClient): Promise<void> {
    const crumb = await getDataOrNull(client, this.#paths.breadcrumb);
    if (crumb !== null && decodeJson(memberInfoSchema, crumb.data)?.id === this.#o.member.id) {
      try {
        await client.delete(this.#paths.breadcrumb, crumb.stat.version);
      } catch (error) {
        if (!(error instanceof ZkError && (error.code === ErrorCode.NoNode || error.code === ErrorCode.BadVersion))) throw error;
      }
    }
    await deleteIfOwned(client, this.#paths.lock, client.sessionId);
  }

  async #requestFailback(client: ZkClient): Promise<void> {
    this.#log.info({}, 'preferred member is healthy; asking for the active role back');
    await setOrCreate(client, this.#paths.request, encodeJson({ to: this.#o.member.id }));
  }

  async #publishStatus(client: ZkClient, healthy: boolean): Promise<void> {
    const status = { id: this.#o.member.id, role: this.#role, healthy, reason: this.#reason, sinceWallMs: this.#wallMs() };
    const path = `${this.#paths.members}/${this.#o.member.id}`;
    try {
      await client.create(path, encodeJson(status), { mode: 'ephemeral' });
    } catch (error) {
      if (!(error instanceof ZkError && error.code === ErrorCode.NodeExists)) throw error;
      await client.setData(path, encodeJson(status));
    }
  }

  /** Runs app transitions one at a time, in the order they were asked for. */
  #appOp(op: () => Promise<void>): Promise<void> {
    const next = this.#appOps.then(op, op);
    this.#appOps = next.catch(() => undefined);
    return next;
  }

  #setRole(role: MemberRole, reason: string): void {
    if (this.#role === role && this.#reason === reason) return;
    this.#role = role;
    this.#reason = reason;
    for (const listener of this.#listeners) listener(this.state);
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter((p) => p.length > 0);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

async function createIfMissing(client: ZkClient, path: string): Promise<void> {
  try {
    await client.create(path);
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NodeExists)) throw error;
  }
}

async function getDataOrNull(
  client: ZkClient,
  path: string,
  watch?: () => void,
): Promise<{ data: Uint8Array | null; stat: Stat } | null> {
  try {
    return await client.getData(path, watch === undefined ? {} : { watch: () => watch() });
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NoNode)) throw error;
    // getData sets no watch on a missing node; exists does, so we hear when it appears.
    if (watch !== undefined && (await client.exists(path, { watch: () => watch() })) !== null) {
      return getDataOrNull(client, path, watch);
    }
    return null;
  }
}

async function setOrCreate(client: ZkClient, path: string, data: Uint8Array): Promise<void> {
  try {
    await client.setData(path, data);
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NoNode)) throw error;
    await client.create(path, data);
  }
}

async function deleteQuietly(client: ZkClient, path: string): Promise<void> {
  try {
    await client.delete(path);
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ErrorCode.NoNode)) throw error;
  }
}

/** Deletes an ephemeral only while this session owns it (never someone else's lock). */
async function deleteIfOwned(client: ZkClient, path: string, sessionId: bigint): Promise<void> {
  const stat = await client.exists(path);
  if (stat === null || stat.ephemeralOwner !== sessionId) return;
  try {
    await client.delete(path, stat.version);
  } catch (error) {
    if (!(error instanceof ZkError && (error.code === ErrorCode.NoNode || error.code === ErrorCode.BadVersion))) throw error;
  }
}
