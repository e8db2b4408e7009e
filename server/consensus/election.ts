/**
 * Leader election in the style of ZooKeeper's FastLeaderElection (reference §11): each looking
 * voter proposes the most up-to-date member it has heard of, and a vote wins once a quorum of
 * voters in the same round agree on it. Members already following or leading answer lookers with
 * their settled vote, so a restarted member joins an established leader. Timeouts are in ticks
 * and randomized from the injected Rng, so ties break and replays repeat.
 */
import type { Rng } from '../../util/rng.js';
import type { MemberId, Vote, VoteMessage } from './messages.js';
import type { Quorum } from './quorum.js';

/** What the election needs from the core. */
export interface ElectionContext {
  readonly myId: MemberId;
  readonly quorum: Quorum;
  readonly rng: Rng;
  readonly initLimitTicks: number;
  /** This member's own vote (its last durable zxid and current epoch); null for an observer. */
  selfVote(): Vote | null;
  send(to: MemberId, message: VoteMessage): void;
}

/** A vote beats another by epoch, then zxid, then member id (totalOrderPredicate). */
export function isVoteBetter(a: Vote, b: Vote): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

function isSameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.epoch === b.epoch;
}

/** One member's election state while it is looking. */
export class Election {
  readonly #ctx: ElectionContext;
  #round: number;
  #vote: Vote | null = null;
  /** Votes of looking voters in this round. */
  readonly #received = new Map<MemberId, Vote>();
  /** Votes of members that have settled (following or leading), by sender. */
  readonly #settled = new Map<MemberId, VoteMessage>();
  #now = 0;
  #decideAtTick: number | null = null;
  #resendAtTick = 0;
  #deadlineTick = 0;

  constructor(ctx: ElectionContext, round: number) {
    this.#ctx = ctx;
    this.#round = round;
  }

  /** The current election round (FastLeaderElection's logicalclock). */
  get round(): number {
    return this.#round;
  }

  /** The vote this member currently proposes; null for an observer. */
  get vote(): Vote | null {
    return this.#vote;
  }

  /** Starts a new round at tick `now`, voting for itself, and tells every voter. */
  start(now: number): void {
    this.#now = now;
    this.#round++;
    this.#vote = this.#ctx.selfVote();
    this.#received.clear();
    this.#settled.clear();
    this.#decideAtTick = null;
    this.#deadlineTick = now + this.#ctx.rng.int(this.#ctx.initLimitTicks, 2 * this.#ctx.initLimitTicks);
    this.#broadcast();
  }

  /** Handles a notification; returns the leader to follow once decided, else null. */
  onVote(from: MemberId, m: VoteMessage): MemberId | null {
    const q = this.#ctx.quorum;
    if (!q.isVoter(from)) {
      // Observers only ask; answer with this voter's vote so they learn who is leading.
      if (this.#vote !== null && m.state === 'looking') this.#sendTo(from);
      return null;
    }
    if (m.state !== 'looking') return this.#onSettled(from, m);
    if (this.#vote === null) return null;
    if (m.round > this.#round) {
      this.#round = m.round;
      this.#received.clear();
      this.#adopt(this.#better(m.vote, this.#ctx.selfVote()));
      this.#broadcast();
    } else if (m.round < this.#round) {
      this.#sendTo(from);
      return null;
    } else if (q.isVoter(m.vote.leader) && isVoteBetter(m.vote, this.#vote)) {
      this.#adopt(m.vote);
      this.#broadcast();
    }
    this.#received.set(from, m.vote);
    this.#checkQuorum();
    return null;
  }

  /** Advances to tick `now`; returns the leader to follow once decided, else null. */
  tick(now: number): MemberId | null {
    this.#now = now;
    if (this.#decideAtTick !== null && now >= this.#decideAtTick && this.#vote !== null) {
      if (this.#hasQuorumFor(this.#vote)) return this.#vote.leader;
      this.#decideAtTick = null;
    }
    if (now >= this.#deadlineTick) {
      this.start(now);
      return null;
    }
    if (now >= this.#resendAtTick) this.#broadcast();
    return null;
  }

  /**
   * A settled member reports its leader. Join that leader when a quorum of voters (this one
   * included) report it and the leader itself says it is leading (FastLeaderElection's
   * outofelection and checkLeader).
   */
  #onSettled(from: MemberId, m: VoteMessage): MemberId | null {
    this.#settled.set(from, m);
    const leader = m.vote.leader;
    if (leader === this.#ctx.myId) return this.#isFollowedByQuorum() ? leader : null;
    if (this.#settled.get(leader)?.state !== 'leading') return null;
    const agreeing = [...this.#settled].filter(([, n]) => n.vote.leader === leader).map(([id]) => id);
    // Count this member too: joining is always safe (the leader's handshake decides), and a
    // restarted voter must be able to rejoin a leader whose other followers it cannot reach.
    if (this.#vote !== null) agreeing.push(this.#ctx.myId);
    return this.#ctx.quorum.isQuorum(agreeing) ? leader : null;
  }

  /**
   * Members already following this one in the current round, plus itself, make a quorum: lead
   * (FastLeaderElection counts such notifications in recvset, and checkLeader accepts itself as
   * leader in the same round). Without this, a voter that decided first and settled would leave
   * the chosen leader looking until a timeout whenever the vote that would have decided it arrived
   * out of order.
   */
  #isFollowedByQuorum(): boolean {
    const myId = this.#ctx.myId;
    if (this.#vote?.leader !== myId) return false;
    const agreeing = [myId];
    for (const [id, n] of this.#settled) if (n.state === 'following' && n.vote.leader === myId && n.round === this.#round) agreeing.push(id);
    return this.#ctx.quorum.isQuorum(agreeing);
  }

  #better(candidate: Vote, own: Vote | null): Vote {
    if (own === null) return candidate;
    return this.#ctx.quorum.isVoter(candidate.leader) && isVoteBetter(candidate, own) ? candidate : own;
  }

  #adopt(vote: Vote): void {
    this.#vote = vote;
    this.#decideAtTick = null;
  }

  #hasQuorumFor(vote: Vote): boolean {
    const agreeing = [this.#ctx.myId];
    for (const [id, v] of this.#received) if (isSameVote(v, vote)) agreeing.push(id);
    return this.#ctx.quorum.isQuorum(agreeing);
  }

  #checkQuorum(): void {
    // Wait a tick before deciding (finalizeWait): a better vote may still be on its way.
    if (this.#vote !== null && this.#decideAtTick === null && this.#hasQuorumFor(this.#vote)) {
      this.#decideAtTick = this.#now + 1;
    }
  }

  #broadcast(): void {
    this.#resendAtTick = this.#now + this.#ctx.rng.int(1, 3);
    for (const id of this.#ctx.quorum.voters) if (id !== this.#ctx.myId) this.#sendTo(id);
    // A lone voter has nobody to hear from: its own vote is already a quorum.
    this.#checkQuorum();
  }

  #sendTo(to: MemberId): void {
    const vote = this.#vote ?? { leader: this.#ctx.myId, zxid: 0n, epoch: 0 };
    this.#ctx.send(to, { type: 'vote', round: this.#round, state: 'looking', vote });
  }
}
