/**
 * LeaderLatch: leader election after Curator's LeaderLatch. Each participant creates an ephemeral
 * sequential `_c_<uuid>-latch-` node holding its participant id; the lowest is the leader and
 * every other participant watches only its predecessor. On a connection loss it reports
 * notLeader at once (Curator's conservative choice: another participant may win while this one
 * cannot tell) and re-checks after reconnecting; after a session expiry it re-joins with a new
 * node on the ManagedClient's replacement client.
 */
import type { Logger } from '../../util/logger.js';
import type { ZkClient } from '../client.js';
import { Emitter } from './emitter.js';
import { RecipeClosedError } from './errors.js';
import {
  type ConnectionEvent,
  type ManagedClient,
  type WaitOptions,
  failed,
  hasCode,
  isConnectionError,
  ok,
  waitFor,
} from './managed-client.js';
import { type UuidSource, createProtectedSequential, deleteOwned, randomUuid } from './nodes.js';
import { childPath, nameOf, sortBySequence, standingOf } from './sequence.js';
import { ErrorCode } from '../../protocol/index.js';

/** The marker in latch node names (Curator's `latch-`). */
export const latchMarker = 'latch-';

/** Options of a LeaderLatch. */
export interface LeaderLatchOptions {
  /** This participant's id, stored as its node's data. Default: empty. */
  readonly id?: string;
  readonly uuid?: UuidSource;
}

/** One participant as read from the latch path. */
export interface Participant {
  readonly id: string;
  readonly nodePath: string;
  readonly isLeader: boolean;
}

type LatchEvents = { isLeader: []; notLeader: []; closed: [] };

/** One participant in a leader election on one latch path. */
export class LeaderLatch {
  readonly #managed: ManagedClient;
  readonly #latchPath: string;
  readonly #id: string;
  readonly #uuid: UuidSource;
  readonly #log: Logger;
  readonly #events: Emitter<LatchEvents>;
  /** Every change of the node or leadership runs here, one at a time. */
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #started: Promise<void> | undefined;
  #client: ZkClient | undefined;
  #nodePath: string | undefined;
  #isLeader = false;
  #isClosed = false;

  constructor(managed: ManagedClient, latchPath: string, options: LeaderLatchOptions = {}) {
    this.#managed = managed;
    this.#latchPath = latchPath;
    this.#id = options.id ?? '';
    this.#uuid = options.uuid ?? randomUuid;
    this.#log = managed.log.child({ recipe: 'leaderLatch', latchPath, participantId: this.#id });
    this.#events = new Emitter(this.#log);
  }

  /** Whether this participant currently leads (false while disconnected). */
  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** This participant's id. */
  get id(): string {
    return this.#id;
  }

  /** This participant's node, once created. */
  get nodePath(): string | undefined {
    return this.#nodePath;
  }

  /** Subscribes to `isLeader`, `notLeader` or `closed`; returns the unsubscribe function. */
  on<K extends keyof LatchEvents>(event: K, listener: () => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Joins the election (idempotent); resolves once this participant's node exists. */
  start(): Promise<void> {
    if (this.#isClosed) return Promise.reject(new RecipeClosedError(`leader latch ${this.#latchPath}`));
    this.#started ??= this.#begin();
    return this.#started;
  }

  async #begin(): Promise<void> {
    this.#unsubscribe = this.#managed.onConnection((event, client) => this.#onConnection(event, client));
    const client = await this.#managed.whenConnected();
    await this.#enqueue(() => this.#join(client), { isBackground: false });
  }

  /** Resolves once this participant leads; rejects on timeout, abort or close. */
  awaitLeadership(options: WaitOptions = {}): Promise<void> {
    if (this.#isLeader) return Promise.resolve();
    if (this.#isClosed) return Promise.reject(new RecipeClosedError(`leader latch ${this.#latchPath}`));
    return waitFor<void>(`leadership of ${this.#latchPath}`, options, (settle) => {
      const offLeader = this.#events.on('isLeader', () => settle(ok(undefined)));
      const offClosed = this.#events.on('closed', () => settle(failed(new RecipeClosedError(`leader latch ${this.#latchPath}`))));
      return () => {
        offLeader();
        offClosed();
      };
    });
  }

  /** Every participant in election order (the leader first), with the id each stored. */
  async participants(): Promise<Participant[]> {
    return this.#managed.run(async (client) => {
      const sorted = sortBySequence(await client.getChildren(this.#latchPath), latchMarker);
      const out: Participant[] = [];
      for (const name of sorted) {
        const nodePath = childPath(this.#latchPath, name);
        try {
          const { data } = await client.getData(nodePath);
          out.push({ id: data === null ? '' : new TextDecoder().decode(data), nodePath, isLeader: out.length === 0 });
        } catch (err) {
          if (!hasCode(err, ErrorCode.NoNode)) throw err;
        }
      }
      return out;
    });
  }

  /** Leaves the election: deletes this participant's node and reports notLeader if it led. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    await this.#enqueue(() => this.#leave(), { isBackground: false });
    this.#isClosed = true;
    this.#unsubscribe?.();
    this.#setLeader(false);
    this.#events.emit('closed');
    this.#events.clear();
  }

  async #leave(): Promise<void> {
    const client = this.#client;
    const path = this.#nodePath;
    this.#client = undefined;
    this.#nodePath = undefined;
    if (client !== undefined && path !== undefined) await deleteOwned(client, path, this.#log);
  }

  /** Creates a node on `client`'s session unless it has one, then checks the standing. */
  async #join(client: ZkClient): Promise<void> {
    if (this.#nodePath !== undefined && this.#client === client) {
      await this.#check(client);
      return;
    }
    this.#client = client;
    this.#nodePath = undefined;
    this.#nodePath = await createProtectedSequential(client, {
      parent: this.#latchPath,
      marker: latchMarker,
      data: this.#id,
      uuid: this.#uuid,
    });
    this.#log.debug({ nodePath: this.#nodePath }, 'joined the election');
    await this.#check(client);
  }

  /** Leads if first; else watches the predecessor and checks again when it changes. */
  async #check(client: ZkClient): Promise<void> {
    if (client !== this.#client || this.#nodePath === undefined) return;
    const own = nameOf(this.#nodePath);
    const sorted = sortBySequence(await client.getChildren(this.#latchPath), latchMarker);
    const standing = standingOf(sorted, own);
    switch (standing.kind) {
      case 'first':
        this.#setLeader(client.state === 'connected');
        return;
      case 'missing':
        // The node went without this session ending (deleted by someone): join again.
        this.#setLeader(false);
        this.#nodePath = undefined;
        await this.#join(client);
        return;
      case 'waiting': {
        this.#setLeader(false);
        const recheck = (): void => this.#enqueue(() => this.#check(client), { isBackground: true });
        const stat = await client.exists(childPath(this.#latchPath, standing.predecessor), { watch: recheck });
        if (stat === null) await this.#check(client);
        return;
      }
    }
  }

  #onConnection(event: ConnectionEvent, client: ZkClient): void {
    switch (event) {
      case 'suspended':
        this.#setLeader(false);
        return;
      case 'lost':
        // The session's ephemeral node is gone with it.
        this.#setLeader(false);
        if (client === this.#client) this.#nodePath = undefined;
        return;
      case 'connected':
      case 'reconnected':
        // Same session: the node may still be there, so look again; a new session joins afresh.
        this.#enqueue(() => this.#join(client), { isBackground: true });
        return;
    }
  }

  #setLeader(isLeader: boolean): void {
    if (this.#isLeader === isLeader) return;
    this.#isLeader = isLeader;
    this.#log.info({ isLeader }, isLeader ? 'became leader' : 'lost leadership');
    this.#events.emit(isLeader ? 'isLeader' : 'notLeader');
  }

  #enqueue(task: () => Promise<void>, options: { readonly isBackground: true }): void;
  #enqueue(task: () => Promise<void>, options: { readonly isBackground: false }): Promise<void>;
  #enqueue(task: () => Promise<void>, options: { readonly isBackground: boolean }): Promise<void> | undefined {
    const run = this.#queue.then(() => (this.#isClosed ? undefined : task()));
    this.#queue = run.catch((err: unknown) => this.#onTaskError(err));
    return options.isBackground ? undefined : run;
  }

  #onTaskError(err: unknown): void {
    // A connection error is followed by a connection event, which schedules a fresh check.
    if (isConnectionError(err) || hasCode(err, ErrorCode.SessionExpired)) {
      this.#log.debug({ err }, 'election step interrupted by the connection');
      return;
    }
    this.#log.error({ err }, 'election step failed');
  }
}
