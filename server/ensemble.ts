/**
 * The shell of an ensemble member: the epoch files, the peer transport, and the consensus
 * core's durable writes, done in the order each batch lists them (store a leader's snapshot
 * and drop the log, truncate, append, write the epochs, fsync) before `groupPersisted(seq)`.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/logger.js';
import { randomRng } from '../util/rng.js';
import type { ServerConfig } from './config/index.js';
import {
  ConsensusCore,
  DEFAULT_CONSENSUS_TUNING,
  decodeMessage,
  encodeMessage,
  type EpochRecord,
  type LogEntry,
  type PersistBatch,
} from './consensus/index.js';
import { PeerTransport } from './net/index.js';
import { GroupLink, type GroupReady } from './replica/group-link.js';
import { splitStateImage } from './replica/state-image.js';
import type { LogStore, SnapshotStore } from './storage/index.js';

/** ZooKeeper keeps these in the snapshot directory (QuorumPeer.ACCEPTED_EPOCH_FILENAME, CURRENT_EPOCH_FILENAME). */
const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
const CURRENT_EPOCH_FILE = 'currentEpoch';

/**
 * Reads both epoch files; a missing file means epoch 0, as for a new member. The accepted epoch
 * file holds the epoch on its first line, as ZooKeeper's does, and the leader it was promised to
 * on a second line (0, or no line, for none): one file, so one rename makes the pair durable.
 */
export async function readEpochs(dataDir: string): Promise<EpochRecord> {
  const read = async (name: string): Promise<number[]> => {
    const text = await readFile(join(dataDir, 'version-2', name), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '0';
      throw error;
    });
    const values = text.trim().split(/\s+/).map(Number);
    if (values.length > 2 || !values.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw new Error(`${name}: not an epoch: ${JSON.stringify(text)}`);
    }
    return values;
  };
  const [acceptedEpoch = 0, acceptedLeader = 0] = await read(ACCEPTED_EPOCH_FILE);
  const [currentEpoch = 0] = await read(CURRENT_EPOCH_FILE);
  return { acceptedEpoch, acceptedLeader, currentEpoch };
}

/** Writes a file durably: temp file, write, fsync, rename, fsync the directory. */
async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `${name}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, name));
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * Consensus ticks per zoo.cfg tickTime. The core counts whole ticks, so a finer tick lets the
 * election decide within a fraction of tickTime (ZooKeeper's finalizeWait is 200 ms, not a
 * tick) and handshake steps repeat sooner, while syncLimit and initLimit keep their wall-clock
 * length: they are scaled by the same factor.
 */
export const GROUP_TICKS_PER_TICK_TIME = 10;

/** Makes the consensus link of this member from its config and what it recovered from disk. */
export function makeGroupLink(config: ServerConfig, recovered: { epochs: EpochRecord; snapshotZxid: bigint; entries: readonly LogEntry[] }, log: Logger): GroupLink {
  const voters = config.servers.filter((s) => s.role === 'participant').map((s) => s.id);
  const observers = config.servers.filter((s) => s.role === 'observer').map((s) => s.id);
  const perTick = GROUP_TICKS_PER_TICK_TIME;
  const syncLimitTicks = (config.syncLimitTicks ?? DEFAULT_CONSENSUS_TUNING.syncLimitTicks) * perTick;
  const core = new ConsensusCore({
    options: {
      ...DEFAULT_CONSENSUS_TUNING,
      myId: config.serverId,
      voters,
      observers,
      syncLimitTicks,
      initLimitTicks: (config.initLimitTicks ?? DEFAULT_CONSENSUS_TUNING.initLimitTicks) * perTick,
      resendTicks: DEFAULT_CONSENSUS_TUNING.resendTicks * perTick,
    },
    recovered: {
      acceptedEpoch: recovered.epochs.acceptedEpoch,
      acceptedLeader: recovered.epochs.acceptedLeader,
      currentEpoch: recovered.epochs.currentEpoch,
      snapshotZxid: recovered.snapshotZxid,
      entries: recovered.entries,
    },
    rng: randomRng(),
    logger: log.child({ component: 'server.consensus' }),
  });
  return new GroupLink(core, config.serverId, { voters, observers, syncLimitTicks });
}

/** Persist rounds that may be in flight at once (see EnsembleShell's group commit). */
const MAX_PERSISTS_IN_FLIGHT = 2;

/** A batch of log entries only: no snapshot, truncation or epoch files to write first. */
function isPlainBatch(batch: PersistBatch): boolean {
  return batch.snapshot === null && batch.truncateAfter === null && batch.epochs === null;
}

/** Options of EnsembleShell. */
export interface EnsembleShellOptions {
  readonly config: ServerConfig;
  readonly logStore: LogStore;
  readonly snapshots: SnapshotStore;
  readonly log: Logger;
  /** A peer's message arrived. */
  readonly onMessage: (from: number, payload: Uint8Array) => void;
  /** A connection with a peer closed (see PeerTransportOptions.onDisconnected). */
  readonly onPeerDisconnected: (peer: number) => void;
  /** Every batch up to `seq` is durable. */
  readonly onPersisted: (seq: number) => void;
  /** A durable write failed: nothing after it is known durable. */
  readonly onFatal: (error: unknown) => void;
}

/** Moves consensus messages and performs the core's durable writes for one member. */
export class EnsembleShell {
  readonly #o: EnsembleShellOptions;
  readonly transport: PeerTransport;
  /** Persist rounds (write + fsync) started and not yet reported; at most MAX_PERSISTS_IN_FLIGHT. */
  #inFlight = 0;
  /** True while the round in flight is not plain (it runs alone; see isPlainBatch). */
  #isSerialInFlight = false;
  /** Settles once every round started so far is reported (or failed fatally). */
  #reported: Promise<void> = Promise.resolve();
  /** Batches that arrived while no round could start: the next round takes them all. */
  #queued: PersistBatch[] = [];

  constructor(options: EnsembleShellOptions) {
    this.#o = options;
    const { config } = options;
    const me = config.servers.find((s) => s.id === config.serverId);
    if (me === undefined) throw new Error(`server.${config.serverId} is not in the server list`);
    const peers = new Map(config.servers.filter((s) => s.id !== config.serverId).map((s) => [s.id, { host: s.host, port: s.quorumPort }]));
    this.transport = new PeerTransport({
      myId: config.serverId,
      listen: { host: me.host, port: me.quorumPort },
      peers,
      onMessage: options.onMessage,
      onDisconnected: options.onPeerDisconnected,
      log: options.log.child({ component: 'server.peers' }),
      rng: randomRng(),
    });
  }

  /** Decodes a peer message; a bad one is logged and dropped (the sender is buggy or foreign). */
  decode(from: number, payload: Uint8Array): ReturnType<typeof decodeMessage> {
    const decoded = decodeMessage(payload);
    if (!decoded.ok) this.#o.log.warn({ peer: from, reason: decoded.reason }, 'undecodable peer message; dropped');
    return decoded;
  }

  /** Sends the messages and queues the durable writes of one drain. */
  perform(group: GroupReady): void {
    // A proposal or commit goes to every learner as one message object: encode it once.
    let lastMsg: unknown = null;
    let lastBytes: Uint8Array | null = null;
    for (const envelope of group.send) {
      if (envelope.msg !== lastMsg || lastBytes === null) {
        lastMsg = envelope.msg;
        lastBytes = encodeMessage(envelope.msg);
      }
      this.transport.send(envelope.to, lastBytes);
    }
    for (const batch of group.persist) this.#queued.push(batch);
    this.#writeQueued();
  }

  /**
   * Group commit: every batch queued while no round could start is written in order and made
   * durable by one fsync, then reported by its last `seq` (which covers the ones before it).
   * Two rounds of plain batches may overlap (the log store starts the second fdatasync while the
   * first runs, FileLogStore "Overlapping syncs"); rounds are still reported in order. A round
   * with a snapshot, a truncation or epochs waits for the ones before it and runs alone.
   */
  #writeQueued(): void {
    if (this.#queued.length === 0 || this.#inFlight >= MAX_PERSISTS_IN_FLIGHT) return;
    const isPlain = this.#queued.every(isPlainBatch);
    if (this.#inFlight > 0 && (!isPlain || this.#isSerialInFlight)) return;
    const batches = this.#queued;
    this.#queued = [];
    const last = batches[batches.length - 1] as PersistBatch;
    this.#inFlight++;
    this.#isSerialInFlight = !isPlain;
    const durable = isPlain ? this.#persistPlain(batches) : this.#persistAll(batches);
    this.#reported = Promise.all([this.#reported, durable]).then(
      () => {
        this.#inFlight--;
        this.#isSerialInFlight = false;
        this.#o.onPersisted(last.seq);
        this.#writeQueued();
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#o.onFatal(error);
      },
    );
  }

  /** Plain batches: appended now, in order, and synced together. */
  #persistPlain(batches: readonly PersistBatch[]): Promise<void> {
    try {
      for (const batch of batches) this.#o.logStore.append(batch.entries);
    } catch (error: unknown) {
      return Promise.reject(error);
    }
    return this.#o.logStore.sync();
  }

  async #persistAll(batches: readonly PersistBatch[]): Promise<void> {
    let isLogDirty = false;
    for (const batch of batches) {
      // A later batch's epochs never become durable before an earlier batch's txns: the order
      // one batch per fsync gave (within one batch the core orders them itself).
      if (isLogDirty && batch.epochs !== null) await this.#o.logStore.sync();
      await this.#write(batch);
      isLogDirty = true;
    }
    await this.#o.logStore.sync();
  }

  /** Performs one batch's writes in the order the core lists them; the caller fsyncs the log. */
  async #write(batch: PersistBatch): Promise<void> {
    const { logStore, snapshots, config } = this.#o;
    if (batch.snapshot !== null) {
      // Store the leader's image as our snapshot first, then drop the log it supersedes.
      const { meta, digest, chunks } = splitStateImage(batch.snapshot.data);
      const writer = await snapshots.begin(batch.snapshot.zxid, meta);
      for (const chunk of chunks) await writer.write(chunk);
      await writer.finish(digest);
      await logStore.truncateAfter(0n);
    }
    if (batch.truncateAfter !== null) await logStore.truncateAfter(batch.truncateAfter);
    if (batch.entries.length > 0) logStore.append(batch.entries);
    if (batch.epochs !== null) {
      const dir = join(config.dataDir, 'version-2');
      await writeDurably(dir, ACCEPTED_EPOCH_FILE, `${batch.epochs.acceptedEpoch}\n${batch.epochs.acceptedLeader}\n`);
      await writeDurably(dir, CURRENT_EPOCH_FILE, String(batch.epochs.currentEpoch));
    }
  }

  /** Waits for queued writes and closes the transport. */
  async close(): Promise<void> {
    while (this.#inFlight > 0) await this.#reported;
    await this.transport.close();
  }
}
