/**
 * DataTree.processTxn: applies a committed txn to the tree. Deterministic and total: the
 * leader, followers and log replay run this same function, and an inconsistent txn yields an
 * error result rather than an exception. Returns the per-request result and the watch triggers
 * in firing order (reference §7.3).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { EventType } from '../../protocol/opcodes.js';
import type { Acl, MultiResult, Stat } from '../../protocol/records.js';
import { assertNever } from '../../util/assert.js';
import { splitPath, type DataTree } from '../tree/data-tree.js';
import { nodeKindOf } from '../tree/ephemeral-type.js';
import type { MultiSubTxn, Txn, TxnHeader } from './txn.js';

/**
 * One event to deliver to the watchers of `path`, with the ACL a watcher needs READ on to get it
 * (ZOOKEEPER-4799, CVE-2024-23944, backported into the Debian 3.8.0 build): the node's own ACL,
 * or the parent's for NodeChildrenChanged, as DataTree hands them to WatchManager.triggerWatch.
 */
export interface WatchTrigger {
  readonly path: string;
  readonly type: EventType;
  readonly acl: readonly Acl[];
}

/** What applying a txn did. */
export interface ApplyResult {
  /** The ReplyHeader err: 0 on success and always 0 for multi (its ops carry their own). */
  readonly err: number;
  /** The created path (create) or the txn's path; null for session and error txns. */
  readonly path: string | null;
  /** The node's Stat after create, setData or setACL; null otherwise. */
  readonly stat: Stat | null;
  /** Per-op results of a multi (3.8: a plain create reports kind 'create', path only). */
  readonly multiResults: readonly MultiResult[] | null;
  /** Watch events in firing order. */
  readonly triggers: readonly WatchTrigger[];
  /** Set by createSession: the caller adds the session. */
  readonly sessionCreated: { readonly sessionId: bigint; readonly timeoutMs: number } | null;
  /** Set by closeSession: the caller drops the session. */
  readonly sessionClosed: bigint | null;
}

interface Outcome {
  err: number;
  path: string | null;
  stat: Stat | null;
}

/** Applies a txn to the tree; zxids must arrive in increasing order. */
export function apply(txn: Txn, tree: DataTree): ApplyResult {
  return applyTxn(txn, tree, []);
}

/**
 * Applies a txn during log replay: the tree changes exactly as with `apply`, but no watch
 * triggers or stats are built, since nobody is waiting for them (half the cost of a replayed
 * create).
 */
export function replayTxn(txn: Txn, tree: DataTree): void {
  applyTxn(txn, tree, null);
}

/** `triggers` null: replay (no triggers, no stats). */
function applyTxn(txn: Txn, tree: DataTree, triggers: WatchTrigger[] | null): ApplyResult {
  tree.markApplied(txn.header.zxid);
  switch (txn.kind) {
    case 'createSession': {
      const sessionCreated = { sessionId: txn.header.sessionId, timeoutMs: txn.timeoutMs };
      return { err: 0, path: null, stat: null, multiResults: null, triggers: triggers ?? [], sessionCreated, sessionClosed: null };
    }
    case 'closeSession':
      closeSession(tree, txn.header, txn.paths, triggers);
      return { err: 0, path: null, stat: null, multiResults: null, triggers: triggers ?? [], sessionCreated: null, sessionClosed: txn.header.sessionId };
    case 'setACL': {
      const err = tree.setAcl(txn.path, txn.acl, txn.aversion);
      return resultOf({ err, path: txn.path, stat: err === 0 && triggers !== null ? tree.stat(txn.path) : null }, triggers);
    }
    case 'deleteContainer':
      return resultOf(deleteNode(tree, txn.header, txn.path, triggers), triggers);
    case 'multi': {
      const multiResults = applyMulti(tree, txn.header, txn.txns, triggers);
      return { err: 0, path: null, stat: null, multiResults, triggers: triggers ?? [], sessionCreated: null, sessionClosed: null };
    }
    default:
      return resultOf(applySub(tree, txn.header, txn, triggers), triggers);
  }
}

/**
 * The result of a txn that is one outcome; every result is built with the same fields in the
 * same order (no spreads), so the objects share one shape on this hot path.
 */
function resultOf(outcome: Outcome, triggers: readonly WatchTrigger[] | null): ApplyResult {
  return { err: outcome.err, path: outcome.path, stat: outcome.stat, multiResults: null, triggers: triggers ?? [], sessionCreated: null, sessionClosed: null };
}

function applySub(tree: DataTree, header: TxnHeader, txn: MultiSubTxn, triggers: WatchTrigger[] | null): Outcome {
  switch (txn.kind) {
    case 'create': {
      const err = tree.createNode(txn.path, txn.data, txn.acl, txn.ephemeralOwner, txn.parentCVersion, header.zxid, header.timeMs);
      if (err !== 0 || triggers === null) return { err, path: txn.path, stat: null };
      const parent = splitPath(txn.path).parent;
      triggers.push({ path: txn.path, type: EventType.NodeCreated, acl: txn.acl });
      triggers.push({ path: parent, type: EventType.NodeChildrenChanged, acl: aclAt(tree, parent) });
      return { err, path: txn.path, stat: tree.stat(txn.path) };
    }
    case 'delete':
      return deleteNode(tree, header, txn.path, triggers);
    case 'setData': {
      const err = tree.setData(txn.path, txn.data, txn.version, header.zxid, header.timeMs);
      if (err !== 0 || triggers === null) return { err, path: txn.path, stat: null };
      triggers.push({ path: txn.path, type: EventType.NodeDataChanged, acl: aclAt(tree, txn.path) });
      return { err, path: txn.path, stat: tree.stat(txn.path) };
    }
    case 'check':
      return { err: 0, path: txn.path, stat: null };
    case 'error':
      return { err: txn.err, path: null, stat: null };
    default:
      return assertNever(txn, 'multi sub-txn');
  }
}

function deleteNode(tree: DataTree, header: TxnHeader, path: string, triggers: WatchTrigger[] | null): Outcome {
  if (triggers === null) return { err: tree.deleteNode(path, header.zxid), path, stat: null };
  // The deleted node's ACL, read before it goes (DataTree.deleteNode keeps it for the triggers).
  const acl = aclAt(tree, path);
  const err = tree.deleteNode(path, header.zxid);
  if (err === 0) {
    const parent = splitPath(path).parent;
    triggers.push({ path, type: EventType.NodeDeleted, acl });
    triggers.push({ path: parent, type: EventType.NodeChildrenChanged, acl: aclAt(tree, parent) });
  }
  return { err, path, stat: null };
}

/** The ACL of the node at `path`; empty (which every check passes) when there is none. */
function aclAt(tree: DataTree, path: string): readonly Acl[] {
  const node = tree.getNode(path);
  return node === undefined ? [] : tree.aclOf(node);
}

/** DataTree.killSession: the txn's paths, then any ephemeral the txn did not list. */
function closeSession(tree: DataTree, header: TxnHeader, paths: readonly string[], triggers: WatchTrigger[] | null): void {
  for (const path of paths) {
    if (tree.getNode(path) !== undefined) deleteNode(tree, header, path, triggers);
  }
  const left = [...tree.ephemeralsOf(header.sessionId)].sort();
  for (const path of left) deleteNode(tree, header, path, triggers);
  tree.sessionClosed(header.sessionId);
}

/**
 * MultiTxn: if any op is an error txn, every other op becomes error 0 before it and
 * RUNTIMEINCONSISTENCY after it, and nothing changes (DataTree.processTxn).
 */
function applyMulti(tree: DataTree, header: TxnHeader, txns: readonly MultiSubTxn[], triggers: WatchTrigger[] | null): MultiResult[] {
  const failed = txns.some((t) => t.kind === 'error');
  let afterFailure = false;
  const results: MultiResult[] = [];
  for (const txn of txns) {
    if (txn.kind === 'error') afterFailure = true;
    if (failed) {
      const err = txn.kind === 'error' ? txn.err : afterFailure ? ErrorCode.RuntimeInconsistency : ErrorCode.Ok;
      results.push({ kind: 'error', err });
      continue;
    }
    const outcome = applySub(tree, header, txn, triggers);
    results.push(multiResultOf(txn, outcome));
  }
  return results;
}

function multiResultOf(txn: MultiSubTxn, outcome: Outcome): MultiResult {
  if (outcome.err !== 0) return { kind: 'error', err: outcome.err };
  switch (txn.kind) {
    case 'create': {
      const path = outcome.path ?? txn.path;
      // 3.8 answers create and create2 with type 1 (path only); containers and TTL with type 15.
      const kind = nodeKindOf(txn.ephemeralOwner);
      if ((kind === 'container' || kind === 'ttl') && outcome.stat !== null) return { kind: 'create2', path, stat: outcome.stat };
      return { kind: 'create', path };
    }
    case 'delete':
      return { kind: 'delete' };
    case 'setData':
      return outcome.stat === null ? { kind: 'error', err: ErrorCode.NoNode } : { kind: 'setData', stat: outcome.stat };
    case 'check':
      return { kind: 'check' };
    case 'error':
      return { kind: 'error', err: txn.err };
    default:
      return assertNever(txn, 'multi sub-txn');
  }
}
