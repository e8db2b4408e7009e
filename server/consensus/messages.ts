/**
 * The server-to-server messages of the consensus protocol, a ZAB variant (reference §11). Not
 * wire compatible with ZooKeeper's quorum protocol. Every message is safe to lose, duplicate or
 * reorder: handshake steps are resent until answered and carry the learner's session number,
 * acks and commits are cumulative, and proposals are taken only in zxid order.
 */

/** A member's id (`server.N` in zoo.cfg, the `myid` file). */
export type MemberId = number;

/** One txn in the replicated log: its zxid and the shell's opaque encoding of it. */
export interface LogEntry {
  readonly zxid: bigint;
  readonly data: Uint8Array;
}

/** What a member reports about itself in an election notification. */
export type PeerState = 'looking' | 'following' | 'leading' | 'observing';

/** An election vote: the proposed leader, its last durable zxid and its current epoch. */
export interface Vote {
  readonly leader: MemberId;
  readonly zxid: bigint;
  readonly epoch: number;
}

/** A snapshot of the state machine as of `zxid`, as opaque bytes from the leader's shell. */
export interface SnapshotImage {
  readonly zxid: bigint;
  readonly data: Uint8Array;
}

/** How the leader brings a learner's log in line with its history (reference §11 step 4). */
export type SyncMode = 'diff' | 'trunc' | 'snap';

/** Election notification (FastLeaderElection's Notification): the sender's vote and state. */
export interface VoteMessage {
  readonly type: 'vote';
  readonly round: number;
  readonly state: PeerState;
  readonly vote: Vote;
}

/** Learner -> leader, step 1 (FOLLOWERINFO/OBSERVERINFO); resent each tick until answered. */
export interface LearnerInfoMessage {
  readonly type: 'learnerInfo';
  readonly session: number;
  readonly acceptedEpoch: number;
  /** The leader `acceptedEpoch` was promised to. */
  readonly acceptedLeader: MemberId;
  readonly isObserver: boolean;
}

/** Leader -> learner, step 2 (LEADERINFO): the epoch the leader proposes to establish. */
export interface LeaderInfoMessage {
  readonly type: 'leaderInfo';
  readonly session: number;
  readonly epoch: number;
}

/** Learner -> leader, step 3 (ACKEPOCH): sent once `epoch` is durably accepted. */
export interface AckEpochMessage {
  readonly type: 'ackEpoch';
  readonly session: number;
  readonly epoch: number;
  /** The learner's durable current epoch (the epoch whose history its log reflects). */
  readonly currentEpoch: number;
  /** The learner's last durable zxid. */
  readonly lastZxid: bigint;
}

/**
 * Leader -> learner, steps 4 and 5 in one message (DIFF/TRUNC/SNAP, the txns, NEWLEADER): drop
 * the log after `truncateAfter` (trunc), or replace everything with `snapshot` (snap), then append
 * `entries`, which end at the leader's last zxid.
 */
export interface SyncMessage {
  readonly type: 'sync';
  readonly session: number;
  readonly epoch: number;
  readonly mode: SyncMode;
  readonly truncateAfter: bigint;
  readonly snapshot: SnapshotImage | null;
  readonly entries: readonly LogEntry[];
  readonly commitZxid: bigint;
}

/** Learner -> leader, step 5's ACK: the synced log and the new current epoch are durable. */
export interface AckNewLeaderMessage {
  readonly type: 'ackNewLeader';
  readonly session: number;
  readonly epoch: number;
  readonly zxid: bigint;
}

/** Leader -> learner, step 6 (UPTODATE): the epoch is established; start serving. */
export interface UpToDateMessage {
  readonly type: 'upToDate';
  readonly session: number;
  readonly epoch: number;
  readonly commitZxid: bigint;
}

/**
 * Leader -> follower (PROPOSAL): log this txn, which follows `prevZxid` in the leader's history.
 * The follower appends it only right after `prevZxid`, so a lost proposal is a visible gap even
 * across an epoch change.
 */
export interface ProposalMessage {
  readonly type: 'proposal';
  readonly epoch: number;
  readonly prevZxid: bigint;
  readonly entry: LogEntry;
}

/**
 * Learner -> leader (ACK, and the answer to PING): every txn up to `zxid` is durable here and the
 * log up to it is a prefix of the leader's history. `data` carries piggybacked shell data
 * (session touches) when the shell gave some.
 */
export interface AckMessage {
  readonly type: 'ack';
  readonly session: number;
  readonly epoch: number;
  readonly zxid: bigint;
  readonly data: Uint8Array | null;
}

/** Leader -> follower (COMMIT): every txn up to `zxid` is committed. */
export interface CommitMessage {
  readonly type: 'commit';
  readonly epoch: number;
  readonly zxid: bigint;
}

/** Leader -> observer (INFORM): committed txns following `prevZxid`, and the commit point. */
export interface InformMessage {
  readonly type: 'inform';
  readonly epoch: number;
  readonly prevZxid: bigint;
  readonly entries: readonly LogEntry[];
  readonly commitZxid: bigint;
}

/** Leader -> learner (PING), every tick: liveness and the commit point. */
export interface PingMessage {
  readonly type: 'ping';
  readonly session: number;
  readonly epoch: number;
  readonly commitZxid: bigint;
}

/** Learner -> leader (REQUEST): a client write for the leader's shell to prep. */
export interface RequestMessage {
  readonly type: 'request';
  readonly origin: Uint8Array;
  readonly data: Uint8Array;
}

/** Learner -> leader: a client `sync`; the leader answers with its commit point. */
export interface SyncRequestMessage {
  readonly type: 'syncRequest';
  readonly origin: Uint8Array;
}

/** Leader -> learner (SYNC): the commit point the learner must apply before answering `origin`. */
export interface SyncReplyMessage {
  readonly type: 'syncReply';
  readonly epoch: number;
  readonly origin: Uint8Array;
  readonly zxid: bigint;
}

/** Every consensus message, discriminated by `type`. */
export type ConsensusMessage =
  | VoteMessage
  | LearnerInfoMessage
  | LeaderInfoMessage
  | AckEpochMessage
  | SyncMessage
  | AckNewLeaderMessage
  | UpToDateMessage
  | ProposalMessage
  | AckMessage
  | CommitMessage
  | InformMessage
  | PingMessage
  | RequestMessage
  | SyncRequestMessage
  | SyncReplyMessage;
