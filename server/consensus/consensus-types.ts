/**
 * The consensus core's configuration, recovery input and output contract (mirroring
 * server/replica/ready.ts): the shell gathers `ready()`, performs it, then calls `advance()`.
 */
import type { PersistBatch } from './consensus-log.js';
import type { ConsensusMessage, LogEntry, MemberId, PeerState } from './messages.js';

/** How a member of the group is configured; every duration is in ticks. */
export interface ConsensusOptions {
  readonly myId: MemberId;
  readonly voters: readonly MemberId[];
  readonly observers: readonly MemberId[];
  /** A learner that hears nothing from its leader, or a leader without a quorum, for this long gives up (zoo.cfg syncLimit). */
  readonly syncLimitTicks: number;
  /** How long discovery and synchronization may take before starting over (zoo.cfg initLimit). */
  readonly initLimitTicks: number;
  /** Applied txns kept in memory to sync learners by DIFF; older learners get SNAP (commitLogCount). */
  readonly logKeepCount: number;
  /** Proposals the leader lets wait for commit before `propose` refuses more. */
  readonly maxOutstandingProposals: number;
  /** Txns the leader resends to a lagging learner per resend. */
  readonly maxResendEntries: number;
  /**
   * Ticks without progress before the leader resends txns to a learner or repeats a sync, and
   * between a learner's ACKEPOCH resends (whose answer may be a large SNAP still on its way).
   */
  readonly resendTicks: number;
}

/** Defaults for the tunables (ZooKeeper's syncLimit 5, initLimit 10, commitLogCount 500). */
export const DEFAULT_CONSENSUS_TUNING = {
  syncLimitTicks: 5,
  initLimitTicks: 10,
  logKeepCount: 500,
  maxOutstandingProposals: 1000,
  maxResendEntries: 100,
  resendTicks: 2,
} as const;

/** What the shell recovered from disk at start. */
export interface RecoveredState {
  readonly acceptedEpoch: number;
  /** The leader the accepted epoch was promised to; 0 when none. */
  readonly acceptedLeader: MemberId;
  readonly currentEpoch: number;
  /** The zxid the shell's state machine reflects (its snapshot's); 0n for an empty one. */
  readonly snapshotZxid: bigint;
  /** The durable log after `snapshotZxid`, in zxid order; applied only once known committed. */
  readonly entries: readonly LogEntry[];
}

/** A message for one peer. */
export interface Envelope {
  readonly to: MemberId;
  readonly msg: ConsensusMessage;
}

/** A client write that the leader's shell must prep and then `propose`. */
export interface ForwardedRequest {
  /** The member whose client sent it (this member for local writes). */
  readonly from: MemberId;
  readonly origin: Uint8Array;
  readonly data: Uint8Array;
}

/** Data a learner piggybacked on a ping answer (session touches). */
export interface PingData {
  readonly from: MemberId;
  readonly data: Uint8Array;
}

/** ZooKeeper's zabstate phases. */
export type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** Where a member stands in the protocol. */
export interface ConsensusStatus {
  readonly role: PeerState;
  readonly phase: ZabPhase;
  readonly leader: MemberId | null;
  /** The epoch being established or led, once known; else the durable current epoch. */
  readonly epoch: number;
  /** True when this member is part of an established, broadcasting group and may serve. */
  readonly isBroadcasting: boolean;
  readonly lastZxid: bigint;
  readonly commitZxid: bigint;
  readonly appliedZxid: bigint;
}

/** Everything the core wants done after the inputs it has been given so far. */
export interface ConsensusReady {
  /** Messages to peers; all may go out at once (nothing here waits on durability). */
  readonly send: readonly Envelope[];
  /** Durable writes, as one batch with one fsync; report with `persisted(seq)`. */
  readonly persist: PersistBatch | null;
  /**
   * Committed txns to apply to the state machine, in zxid order, each once. When `persist`
   * carries a snapshot, load it first: these entries follow it.
   */
  readonly applyCommitted: readonly LogEntry[];
  /** Set when the leader needs a snapshot of the applied state (`snapshotProvided`) for a SNAP. */
  readonly isSnapshotNeeded: boolean;
  /** Client writes for this (leader's) shell to prep and propose. */
  readonly requests: readonly ForwardedRequest[];
  /** Origins of `sync` calls whose commit point is now applied here: answer them. */
  readonly syncsDone: readonly Uint8Array[];
  /** Data piggybacked by learners. */
  readonly pingData: readonly PingData[];
  /** The new status when role, phase, leader, epoch or serving changed; else null. */
  readonly status: ConsensusStatus | null;
}
