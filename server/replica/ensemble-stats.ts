/**
 * The numbers ZooKeeper's four-letter words print for an ensemble member (reference §9.2/§9.3)
 * that the consensus core does not keep: which learners the leader hears from and has brought
 * up to date, and the sizes of its proposals. Derived from the messages the core receives and
 * sends, so the core stays free of reporting concerns. Pure: time arrives as ticks and as the
 * `nowMs` given with a change of role.
 */
import type { ConsensusMessage, MemberId } from '../consensus/index.js';

/** Leader proposal sizes in bytes; -1 each before any proposal (Leader.proposalStats). */
export interface ProposalSizeStats {
  readonly lastBytes: number;
  readonly minBytes: number;
  readonly maxBytes: number;
}

/** What a leader reports about its learners (mntr `zk_learners`, `zk_synced_*`). */
export interface LearnerCounts {
  /** Learners heard from within syncLimit (ZooKeeper: its LearnerHandlers). */
  readonly learners: number;
  /** Voting learners brought up to date and still heard from. */
  readonly syncedFollowers: number;
  /** Observers brought up to date and still heard from. */
  readonly syncedObservers: number;
}

/** Options of EnsembleStats. */
export interface EnsembleStatsOptions {
  readonly observers: readonly MemberId[];
  /** A learner not heard from for this many ticks no longer counts (zoo.cfg syncLimit). */
  readonly staleTicks: number;
}

/** Tracks a member's learners and proposals for the four-letter words. */
export class EnsembleStats {
  readonly #observers: ReadonlySet<MemberId>;
  readonly #staleTicks: number;
  #tick = 0;
  readonly #heardTick = new Map<MemberId, number>();
  readonly #upToDate = new Set<MemberId>();
  #proposals: ProposalSizeStats = { lastBytes: -1, minBytes: -1, maxBytes: -1 };
  #leaderSinceMs: number | null = null;

  constructor(options: EnsembleStatsOptions) {
    this.#observers = new Set(options.observers);
    this.#staleTicks = options.staleTicks;
  }

  /** One consensus tick passed. */
  tick(): void {
    this.#tick++;
  }

  /** A message from a peer arrived; anything but a vote comes from a learner (or a leader). */
  received(from: MemberId, msg: ConsensusMessage): void {
    if (msg.type !== 'vote') this.#heardTick.set(from, this.#tick);
  }

  /** The core sent a message: an UPTODATE marks a learner synced, a new sync message unmarks it. */
  sent(to: MemberId, msg: ConsensusMessage): void {
    if (msg.type === 'upToDate') this.#upToDate.add(to);
    else if (msg.type === 'sync') this.#upToDate.delete(to);
  }

  /**
   * This member's role changed; a new leadership starts with fresh numbers, as a new Leader does.
   * The UPTODATE messages that start a leadership go out in the same batch that reports it, so
   * the synced learners are forgotten only when leading stops.
   */
  roleChanged(isLeading: boolean, nowMs: number): void {
    if (isLeading && this.#leaderSinceMs === null) {
      this.#leaderSinceMs = nowMs;
      this.#proposals = { lastBytes: -1, minBytes: -1, maxBytes: -1 };
    } else if (!isLeading) {
      this.#leaderSinceMs = null;
      this.#upToDate.clear();
    }
  }

  /** The leader proposed a txn of `sizeBytes`. */
  proposed(sizeBytes: number): void {
    const p = this.#proposals;
    this.#proposals = {
      lastBytes: sizeBytes,
      minBytes: p.minBytes === -1 ? sizeBytes : Math.min(p.minBytes, sizeBytes),
      maxBytes: Math.max(p.maxBytes, sizeBytes),
    };
  }

  /** Proposal sizes of the current leadership. */
  get proposalSizes(): ProposalSizeStats {
    return this.#proposals;
  }

  /** Milliseconds since this member became leader, or null when it does not lead. */
  leaderUptimeMs(nowMs: number): number | null {
    return this.#leaderSinceMs === null ? null : nowMs - this.#leaderSinceMs;
  }

  /** The leader's learner counts as of now. */
  learnerCounts(): LearnerCounts {
    let learners = 0;
    let syncedFollowers = 0;
    let syncedObservers = 0;
    for (const [id, heard] of this.#heardTick) {
      if (this.#tick - heard > this.#staleTicks) continue;
      learners++;
      if (!this.#upToDate.has(id)) continue;
      if (this.#observers.has(id)) syncedObservers++;
      else syncedFollowers++;
    }
    return { learners, syncedFollowers, syncedObservers };
  }
}
