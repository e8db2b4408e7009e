/**
 * The transaction layer: `prep` turns a write request into an idempotent txn (checks in
 * ZooKeeper 3.8's order against the tree plus pending changes), `apply` replays a txn on the
 * tree and reports results and watch triggers, `read` answers the read ops, and the txn binary
 * encoding for the log. Pure: no I/O, no clock, no randomness; zxids and times come in with the
 * txn header. It must never touch sessions or watches itself: it reports, the replica acts.
 */
export type { Txn, TxnBody, TxnHeader, TxnKind, MultiSubTxn, CreateOp, DeleteOp, SetDataOp, CheckOp, ErrorOp } from './txn.js';
export { encodeTxn, decodeTxn, TxnDecodeError } from './txn-codec.js';
export { PendingChanges, type ChangeRecord, type PendingNode } from './pending-changes.js';
export { prep, type PrepContext, type PrepRequest, type CreateSessionRequest } from './prep.js';
export { apply, replayTxn, type ApplyResult, type WatchTrigger } from './apply.js';
export { responseOf } from './response.js';
export {
  read,
  isReadOp,
  exists,
  getData,
  getChildren,
  getAcl,
  getAllChildrenNumber,
  getEphemerals,
  multiRead,
  type ReadContext,
  type ReadResult,
  type ReadWatch,
} from './read.js';
