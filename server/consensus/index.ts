/**
 * Consensus: leader election and atomic broadcast for a replicated group, a ZAB variant
 * (reference §11; not wire compatible with ZooKeeper's quorum protocol, which clients never see).
 * Pure: this module must never do I/O, read a clock, set a timer, or draw randomness other than
 * from the Rng it is given; and it must never emit an ACK, an ACKEPOCH or an ACK of NEWLEADER for
 * state the shell has not reported durable, nor hand out a txn to apply before it is committed.
 *
 * The contract, in the shape of server/replica/ready.ts:
 * - Make one `ConsensusCore` per member from `ConsensusOptions`, the `RecoveredState` the shell
 *   read from disk (accepted/current epochs, the snapshot's zxid, the durable log after it), and a
 *   seeded `Rng`. Each member starts looking for a leader.
 * - Inputs: `tick()` once per tickTime; `message(from, msg)` for each peer message (decode with
 *   `decodeMessage`); `persisted(seq)` once the batch `ready().persist` with that `seq` (and all
 *   before it) is durable; `propose(data)` on the broadcasting leader, returning the zxid
 *   (`nextProposalZxid()` tells the shell's prep which zxid it will be); `request(origin, data)`
 *   and `sync(origin)` for client writes and syncs on any member; `snapshotProvided(snapshot)`
 *   after `ready().isSnapshotNeeded`; `attachPingData(data)` to piggyback session touches.
 * - Output: `ready()` returns `ConsensusReady`; the shell then calls `advance()`. It sends every
 *   `send` at once, performs `persist` in order (truncate, store the snapshot and drop the log,
 *   append, write the epochs, one fsync) and reports `persisted(seq)`; it loads `persist.snapshot`
 *   into its state machine (if any) and then applies `applyCommitted` in order; it preps each of
 *   `requests` and calls `propose`; answers `syncsDone`; serves clients only while
 *   `status().isBroadcasting`.
 * - Invariants asserted: zxids increase and the log is contiguous within an epoch; epochs never
 *   decrease; txns are applied in zxid order, once, and only when committed and durable here
 *   (the known commit point may run ahead of the durable log on a lagging member); acks cover
 *   durable txns only; TRUNC and SNAP never remove applied txns.
 */
export { ConsensusCore, type ConsensusCoreInit } from './consensus-core.js';
export {
  type ConsensusOptions,
  type ConsensusReady,
  type ConsensusStatus,
  type Envelope,
  type ForwardedRequest,
  type PingData,
  type RecoveredState,
  type ZabPhase,
  DEFAULT_CONSENSUS_TUNING,
} from './consensus-types.js';
export { type EpochRecord, type PersistBatch } from './consensus-log.js';
export type * from './messages.js';
export { encodeMessage, decodeMessage, type DecodedMessage } from './message-codec.js';
export { isVoteBetter } from './election.js';
export { Quorum } from './quorum.js';
export { makeZxid, zxidEpoch, zxidCounter, nextZxid } from './zxid.js';
