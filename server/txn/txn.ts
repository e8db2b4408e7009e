/**
 * Transactions: what `prep` decides and every replica's `apply` replays. A txn has resolved
 * every non-deterministic choice (zxid, time, sequence suffix, parent cversion, ephemeral owner,
 * the ephemerals a closing session deletes), so applying it is a pure function of the tree.
 */
import type { Acl } from '../../protocol/records.js';

/** Who and when: the fields of ZooKeeper's TxnHeader (the type is the txn's `kind`). */
export interface TxnHeader {
  readonly sessionId: bigint;
  /** The request's xid (0 for server-made txns). */
  readonly cxid: number;
  readonly zxid: bigint;
  /** The leader's wall clock when the txn was prepped; becomes ctime/mtime. */
  readonly timeMs: number;
}

/** CreateTxn / CreateContainerTxn / CreateTTLTxn: the owner carries the node kind. */
export interface CreateOp {
  readonly kind: 'create';
  /** The final path, with any sequence suffix. */
  readonly path: string;
  readonly data: Uint8Array | null;
  /** Already fixed up (`auth` expanded). */
  readonly acl: readonly Acl[];
  /** Raw StatPersisted owner: 0, the session id, or the container/TTL marker. */
  readonly ephemeralOwner: bigint;
  /** The parent's persisted cversion after this create. */
  readonly parentCVersion: number;
}

/** DeleteTxn. */
export interface DeleteOp {
  readonly kind: 'delete';
  readonly path: string;
}

/** SetDataTxn: `version` is the node's new data version. */
export interface SetDataOp {
  readonly kind: 'setData';
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly version: number;
}

/** CheckVersionTxn: changes nothing. */
export interface CheckOp {
  readonly kind: 'check';
  readonly path: string;
  readonly version: number;
}

/** ErrorTxn: a failed write keeps its zxid and its place in the session's order. */
export interface ErrorOp {
  readonly kind: 'error';
  readonly err: number;
}

/** The txns a multi may hold. */
export type MultiSubTxn = CreateOp | DeleteOp | SetDataOp | CheckOp | ErrorOp;

/** Every txn body. */
export type TxnBody =
  | MultiSubTxn
  | { readonly kind: 'createSession'; readonly timeoutMs: number }
  /** CloseSessionTxn: the session's ephemerals, including those of pending txns at prep. */
  | { readonly kind: 'closeSession'; readonly paths: readonly string[] }
  | { readonly kind: 'setACL'; readonly path: string; readonly acl: readonly Acl[]; readonly aversion: number }
  /** deleteContainer (the reaper's delete; applied like DeleteTxn). */
  | { readonly kind: 'deleteContainer'; readonly path: string }
  /** MultiTxn: a failed multi holds one error txn per op ([0.., err, -2..]). */
  | { readonly kind: 'multi'; readonly txns: readonly MultiSubTxn[] };

/** A txn: one body with its header. */
export type Txn = TxnBody & { readonly header: TxnHeader };

/** The kinds of txn. */
export type TxnKind = Txn['kind'];
