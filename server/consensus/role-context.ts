/**
 * What the leader and learner roles may use of the core that hosts them. The core implements it;
 * the roles hold no state beyond their own phase and never touch the log's durability directly.
 */
import type { Rng } from '../../util/rng.js';
import type { ConsensusLog } from './consensus-log.js';
import type { ConsensusOptions, ForwardedRequest, PingData } from './consensus-types.js';
import type { ConsensusMessage, MemberId, SnapshotImage } from './messages.js';
import type { Quorum } from './quorum.js';

/** The core's services for its current role. */
export interface RoleContext {
  readonly options: ConsensusOptions;
  readonly quorum: Quorum;
  readonly rng: Rng;
  readonly log: ConsensusLog;
  /** The current tick. */
  readonly now: number;
  /** The highest zxid known to be committed (it may pass the durable log). */
  readonly commitZxid: bigint;
  /** The zxid of the last txn handed out to apply. */
  readonly appliedZxid: bigint;
  send(to: MemberId, msg: ConsensusMessage): void;
  /** Raises the commit point and applies what is both committed and durable. */
  learnCommit(zxid: bigint): void;
  /** Drops the log after `zxid` (never an applied txn). */
  truncateAfter(zxid: bigint): void;
  /** Replaces log and state machine with a snapshot image from the leader. */
  installSnapshot(snapshot: SnapshotImage): void;
  /** Asks the shell for a snapshot of the applied state. */
  requestSnapshot(): void;
  /** The latest snapshot the shell provided, if any. */
  readonly snapshot: SnapshotImage | null;
  deliverRequest(request: ForwardedRequest): void;
  /** Remembers a `sync` to answer once `zxid` is applied. */
  addPendingSync(origin: Uint8Array, zxid: bigint): void;
  deliverPingData(pingData: PingData): void;
  /** Takes the data the shell wants piggybacked on the next ping answer. */
  takePingData(): Uint8Array | null;
  /** The highest accepted epoch any learner reported to this member while it led. */
  readonly highestAcceptedEpochSeen: number;
  /** Remembers a learner's accepted epoch, so a later epoch proposal goes above it. */
  noteAcceptedEpoch(epoch: number): void;
  /** Leaves the current role and starts an election. */
  stepDown(reason: string): void;
  /** Notes that the status (phase, serving) changed. */
  statusChanged(): void;
}
