/**
 * The replica's side of the consensus core when it runs in an ensemble: it collects what the
 * core wants sent and persisted for the shell, carries session touches to the leader on pings,
 * and keeps the member's status (role, leader, serving). Pure.
 */
import { JuteReader, JuteWriter } from '../../protocol/index.js';
import type {
  ConsensusCore,
  ConsensusMessage,
  ConsensusReady,
  ConsensusStatus,
  Envelope,
  MemberId,
  PersistBatch,
} from '../consensus/index.js';
import { EnsembleStats } from './ensemble-stats.js';

/** What the shell must do for the group after a batch of inputs. */
export interface GroupReady {
  /** Messages to peers; all may go out at once. */
  readonly send: readonly Envelope[];
  /** Durable writes in `seq` order; report each with `groupPersisted(seq)`. */
  readonly persist: readonly PersistBatch[];
}

/** What the four-letter words need to know about the group beyond the core. */
export interface GroupLinkOptions {
  /** Voting members (mntr `zk_quorum_size` counts them). */
  readonly voters: readonly MemberId[];
  readonly observers: readonly MemberId[];
  /** zoo.cfg syncLimit: learners silent for longer do not count as learners. */
  readonly syncLimitTicks: number;
}

/** A member's link to its consensus core. */
export class GroupLink {
  readonly core: ConsensusCore;
  readonly myId: MemberId;
  /** Voting members of the group. */
  readonly voterCount: number;
  /** Learners and proposal sizes for the four-letter words. */
  readonly stats: EnsembleStats;
  #status: ConsensusStatus;
  #send: Envelope[] = [];
  #persist: PersistBatch[] = [];
  /** Sessions touched by this member's clients since the last ping answer. */
  #touched = new Set<bigint>();

  constructor(core: ConsensusCore, myId: MemberId, options: GroupLinkOptions) {
    this.core = core;
    this.myId = myId;
    this.voterCount = options.voters.length;
    this.stats = new EnsembleStats({ observers: options.observers, staleTicks: options.syncLimitTicks });
    this.#status = core.status();
  }

  /** The member's current standing. */
  get status(): ConsensusStatus {
    return this.#status;
  }

  /** True while this member is in a broadcasting group and may serve clients. */
  get isServing(): boolean {
    return this.#status.isBroadcasting;
  }

  /** True while this member leads a broadcasting group. */
  get isLeader(): boolean {
    return this.#status.role === 'leading' && this.#status.isBroadcasting;
  }

  /** A message from a peer. */
  message(from: MemberId, msg: ConsensusMessage): void {
    this.stats.received(from, msg);
    this.core.message(from, msg);
  }

  /** A connection with a peer closed. */
  peerDisconnected(from: MemberId): void {
    this.core.peerDisconnected(from);
  }

  /** Remembers a local client's activity so the leader keeps its session alive. */
  touch(sessionId: bigint): void {
    this.#touched.add(sessionId);
  }

  /** Once per tick: hands the touched sessions to the core for the next ping answer. */
  tick(): void {
    if (this.#touched.size > 0 && !this.isLeader) {
      this.core.attachPingData(encodeTouches(this.#touched));
      this.#touched = new Set();
    }
    this.stats.tick();
    this.core.tick();
  }

  /** Takes one `ready()` of the core, keeping its send and persist parts for the shell. */
  take(): ConsensusReady {
    const rd = this.core.ready();
    this.core.advance();
    for (const envelope of rd.send) {
      this.#send.push(envelope);
      this.stats.sent(envelope.to, envelope.msg);
    }
    if (rd.persist !== null) this.#persist.push(rd.persist);
    if (rd.status !== null) this.#status = rd.status;
    return rd;
  }

  /** The shell's part, collected since the last call. */
  drain(): GroupReady | null {
    if (this.#send.length === 0 && this.#persist.length === 0) return null;
    const out = { send: this.#send, persist: this.#persist };
    this.#send = [];
    this.#persist = [];
    return out;
  }
}

/** Encodes touched session ids for a ping answer. */
export function encodeTouches(sessions: ReadonlySet<bigint>): Uint8Array {
  const w = new JuteWriter(4 + sessions.size * 8);
  w.writeInt(sessions.size);
  for (const id of sessions) w.writeLong(id);
  return w.toBytes();
}

/** Decodes touched session ids from a learner's ping answer. */
export function decodeTouches(bytes: Uint8Array): bigint[] {
  const r = new JuteReader(bytes);
  const count = r.readInt();
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(r.readLong());
  return ids;
}
