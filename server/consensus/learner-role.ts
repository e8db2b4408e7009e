/**
 * The learner side (follower or observer) of discovery, synchronization and broadcast. The
 * learner resends its current handshake step every tick until the leader answers, so lost or
 * duplicated messages only slow it down; a fresh session number per handshake makes answers to
 * an older handshake harmless.
 */
import { assert } from '../../util/assert.js';
import type { ZabPhase } from './consensus-types.js';
import type { ConsensusMessage, LogEntry, MemberId, SyncMessage } from './messages.js';
import type { RoleContext } from './role-context.js';

type LearnerPhase = 'info' | 'epochPersist' | 'ackEpochSent' | 'syncPersist' | 'newLeaderAcked' | 'broadcast';

const SYNCED_PHASES: ReadonlySet<LearnerPhase> = new Set(['syncPersist', 'newLeaderAcked', 'broadcast']);
const ACKING_PHASES: ReadonlySet<LearnerPhase> = new Set(['newLeaderAcked', 'broadcast']);

/** A follower or observer of one leader, for one handshake session. */
export class LearnerRole {
  /** The member this learner follows. */
  readonly leader: MemberId;
  /** True for an observer, which gets committed txns only and never counts. */
  readonly isObserver: boolean;
  readonly #ctx: RoleContext;
  readonly #session: number;
  readonly #sessionStartTick: number;
  #phase: LearnerPhase = 'info';
  #epoch: number | null = null;
  #lastHeardTick: number;
  #lastSendTick = 0;
  #syncEndZxid = 0n;
  #ackedZxid = -1n;
  /** Proposals that arrived ahead of a gap, by the zxid they follow (bounded by maxResendEntries). */
  readonly #early = new Map<bigint, LogEntry>();

  /** `session` must exceed every session this member used before in this process. */
  constructor(ctx: RoleContext, options: { leader: MemberId; isObserver: boolean; session: number }) {
    this.#ctx = ctx;
    this.leader = options.leader;
    this.isObserver = options.isObserver;
    this.#session = options.session;
    this.#sessionStartTick = ctx.now;
    this.#lastHeardTick = ctx.now;
    this.#sendLearnerInfo();
  }

  /** The zabstate phase. */
  get phase(): ZabPhase {
    if (this.#phase === 'broadcast') return 'broadcast';
    return SYNCED_PHASES.has(this.#phase) ? 'synchronization' : 'discovery';
  }

  /** The epoch being joined, once the leader has said. */
  get epoch(): number | null {
    return this.#epoch;
  }

  /** True once the leader said UPTODATE and it is still heard. */
  get isBroadcasting(): boolean {
    return this.#phase === 'broadcast';
  }

  /** Handles a message from the leader (the core filters the sender). */
  onMessage(msg: ConsensusMessage): void {
    if (!this.#isCurrent(msg)) return;
    this.#lastHeardTick = this.#ctx.now;
    switch (msg.type) {
      case 'leaderInfo':
        if (this.#phase === 'info') this.#onLeaderInfo(msg.epoch);
        return;
      case 'sync':
        if (this.#phase === 'ackEpochSent') this.#onSync(msg);
        return;
      case 'upToDate':
        if (this.#phase === 'newLeaderAcked') this.#onUpToDate(msg.commitZxid);
        return;
      case 'proposal':
        if (SYNCED_PHASES.has(this.#phase) && !this.isObserver) this.#onProposal(msg.prevZxid, msg.entry);
        return;
      case 'inform':
        if (SYNCED_PHASES.has(this.#phase) && this.isObserver) this.#appendChain(msg.prevZxid, msg.entries);
        this.#learnCommit(msg.commitZxid);
        return;
      case 'commit':
        this.#learnCommit(msg.zxid);
        return;
      case 'ping':
        this.#learnCommit(msg.commitZxid);
        if (ACKING_PHASES.has(this.#phase)) this.#sendAck();
        return;
      case 'syncReply':
        this.#ctx.addPendingSync(msg.origin, msg.zxid);
        return;
      default:
        return;
    }
  }

  /** Advances one tick: gives up on a silent leader or a stuck handshake, resends a step. */
  tick(): void {
    const now = this.#ctx.now;
    const limits = this.#ctx.options;
    if (ACKING_PHASES.has(this.#phase) && now - this.#lastHeardTick > limits.syncLimitTicks) {
      this.#ctx.stepDown('leader silent for syncLimit');
      return;
    }
    if (this.#phase !== 'broadcast' && now - this.#sessionStartTick > limits.initLimitTicks) {
      this.#ctx.stepDown('no sync with the leader within initLimit');
      return;
    }
    if (this.#phase === 'info') this.#sendLearnerInfo();
    if (this.#phase === 'ackEpochSent' && now - this.#lastSendTick >= limits.resendTicks) this.#sendAckEpoch();
    if (this.#phase === 'newLeaderAcked') this.#sendAckNewLeader();
  }

  /** Continues whatever waited for durability. */
  onPersisted(): void {
    const log = this.#ctx.log;
    // ACKEPOCH reports the durable log, so wait until nothing (a truncate, a snapshot) is in flight.
    const isEpochDurable = log.durableEpochs.acceptedEpoch >= (this.#epoch ?? Infinity);
    if (this.#phase === 'epochPersist' && isEpochDurable && log.isAllDurable) this.#sendAckEpoch();
    if (this.#phase === 'syncPersist' && log.durableEpochs.currentEpoch === this.#epoch && log.durableZxid >= this.#syncEndZxid) {
      this.#phase = 'newLeaderAcked';
      this.#sendAckNewLeader();
    }
    if (ACKING_PHASES.has(this.#phase) && log.durableZxid > this.#ackedZxid) this.#sendAck();
  }

  /** Forwards a client write to the leader; false when not broadcasting. */
  request(origin: Uint8Array, data: Uint8Array): boolean {
    if (!this.isBroadcasting) return false;
    this.#ctx.send(this.leader, { type: 'request', origin, data });
    return true;
  }

  /** Asks the leader for its commit point on behalf of a client `sync`; false when not broadcasting. */
  sync(origin: Uint8Array): boolean {
    if (!this.isBroadcasting) return false;
    this.#ctx.send(this.leader, { type: 'syncRequest', origin });
    return true;
  }

  #isCurrent(msg: ConsensusMessage): boolean {
    if ('session' in msg && msg.session !== this.#session) return false;
    if (msg.type === 'leaderInfo') return true;
    return 'epoch' in msg && msg.epoch === this.#epoch;
  }

  #onLeaderInfo(epoch: number): void {
    const log = this.#ctx.log;
    const promised = log.epochs;
    const isPromisedElsewhere = epoch < promised.acceptedEpoch || (epoch === promised.acceptedEpoch && promised.acceptedLeader !== this.leader);
    // An observer's promise protects no quorum: it only must not go back in history.
    const isRefused = this.isObserver ? epoch < promised.currentEpoch : isPromisedElsewhere;
    if (isRefused) {
      // Promised this or a newer epoch to another leader already (Learner.registerWithLeader
      // refuses older ones; repeating a promise only to its leader keeps one leader per epoch).
      this.#ctx.stepDown('leader proposes an epoch already promised elsewhere');
      return;
    }
    this.#epoch = epoch;
    this.#phase = 'epochPersist';
    this.#ctx.statusChanged();
    if (epoch > promised.acceptedEpoch) log.setEpochs({ ...promised, acceptedEpoch: epoch, acceptedLeader: this.leader });
    this.onPersisted();
  }

  #onSync(m: SyncMessage): void {
    const ctx = this.#ctx;
    if (m.snapshot !== null) {
      ctx.installSnapshot(m.snapshot);
    } else {
      assert(ctx.log.lastZxid >= m.truncateAfter, 'the leader syncs from a point of this log');
      if (ctx.log.lastZxid > m.truncateAfter) ctx.truncateAfter(m.truncateAfter);
    }
    this.#appendChain(m.truncateAfter, m.entries);
    assert(ctx.log.lastZxid === (m.entries.at(-1)?.zxid ?? m.truncateAfter), 'a sync leaves the log at the leader\'s last zxid');
    const epoch = m.epoch;
    assert(ctx.log.epochs.acceptedEpoch === epoch || this.isObserver, 'a follower syncs only in the epoch it accepted');
    ctx.log.setEpochs({ ...ctx.log.epochs, currentEpoch: epoch });
    this.#syncEndZxid = ctx.log.lastZxid;
    this.#phase = 'syncPersist';
    ctx.statusChanged();
    this.#learnCommit(m.commitZxid);
    this.onPersisted();
  }

  #onUpToDate(commitZxid: bigint): void {
    this.#phase = 'broadcast';
    this.#ctx.statusChanged();
    this.#learnCommit(commitZxid);
  }

  #onProposal(prevZxid: bigint, entry: LogEntry): void {
    const log = this.#ctx.log;
    if (prevZxid > log.lastZxid) {
      // Reordered: keep it until the gap fills, rather than wait for the leader's resend.
      if (this.#early.size < this.#ctx.options.maxResendEntries) this.#early.set(prevZxid, entry);
      return;
    }
    this.#appendChain(prevZxid, [entry]);
    for (let next = this.#early.get(log.lastZxid); next !== undefined; next = this.#early.get(log.lastZxid)) {
      this.#early.delete(log.lastZxid);
      log.append(next);
    }
    for (const after of this.#early.keys()) if (after < log.lastZxid) this.#early.delete(after);
  }

  /**
   * Appends the entries that extend our log, given that the first follows `prevZxid` in the
   * leader's history and each follows the one before. Entries we already hold are skipped; a gap
   * (a lost proposal) stops the chain, and the leader resends from our last ack.
   */
  #appendChain(prevZxid: bigint, entries: readonly LogEntry[]): void {
    const log = this.#ctx.log;
    let prev = prevZxid;
    for (const entry of entries) {
      if (entry.zxid <= log.lastZxid) {
        prev = entry.zxid;
        continue;
      }
      if (prev !== log.lastZxid) return;
      log.append(entry);
      prev = entry.zxid;
    }
  }

  #learnCommit(zxid: bigint): void {
    // A commit point refers to the leader's history, which our log matches only once synced.
    if (SYNCED_PHASES.has(this.#phase)) this.#ctx.learnCommit(zxid);
  }

  #send(msg: ConsensusMessage): void {
    this.#lastSendTick = this.#ctx.now;
    this.#ctx.send(this.leader, msg);
  }

  #sendLearnerInfo(): void {
    const { acceptedEpoch, acceptedLeader } = this.#ctx.log.durableEpochs;
    this.#send({ type: 'learnerInfo', session: this.#session, acceptedEpoch, acceptedLeader, isObserver: this.isObserver });
  }

  #sendAckEpoch(): void {
    const log = this.#ctx.log;
    this.#phase = 'ackEpochSent';
    const epoch = this.#epoch ?? 0;
    const currentEpoch = log.durableEpochs.currentEpoch;
    assert(log.durableZxid === log.lastZxid, 'ACKEPOCH reports a fully durable log');
    this.#send({ type: 'ackEpoch', session: this.#session, epoch, currentEpoch, lastZxid: log.durableZxid });
  }

  #sendAckNewLeader(): void {
    const zxid = this.#ctx.log.durableZxid;
    this.#ackedZxid = zxid;
    this.#send({ type: 'ackNewLeader', session: this.#session, epoch: this.#epoch ?? 0, zxid });
  }

  #sendAck(): void {
    const zxid = this.#ctx.log.durableZxid;
    assert(zxid <= this.#ctx.log.lastZxid, 'an ack covers only logged txns');
    this.#ackedZxid = zxid;
    const data = this.#ctx.takePingData();
    this.#send({ type: 'ack', session: this.#session, epoch: this.#epoch ?? 0, zxid, data });
  }
}
