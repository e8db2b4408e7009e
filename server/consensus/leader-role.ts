/**
 * The leader side of discovery, synchronization and broadcast (ZooKeeper's Leader and
 * LearnerHandler). Discovery: a quorum of learners report their accepted epochs, the leader
 * durably accepts the next epoch and announces it; a quorum ACKEPOCH (and none is ahead of the
 * leader's history). Synchronization: each learner gets one sync message (DIFF, TRUNC or SNAP
 * plus the txns, ending in NEWLEADER); once a quorum has durably synced, the whole history is
 * committed and the leader broadcasts. Acks and commits are cumulative zxids.
 */
import { assert } from '../../util/assert.js';
import type { ZabPhase } from './consensus-types.js';
import type {
  AckEpochMessage,
  ConsensusMessage,
  LearnerInfoMessage,
  LogEntry,
  MemberId,
  SnapshotImage,
  SyncMessage,
} from './messages.js';
import type { RoleContext } from './role-context.js';
import { nextZxid, zxidCounter, zxidEpoch } from './zxid.js';

type LeaderPhase = 'discovery' | 'epochPersist' | 'ackEpochWait' | 'sync' | 'broadcast';

/** How far one learner got in its handshake: info, ACKEPOCH, waiting for a snapshot, sync sent, NEWLEADER acked. */
type LearnerStage = 'info' | 'epochAcked' | 'snapWait' | 'synced' | 'established';

interface LearnerRecord {
  readonly id: MemberId;
  readonly session: number;
  readonly isObserver: boolean;
  readonly acceptedEpoch: number;
  stage: LearnerStage;
  peerLastZxid: bigint;
  /** A SNAP for this learner must be at least this recent (see #syncMessage). */
  minSnapshotZxid: bigint;
  ackZxid: bigint;
  ackProgressTick: number;
  lastHeardTick: number;
  lastSyncTick: number;
  lastResendTick: number;
}

/** The leader of one epoch (or of one attempt to establish it). */
export class LeaderRole {
  readonly #ctx: RoleContext;
  readonly #learners = new Map<MemberId, LearnerRecord>();
  readonly #startTick: number;
  #phase: LeaderPhase = 'discovery';
  #epoch: number | null = null;

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
    this.#startTick = ctx.now;
    this.#checkDiscovery();
  }

  /** The zabstate phase. */
  get phase(): ZabPhase {
    if (this.#phase === 'broadcast') return 'broadcast';
    return this.#phase === 'sync' ? 'synchronization' : 'discovery';
  }

  /** The epoch being established or led, once chosen. */
  get epoch(): number | null {
    return this.#epoch;
  }

  /** True once a quorum has synced: the leader takes proposals. */
  get isBroadcasting(): boolean {
    return this.#phase === 'broadcast';
  }

  /** Handles a message from a member (the core filters votes out). */
  onMessage(from: MemberId, msg: ConsensusMessage): void {
    if (msg.type === 'learnerInfo') {
      this.#onLearnerInfo(from, msg);
      return;
    }
    const record = this.#learners.get(from);
    if (record === undefined) return;
    if ('session' in msg && msg.session !== record.session) return;
    if ('epoch' in msg && msg.epoch !== this.#epoch) return;
    record.lastHeardTick = this.#ctx.now;
    switch (msg.type) {
      case 'ackEpoch':
        this.#onAckEpoch(record, msg);
        return;
      case 'ackNewLeader':
        this.#onAckNewLeader(record, msg.zxid);
        return;
      case 'ack':
        this.#onAck(record, msg.zxid, msg.data);
        return;
      case 'request':
        if (this.isBroadcasting && record.stage === 'established') {
          this.#ctx.deliverRequest({ from, origin: msg.origin, data: msg.data });
        }
        return;
      case 'syncRequest':
        if (this.isBroadcasting && record.stage === 'established') {
          this.#ctx.send(from, { type: 'syncReply', epoch: this.#epoch ?? 0, origin: msg.origin, zxid: this.#ctx.commitZxid });
        }
        return;
      default:
        return;
    }
  }

  /** Advances one tick: liveness checks, pings, resends to lagging learners. */
  tick(): void {
    const ctx = this.#ctx;
    if (!this.isBroadcasting && ctx.now - this.#startTick > ctx.options.initLimitTicks) {
      ctx.stepDown('no quorum synced within initLimit');
      return;
    }
    if (this.isBroadcasting && !this.#hasLiveQuorum()) {
      ctx.stepDown('lost the quorum for syncLimit');
      return;
    }
    for (const record of this.#learners.values()) {
      if (record.stage === 'synced' || record.stage === 'established') {
        ctx.send(record.id, { type: 'ping', session: record.session, epoch: this.#epoch ?? 0, commitZxid: ctx.commitZxid });
      }
      if (record.stage === 'established' && this.isBroadcasting) this.#resendTo(record);
      if (record.stage === 'snapWait') this.#trySnap(record);
    }
  }

  /**
   * The connection with a learner dropped: forget it, so its acks stop counting and the quorum
   * check at the next tick sees it gone (ZooKeeper's leader drops the LearnerHandler); the
   * learner comes back with a new handshake session.
   */
  onLearnerDisconnected(id: MemberId): void {
    this.#learners.delete(id);
  }

  /** Continues whatever waited for this leader's own durability. */
  onPersisted(): void {
    const log = this.#ctx.log;
    if (this.#phase === 'epochPersist' && log.durableEpochs.acceptedEpoch === this.#epoch) {
      this.#phase = 'ackEpochWait';
      for (const record of this.#learners.values()) this.#sendLeaderInfo(record);
      this.#checkEpochAcks();
    }
    if (this.#phase === 'sync') this.#checkEstablished();
    if (this.isBroadcasting) this.#recomputeCommit();
  }

  /** The lowest zxid a live, established learner has acked: the log must keep what follows it. */
  retainAfterZxid(): bigint | null {
    const ctx = this.#ctx;
    let lowest: bigint | null = null;
    for (const record of this.#learners.values()) {
      const isLive = record.stage === 'established' && ctx.now - record.lastHeardTick <= ctx.options.syncLimitTicks;
      if (isLive && (lowest === null || record.ackZxid < lowest)) lowest = record.ackZxid;
    }
    return lowest;
  }

  /** A snapshot arrived from the shell: send it to learners waiting for one. */
  onSnapshot(): void {
    for (const record of this.#learners.values()) if (record.stage === 'snapWait') this.#trySnap(record);
  }

  /** The zxid the next proposal will get, or null when not broadcasting or the window is full. */
  nextProposalZxid(): bigint | null {
    if (!this.isBroadcasting || this.#outstandingCount() >= this.#ctx.options.maxOutstandingProposals) return null;
    return nextZxid(this.#ctx.log.lastZxid, this.#epoch ?? 0);
  }

  /** Logs a txn, sends it to the followers and returns its zxid; null when not allowed now. */
  propose(data: Uint8Array): bigint | null {
    const zxid = this.nextProposalZxid();
    if (zxid === null) return null;
    const entry = { zxid, data };
    const prevZxid = this.#ctx.log.lastZxid;
    this.#ctx.log.append(entry);
    // One message object for every follower: the shell encodes it once.
    const proposal: ConsensusMessage = { type: 'proposal', epoch: this.#epoch ?? 0, prevZxid, entry };
    for (const record of this.#learners.values()) {
      const isForwarding = record.stage === 'synced' || record.stage === 'established';
      if (isForwarding && !record.isObserver) this.#ctx.send(record.id, proposal);
    }
    return zxid;
  }

  /** Takes a client write from this member's own shell; false when not broadcasting. */
  request(origin: Uint8Array, data: Uint8Array): boolean {
    if (!this.isBroadcasting) return false;
    this.#ctx.deliverRequest({ from: this.#ctx.options.myId, origin, data });
    return true;
  }

  /** Answers a local client `sync` once the current commit point is applied; false when not broadcasting. */
  sync(origin: Uint8Array): boolean {
    if (!this.isBroadcasting) return false;
    this.#ctx.addPendingSync(origin, this.#ctx.commitZxid);
    return true;
  }

  #onLearnerInfo(from: MemberId, m: LearnerInfoMessage): void {
    const q = this.#ctx.quorum;
    if (m.isObserver ? !q.isObserver(from) : !q.isVoter(from)) return;
    this.#ctx.noteAcceptedEpoch(m.acceptedEpoch);
    const myId = this.#ctx.options.myId;
    const isPromisedElsewhere = m.acceptedEpoch === this.#epoch && m.acceptedLeader !== myId;
    if (this.#epoch !== null && !m.isObserver && (m.acceptedEpoch > this.#epoch || isPromisedElsewhere)) {
      // It promised this or a newer epoch to another leader (a failed attempt to lead, say) and
      // would refuse ours forever; start over so the next epoch is above every promise.
      this.#ctx.stepDown('a voter promised an epoch at or above ours to another leader');
      return;
    }
    const existing = this.#learners.get(from);
    if (existing?.session === m.session) {
      existing.lastHeardTick = this.#ctx.now;
      if (existing.stage === 'info') this.#sendLeaderInfo(existing);
      return;
    }
    // A learner numbers its sessions upwards, so a lower one is a stale duplicate, unless the
    // current session went quiet (the learner restarted and drew a new, lower, base).
    const isQuiet = existing !== undefined && this.#ctx.now - existing.lastHeardTick >= this.#ctx.options.resendTicks;
    if (existing !== undefined && m.session < existing.session && !isQuiet) return;
    const record: LearnerRecord = {
      id: from,
      session: m.session,
      isObserver: m.isObserver,
      acceptedEpoch: m.acceptedEpoch,
      stage: 'info',
      peerLastZxid: 0n,
      minSnapshotZxid: 0n,
      ackZxid: 0n,
      ackProgressTick: this.#ctx.now,
      lastHeardTick: this.#ctx.now,
      lastSyncTick: this.#ctx.now,
      lastResendTick: this.#ctx.now,
    };
    this.#learners.set(from, record);
    if (this.#phase === 'discovery') this.#checkDiscovery();
    else this.#sendLeaderInfo(record);
  }

  /** Once a quorum has reported, durably accept an epoch newer than all they accepted. */
  #checkDiscovery(): void {
    const log = this.#ctx.log;
    const voters = [this.#ctx.options.myId, ...[...this.#learners.values()].filter((r) => !r.isObserver).map((r) => r.id)];
    if (this.#phase !== 'discovery' || !this.#ctx.quorum.isQuorum(voters)) return;
    let maxAccepted = Math.max(log.epochs.acceptedEpoch, this.#ctx.highestAcceptedEpochSeen);
    for (const record of this.#learners.values()) maxAccepted = Math.max(maxAccepted, record.acceptedEpoch);
    this.#epoch = maxAccepted + 1;
    this.#phase = 'epochPersist';
    log.setEpochs({ ...log.epochs, acceptedEpoch: this.#epoch, acceptedLeader: this.#ctx.options.myId });
    this.#ctx.statusChanged();
  }

  #sendLeaderInfo(record: LearnerRecord): void {
    if (this.#phase === 'discovery' || this.#phase === 'epochPersist') return;
    this.#ctx.send(record.id, { type: 'leaderInfo', session: record.session, epoch: this.#epoch ?? 0 });
  }

  #onAckEpoch(record: LearnerRecord, m: AckEpochMessage): void {
    const log = this.#ctx.log;
    const ours = log.epochs.currentEpoch;
    if (m.currentEpoch > ours || (m.currentEpoch === ours && m.lastZxid > log.lastZxid)) {
      // Leader.waitForEpochAck: a learner ahead of us may hold committed txns we lack.
      this.#ctx.stepDown('a learner is ahead of the leader');
      return;
    }
    if (record.stage === 'info') {
      record.stage = 'epochAcked';
      record.peerLastZxid = m.lastZxid;
    }
    if (this.#phase === 'ackEpochWait') {
      this.#checkEpochAcks();
      return;
    }
    const isRepeat = record.stage === 'synced' && this.#ctx.now - record.lastSyncTick >= this.#ctx.options.resendTicks;
    if (this.#phase !== 'discovery' && this.#phase !== 'epochPersist' && (record.stage === 'epochAcked' || isRepeat)) {
      this.#sendSync(record);
    }
  }

  #checkEpochAcks(): void {
    const acked = [...this.#learners.values()].filter((r) => r.stage === 'epochAcked' && !r.isObserver).map((r) => r.id);
    if (!this.#ctx.quorum.isQuorum([this.#ctx.options.myId, ...acked])) return;
    const log = this.#ctx.log;
    this.#phase = 'sync';
    log.setEpochs({ ...log.epochs, currentEpoch: this.#epoch ?? 0 });
    this.#ctx.statusChanged();
    for (const record of this.#learners.values()) if (record.stage === 'epochAcked') this.#sendSync(record);
  }

  #sendSync(record: LearnerRecord): void {
    const sync = this.#syncMessage(record);
    if (sync === null) {
      record.stage = 'snapWait';
      this.#trySnap(record);
      return;
    }
    record.stage = 'synced';
    record.lastSyncTick = this.#ctx.now;
    this.#ctx.send(record.id, sync);
  }

  /**
   * DIFF when the learner's last zxid is a point of our log; TRUNC to the last point of our log
   * before it when it holds txns our history lacks (LearnerHandler.syncFollower); else null: SNAP.
   */
  #syncMessage(record: LearnerRecord): SyncMessage | null {
    const log = this.#ctx.log;
    const peerLast = record.peerLastZxid;
    const base = { type: 'sync', session: record.session, epoch: this.#epoch ?? 0, snapshot: null, commitZxid: this.#ctx.commitZxid } as const;
    if (log.has(peerLast)) return { ...base, mode: 'diff', truncateAfter: peerLast, entries: log.entriesAfter(peerLast) };
    const point = log.pointAtOrBefore(peerLast);
    // The floor is a point of our history, but the learner may lack it unless it is the origin.
    if (point !== null && (point > log.floorZxid || point === 0n)) {
      return { ...base, mode: 'trunc', truncateAfter: point, entries: log.entriesAfter(point) };
    }
    // A learner's durable state never goes back past committed txns it holds (see #trySnap).
    record.minSnapshotZxid = peerLast < this.#ctx.commitZxid ? peerLast : this.#ctx.commitZxid;
    return null;
  }

  #trySnap(record: LearnerRecord): void {
    const snapshot: SnapshotImage | null = this.#ctx.snapshot;
    const log = this.#ctx.log;
    if (snapshot === null || snapshot.zxid < record.minSnapshotZxid || snapshot.zxid < log.floorZxid) {
      this.#ctx.requestSnapshot();
      return;
    }
    record.stage = 'synced';
    record.lastSyncTick = this.#ctx.now;
    const entries = log.entriesAfter(snapshot.zxid);
    const commitZxid = this.#ctx.commitZxid;
    const epoch = this.#epoch ?? 0;
    this.#ctx.send(record.id, { type: 'sync', session: record.session, epoch, mode: 'snap', truncateAfter: snapshot.zxid, snapshot, entries, commitZxid });
  }

  #onAckNewLeader(record: LearnerRecord, zxid: bigint): void {
    if (record.stage === 'synced') {
      record.stage = 'established';
      record.ackZxid = zxid;
      record.ackProgressTick = this.#ctx.now;
    }
    if (record.stage !== 'established') return;
    if (this.#phase === 'sync') {
      this.#checkEstablished();
      return;
    }
    if (!this.isBroadcasting) return;
    this.#sendUpToDate(record);
    // Its NEWLEADER ack may already cover proposals made while it synced.
    this.#recomputeCommit();
  }

  /** A quorum (this leader once its own log and epoch are durable) has synced: commit the history. */
  #checkEstablished(): void {
    const log = this.#ctx.log;
    const isSelfSynced = log.durableEpochs.currentEpoch === this.#epoch && log.isAllDurable;
    const synced = [...this.#learners.values()].filter((r) => r.stage === 'established' && !r.isObserver).map((r) => r.id);
    if (!isSelfSynced || !this.#ctx.quorum.isQuorum([this.#ctx.options.myId, ...synced])) return;
    this.#phase = 'broadcast';
    this.#ctx.statusChanged();
    this.#ctx.learnCommit(log.lastZxid);
    for (const record of this.#learners.values()) {
      record.lastHeardTick = this.#ctx.now;
      if (record.stage === 'established') this.#sendUpToDate(record);
    }
  }

  #sendUpToDate(record: LearnerRecord): void {
    this.#ctx.send(record.id, { type: 'upToDate', session: record.session, epoch: this.#epoch ?? 0, commitZxid: this.#ctx.commitZxid });
  }

  #onAck(record: LearnerRecord, zxid: bigint, data: Uint8Array | null): void {
    if (data !== null) this.#ctx.deliverPingData({ from: record.id, data });
    if (record.stage !== 'established' || zxid <= record.ackZxid) return;
    // A learner acks only its own log, which is a prefix of ours; anything past our log is bogus.
    if (zxid > this.#ctx.log.lastZxid) return;
    record.ackZxid = zxid;
    record.ackProgressTick = this.#ctx.now;
    if (this.isBroadcasting) this.#recomputeCommit();
  }

  /** Commits the highest zxid that a quorum of voters has durably logged. */
  #recomputeCommit(): void {
    const ctx = this.#ctx;
    const acks = [ctx.log.durableZxid];
    for (const record of this.#learners.values()) {
      if (record.stage === 'established' && !record.isObserver) acks.push(record.ackZxid);
    }
    acks.sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    const candidate = acks[ctx.quorum.size - 1];
    const previous = ctx.commitZxid;
    if (candidate === undefined || candidate <= previous) return;
    assert(candidate <= ctx.log.lastZxid, 'the leader commits only txns of its own log');
    ctx.learnCommit(candidate);
    const informed = ctx.log.entriesAfter(previous, candidate);
    const epoch = this.#epoch ?? 0;
    const commit: ConsensusMessage = { type: 'commit', epoch, zxid: candidate };
    const inform: ConsensusMessage = { type: 'inform', epoch, prevZxid: previous, entries: informed, commitZxid: candidate };
    for (const record of this.#learners.values()) {
      if (record.stage !== 'synced' && record.stage !== 'established') continue;
      ctx.send(record.id, record.isObserver ? inform : commit);
    }
  }

  /** Resends what a learner is missing when its acks stopped moving (a message was lost). */
  #resendTo(record: LearnerRecord): void {
    const ctx = this.#ctx;
    const target = record.isObserver ? ctx.commitZxid : ctx.log.lastZxid;
    const every = ctx.options.resendTicks;
    const isStalled = ctx.now - record.ackProgressTick >= every && ctx.now - record.lastResendTick >= every;
    if (record.ackZxid >= target || !isStalled) return;
    if (record.ackZxid < ctx.log.floorZxid) {
      // We no longer hold what it lacks: stop talking to it, so it times out and resyncs by SNAP.
      this.#learners.delete(record.id);
      return;
    }
    record.lastResendTick = ctx.now;
    const entries: LogEntry[] = ctx.log.entriesAfter(record.ackZxid, target, ctx.options.maxResendEntries);
    const epoch = this.#epoch ?? 0;
    if (record.isObserver) {
      ctx.send(record.id, { type: 'inform', epoch, prevZxid: record.ackZxid, entries, commitZxid: ctx.commitZxid });
      return;
    }
    let prevZxid = record.ackZxid;
    for (const entry of entries) {
      ctx.send(record.id, { type: 'proposal', epoch, prevZxid, entry });
      prevZxid = entry.zxid;
    }
  }

  #hasLiveQuorum(): boolean {
    const ctx = this.#ctx;
    const live = [ctx.options.myId];
    for (const record of this.#learners.values()) {
      if (record.stage === 'established' && ctx.now - record.lastHeardTick <= ctx.options.syncLimitTicks) live.push(record.id);
    }
    return ctx.quorum.isQuorum(live);
  }

  #outstandingCount(): number {
    const last = this.#ctx.log.lastZxid;
    const commit = this.#ctx.commitZxid;
    if (zxidEpoch(last) !== zxidEpoch(commit)) return zxidCounter(last);
    return zxidCounter(last) - zxidCounter(commit);
  }
}
