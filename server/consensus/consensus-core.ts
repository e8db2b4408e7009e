/**
 * The consensus state machine of one member: election, then discovery, synchronization and
 * broadcast as leader or learner. Pure: inputs are method calls, outputs are gathered by
 * `ready()` and acknowledged by `advance()`; it never reads a clock, draws randomness other
 * than from its injected Rng, or does I/O.
 */
import { assert } from '../../util/assert.js';
import { hex } from '../../util/hex.js';
import type { Logger } from '../../util/logger.js';
import type { Rng } from '../../util/rng.js';
import { ConsensusLog } from './consensus-log.js';
import type {
  ConsensusOptions,
  ConsensusReady,
  ConsensusStatus,
  Envelope,
  ForwardedRequest,
  PingData,
  RecoveredState,
} from './consensus-types.js';
import { Election } from './election.js';
import { LeaderRole } from './leader-role.js';
import { LearnerRole } from './learner-role.js';
import type { ConsensusMessage, LogEntry, MemberId, PeerState, SnapshotImage, Vote, VoteMessage } from './messages.js';
import { Quorum } from './quorum.js';
import type { RoleContext } from './role-context.js';

/** What a ConsensusCore is made from. */
export interface ConsensusCoreInit {
  readonly options: ConsensusOptions;
  readonly recovered: RecoveredState;
  /** The source of every random choice (election timeouts, session numbers). */
  readonly rng: Rng;
  /** Optional; the core behaves the same without one. */
  readonly logger?: Logger;
}

/** How far past logKeepCount a leader's log may grow to spare a slow follower a SNAP. */
const LOG_HARD_CAP_FACTOR = 4;

interface PendingSync {
  readonly origin: Uint8Array;
  readonly zxid: bigint;
}

type Role =
  | { readonly kind: 'looking'; readonly election: Election }
  | { readonly kind: 'leader'; readonly leader: LeaderRole }
  | { readonly kind: 'learner'; readonly learner: LearnerRole };

/** One member's consensus core; see server/consensus/index.ts for the contract. */
export class ConsensusCore {
  readonly #options: ConsensusOptions;
  readonly #quorum: Quorum;
  readonly #rng: Rng;
  readonly #logger: Logger | null;
  readonly #log: ConsensusLog;
  readonly #ctx: RoleContext;
  #now = 0;
  #role: Role;
  #settledVote: Vote | null = null;
  /**
   * LEARNERINFO that arrived while this member was still looking: a voter that settled first, on
   * us, started its handshake before we settled. Replayed if we lead (it is then just a message
   * that arrived late, as the network may deliver any), dropped otherwise; without it the learner
   * would wait for its per-tick resend (one tick, 200 ms at tickTime 2000) to be heard.
   */
  readonly #earlyLearnerInfo = new Map<MemberId, ConsensusMessage>();
  /** The last election round, kept across elections (FastLeaderElection's logicalclock). */
  #round = 0;
  /**
   * The last learner session number used; increases per handshake from a random base, so the
   * leader can tell a stale duplicate handshake from a current one (see LeaderRole).
   */
  #learnerSession: number;
  #highestAcceptedEpochSeen = 0;
  #commitZxid: bigint;
  #appliedZxid: bigint;
  #send: Envelope[] = [];
  #apply: LogEntry[] = [];
  #requests: ForwardedRequest[] = [];
  #syncsDone: Uint8Array[] = [];
  #pingData: PingData[] = [];
  #pendingSyncs: PendingSync[] = [];
  #snapshot: SnapshotImage | null = null;
  #isSnapshotNeeded = false;
  #outgoingPingData: Uint8Array | null = null;
  #reportedStatus: ConsensusStatus | null = null;

  constructor(init: ConsensusCoreInit) {
    this.#options = init.options;
    this.#quorum = new Quorum(init.options.voters, init.options.observers);
    assert(this.#quorum.isVoter(init.options.myId) || this.#quorum.isObserver(init.options.myId), 'this member is in the group');
    this.#rng = init.rng;
    this.#learnerSession = init.rng.int(1, 0x3fff_ffff);
    this.#logger = init.logger ?? null;
    const r = init.recovered;
    this.#log = new ConsensusLog({ floorZxid: r.snapshotZxid, entries: r.entries, epochs: { acceptedEpoch: r.acceptedEpoch, acceptedLeader: r.acceptedLeader, currentEpoch: r.currentEpoch } });
    this.#commitZxid = r.snapshotZxid;
    this.#appliedZxid = r.snapshotZxid;
    this.#ctx = this.#makeContext();
    this.#role = this.#startElection(0);
  }

  /** Advances virtual time by one tick (tickTime): timeouts, pings, resends. */
  tick(): void {
    this.#now++;
    const role = this.#role;
    if (role.kind === 'looking') {
      const leader = role.election.tick(this.#now);
      if (leader !== null) this.#settle(leader, role.election);
    } else if (role.kind === 'leader') {
      role.leader.tick();
    } else {
      role.learner.tick();
    }
  }

  /** Handles a message from another member; messages from outside the group are dropped. */
  message(from: MemberId, msg: ConsensusMessage): void {
    if (from === this.#options.myId || !this.#quorum.members.includes(from)) return;
    const role = this.#role;
    if (msg.type === 'vote') this.#onVote(from, msg);
    else if (role.kind === 'looking' && msg.type === 'learnerInfo') this.#earlyLearnerInfo.set(from, msg);
    else if (role.kind === 'leader') role.leader.onMessage(from, msg);
    else if (role.kind === 'learner' && from === role.learner.leader) role.learner.onMessage(msg);
  }

  /**
   * The transport lost a connection with `peer`, in either direction. A learner whose leader
   * that is leaves for an election at once, as ZooKeeper's learner does when its socket to the
   * leader fails, instead of waiting syncLimit ticks for silence; a leader forgets that learner,
   * which must handshake again (the learner sees the same drop and starts over too). Always safe:
   * it only ever gives up a role or a learner, never claims anything.
   */
  peerDisconnected(peer: MemberId): void {
    if (peer === this.#options.myId || !this.#quorum.members.includes(peer)) return;
    const role = this.#role;
    if (role.kind === 'learner' && role.learner.leader === peer) this.#stepDown('lost the connection to the leader');
    else if (role.kind === 'leader') role.leader.onLearnerDisconnected(peer);
  }

  /** The shell made every persist batch up to `seq` durable. */
  persisted(seq: number): void {
    if (!this.#log.persisted(seq)) return;
    const role = this.#role;
    if (role.kind === 'leader') role.leader.onPersisted();
    else if (role.kind === 'learner') role.learner.onPersisted();
    this.#applyCommitted();
  }

  /** The zxid the next `propose` will get; null unless this member is a broadcasting leader with room. */
  nextProposalZxid(): bigint | null {
    return this.#role.kind === 'leader' ? this.#role.leader.nextProposalZxid() : null;
  }

  /** Proposes a prepared txn as leader; returns its zxid, or null when this member cannot propose now. */
  propose(data: Uint8Array): bigint | null {
    return this.#role.kind === 'leader' ? this.#role.leader.propose(data) : null;
  }

  /** Routes a client write to the leader's shell (here or forwarded); false when not broadcasting. */
  request(origin: Uint8Array, data: Uint8Array): boolean {
    const role = this.#role;
    if (role.kind === 'leader') return role.leader.request(origin, data);
    return role.kind === 'learner' ? role.learner.request(origin, data) : false;
  }

  /** Starts a client `sync`; `origin` comes back in `syncsDone` once the leader's commit point is applied here. */
  sync(origin: Uint8Array): boolean {
    const role = this.#role;
    if (role.kind === 'leader') return role.leader.sync(origin);
    return role.kind === 'learner' ? role.learner.sync(origin) : false;
  }

  /** The shell's snapshot of its state as of `snapshot.zxid` (at most the applied zxid), for SNAP. */
  snapshotProvided(snapshot: SnapshotImage): void {
    assert(snapshot.zxid <= this.#appliedZxid, 'a snapshot reflects only applied txns');
    if (this.#role.kind !== 'leader') return;
    this.#snapshot = snapshot;
    this.#role.leader.onSnapshot();
  }

  /** Data to piggyback on this learner's next ping answer (session touches); replaces unsent data. */
  attachPingData(data: Uint8Array): void {
    this.#outgoingPingData = data;
  }

  /** Where this member stands now. */
  status(): ConsensusStatus {
    const role = this.#role;
    const lastZxid = this.#log.lastZxid;
    const commitZxid = this.#commitZxid;
    const appliedZxid = this.#appliedZxid;
    if (role.kind === 'looking') {
      const epoch = this.#log.epochs.currentEpoch;
      return { role: 'looking', phase: 'election', leader: null, epoch, isBroadcasting: false, lastZxid, commitZxid, appliedZxid };
    }
    const r = role.kind === 'leader' ? role.leader : role.learner;
    const leader = role.kind === 'leader' ? this.#options.myId : role.learner.leader;
    const epoch = r.epoch ?? this.#log.epochs.currentEpoch;
    return { role: this.#peerState(), phase: r.phase, leader, epoch, isBroadcasting: r.isBroadcasting, lastZxid, commitZxid, appliedZxid };
  }

  #peerState(): PeerState {
    const role = this.#role;
    if (role.kind === 'looking') return 'looking';
    if (role.kind === 'leader') return 'leading';
    return role.learner.isObserver ? 'observing' : 'following';
  }

  /** Everything to do for the inputs so far; call `advance()` once it is done (or handed off). */
  ready(): ConsensusReady {
    const status = this.status();
    const old = this.#reportedStatus;
    const isChanged =
      old === null ||
      old.role !== status.role ||
      old.phase !== status.phase ||
      old.leader !== status.leader ||
      old.epoch !== status.epoch ||
      old.isBroadcasting !== status.isBroadcasting;
    return {
      send: this.#send,
      persist: this.#log.peekBatch(),
      applyCommitted: this.#apply,
      isSnapshotNeeded: this.#isSnapshotNeeded,
      requests: this.#requests,
      syncsDone: this.#syncsDone,
      pingData: this.#pingData,
      status: isChanged ? status : null,
    };
  }

  /** Marks the last `ready()` as handed to the shell. */
  advance(): void {
    this.#reportedStatus = this.status();
    this.#log.takeBatch();
    this.#send = [];
    this.#apply = [];
    this.#requests = [];
    this.#syncsDone = [];
    this.#pingData = [];
    this.#isSnapshotNeeded = false;
  }

  #onVote(from: MemberId, m: VoteMessage): void {
    const role = this.#role;
    if (role.kind === 'looking') {
      const leader = role.election.onVote(from, m);
      if (leader !== null) this.#settle(leader, role.election);
      return;
    }
    // Settled members answer lookers with the vote they settled on and the round they settled
    // in (FastLeaderElection sends its vote's electionEpoch), so lookers can join, and a looker
    // counts only followers that settled in its own current round as having elected it.
    if (m.state !== 'looking' || this.#settledVote === null) return;
    this.#send.push({ to: from, msg: { type: 'vote', round: this.#round, state: this.#peerState(), vote: this.#settledVote } });
  }

  #settle(leader: MemberId, election: Election): void {
    const vote = election.vote;
    this.#settledVote = vote !== null && vote.leader === leader ? vote : { leader, zxid: 0n, epoch: 0 };
    this.#round = election.round;
    const early = [...this.#earlyLearnerInfo];
    this.#earlyLearnerInfo.clear();
    if (leader === this.#options.myId) {
      const role = new LeaderRole(this.#ctx);
      this.#role = { kind: 'leader', leader: role };
      for (const [from, msg] of early) role.onMessage(from, msg);
    } else {
      const isObserver = this.#quorum.isObserver(this.#options.myId);
      this.#learnerSession++;
      this.#role = { kind: 'learner', learner: new LearnerRole(this.#ctx, { leader, isObserver, session: this.#learnerSession }) };
    }
    this.#logger?.info({ leader, round: election.round, lastZxid: hex(this.#log.lastZxid) }, 'election settled');
  }

  #startElection(now: number): Role {
    const election = new Election(
      {
        myId: this.#options.myId,
        quorum: this.#quorum,
        rng: this.#rng,
        initLimitTicks: this.#options.initLimitTicks,
        selfVote: () => this.#selfVote(),
        send: (to, msg) => this.#send.push({ to, msg }),
      },
      this.#round,
    );
    election.start(now);
    return { kind: 'looking', election };
  }

  #selfVote(): Vote | null {
    if (!this.#quorum.isVoter(this.#options.myId)) return null;
    return { leader: this.#options.myId, zxid: this.#log.durableZxid, epoch: this.#log.durableEpochs.currentEpoch };
  }

  #stepDown(reason: string): void {
    this.#logger?.info({ reason, role: this.#role.kind }, 'leaving role for election');
    this.#settledVote = null;
    this.#snapshot = null;
    this.#commitZxid = this.#appliedZxid;
    this.#role = this.#startElection(this.#now);
    this.#round = this.#role.kind === 'looking' ? this.#role.election.round : this.#round;
  }

  #learnCommit(zxid: bigint): void {
    if (zxid <= this.#commitZxid) return;
    this.#commitZxid = zxid;
    this.#applyCommitted();
  }

  /** Hands out, in zxid order, every txn that is both committed and durable here. */
  #applyCommitted(): void {
    const limit = this.#commitZxid < this.#log.durableZxid ? this.#commitZxid : this.#log.durableZxid;
    if (limit > this.#appliedZxid) {
      assert(this.#log.has(this.#appliedZxid), 'the applied zxid is a point of the log');
      for (const entry of this.#log.entriesAfter(this.#appliedZxid, limit)) {
        assert(entry.zxid > this.#appliedZxid, 'txns are applied in zxid order');
        this.#apply.push(entry);
        this.#appliedZxid = entry.zxid;
      }
      assert(this.#appliedZxid === limit, `every committed durable txn is in the log (applied ${hex(this.#appliedZxid)}, limit ${hex(limit)})`);
      this.#trimLog();
    }
    this.#finishSyncs();
  }

  /**
   * Forgets applied txns beyond logKeepCount, except (on a leader, up to a hard cap) those a live
   * follower has not acked yet: dropping them would force that follower through a SNAP.
   */
  #trimLog(): void {
    const keepCount = this.#options.logKeepCount;
    const retain = this.#role.kind === 'leader' ? this.#role.leader.retainAfterZxid() : null;
    const isOverCap = this.#log.size > keepCount * LOG_HARD_CAP_FACTOR;
    const limit = retain !== null && retain < this.#appliedZxid && !isOverCap ? retain : this.#appliedZxid;
    this.#log.trim(limit, keepCount);
  }

  #finishSyncs(): void {
    if (this.#pendingSyncs.length === 0) return;
    const waiting: PendingSync[] = [];
    for (const pending of this.#pendingSyncs) {
      if (pending.zxid <= this.#appliedZxid) this.#syncsDone.push(pending.origin);
      else waiting.push(pending);
    }
    this.#pendingSyncs = waiting;
  }

  #installSnapshot(snapshot: SnapshotImage): void {
    assert(snapshot.zxid >= this.#appliedZxid, 'a SNAP never takes the state machine back');
    this.#log.installSnapshot(snapshot);
    // Entries not yet handed out are older than the snapshot, which replaces them.
    this.#apply = [];
    this.#appliedZxid = snapshot.zxid;
    if (this.#commitZxid < snapshot.zxid) this.#commitZxid = snapshot.zxid;
  }

  #makeContext(): RoleContext {
    // Getters read the core's live fields; the roles never keep copies.
    const core = this;
    return {
      options: this.#options,
      quorum: this.#quorum,
      rng: this.#rng,
      log: this.#log,
      get now() {
        return core.#now;
      },
      get commitZxid() {
        return core.#commitZxid;
      },
      get appliedZxid() {
        return core.#appliedZxid;
      },
      get snapshot() {
        return core.#snapshot;
      },
      get highestAcceptedEpochSeen() {
        return core.#highestAcceptedEpochSeen;
      },
      noteAcceptedEpoch: (epoch) => {
        if (epoch > this.#highestAcceptedEpochSeen) this.#highestAcceptedEpochSeen = epoch;
      },
      send: (to, msg) => this.#send.push({ to, msg }),
      learnCommit: (zxid) => this.#learnCommit(zxid),
      truncateAfter: (zxid) => {
        assert(zxid >= this.#appliedZxid, 'TRUNC never removes applied txns');
        this.#log.truncateAfter(zxid);
      },
      installSnapshot: (snapshot) => this.#installSnapshot(snapshot),
      requestSnapshot: () => {
        this.#isSnapshotNeeded = true;
      },
      deliverRequest: (request) => this.#requests.push(request),
      addPendingSync: (origin, zxid) => {
        this.#pendingSyncs.push({ origin, zxid });
        this.#finishSyncs();
      },
      deliverPingData: (pingData) => this.#pingData.push(pingData),
      takePingData: () => {
        const data = this.#outgoingPingData;
        this.#outgoingPingData = null;
        return data;
      },
      stepDown: (reason) => this.#stepDown(reason),
      statusChanged: () => this.#logger?.debug({ status: this.status().phase }, 'consensus phase changed'),
    };
  }
}
