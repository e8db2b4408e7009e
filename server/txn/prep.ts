/**
 * PrepRequestProcessor: turns a write request into a txn, checking in ZooKeeper 3.8's order
 * (reference §6.2) against the tree plus the pending changes. A failed check yields an error
 * txn that still consumes its zxid; inside a multi each op gets its own error txn.
 * Session checks (SESSIONEXPIRED, global session for ephemerals) are the caller's: they need the
 * session table.
 */
import { sequenceSuffix } from '../../protocol/acl.js';
import { multiCreateOpOf } from '../../protocol/multi-codec.js';
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode, Perms } from '../../protocol/opcodes.js';
import { validatePath } from '../../protocol/paths.js';
import type { Acl, Id, MultiOp, Request } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import { checkAcl, fixupAcl, type AclCaller } from '../tree/acl.js';
import { isBuiltInPath, type DataTree } from '../tree/data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER, isValidTtl, nodeKindOf, ttlEphemeralOwner } from '../tree/ephemeral-type.js';
import { ChangeView } from './change-view.js';
import { closeSessionDeleteOrder } from './java-hash-order.js';
import type { PendingChanges, PendingNode } from './pending-changes.js';
import type { MultiSubTxn, Txn, TxnBody, TxnHeader } from './txn.js';

/** Everything prep needs besides the request. */
export interface PrepContext {
  readonly tree: DataTree;
  readonly pending: PendingChanges;
  /** zxid, time, sessionId and cxid, chosen by the caller. */
  readonly header: TxnHeader;
  /** The connection's auth ids, including `ip:<address>`. */
  readonly authIds: readonly Id[];
  readonly isSuper: boolean;
  /** zookeeper.extendedTypesEnabled (TTL nodes). */
  readonly extendedTypesEnabled: boolean;
  /** zookeeper.skipACL. */
  readonly skipAcl: boolean;
}

/** The internal createSession request (a ConnectRequest with session id 0). */
export interface CreateSessionRequest {
  readonly op: typeof OpCode.createSession;
  readonly timeoutMs: number;
}

/** The requests prep accepts: the write ops, closeSession and createSession. */
export type PrepRequest = Request | CreateSessionRequest;

/** A failed check: the ZooKeeper error code. */
type Failure = number;

/** What one create needs, whichever record it came from. */
interface CreateArgs {
  /** Which txn the opcode makes: CreateTxn, CreateContainerTxn or CreateTTLTxn. */
  readonly txnType: 'create' | 'container' | 'ttl';
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly flags: number;
  /** -1 unless the record was a CreateTTLRequest. */
  readonly ttl: bigint;
}

/**
 * Preps one write request into a txn stamped with `ctx.header`. The caller must pass the txn to
 * `ctx.pending.add` when it proposes it, before prepping the next request.
 */
export function prep(request: PrepRequest, ctx: PrepContext): Txn {
  const view = new ChangeView(ctx.tree, ctx.pending, ctx.header.zxid);
  const result = prepBody(request, ctx, view);
  const body: TxnBody = typeof result === 'number' ? { kind: 'error', err: result } : result;
  if (typeof result === 'number') view.discard();
  const txn: Txn = { ...body, header: ctx.header };
  ctx.pending.stage(txn, view.changes());
  return txn;
}

function prepBody(request: PrepRequest, ctx: PrepContext, view: ChangeView): TxnBody | Failure {
  switch (request.op) {
    case OpCode.create:
    case OpCode.create2:
      return prepCreate(ctx, view, { txnType: 'create', ...request, ttl: -1n });
    case OpCode.createContainer:
      return prepCreate(ctx, view, { txnType: 'container', ...request, ttl: -1n });
    case OpCode.createTTL:
      return prepCreate(ctx, view, { txnType: 'ttl', ...request });
    case OpCode.delete:
      return prepDelete(ctx, view, request.path, request.version);
    case OpCode.deleteContainer:
      // ZooKeeper 3.8.0's PrepRequestProcessor reads the path as `request.request.array()`: the
      // whole backing array, whose length prefix holds NUL bytes, so BADARGUMENTS. Only the
      // ContainerManager's own requests (session 0) wrap exactly the path bytes.
      if (ctx.header.sessionId !== 0n) return ErrorCode.BadArguments;
      return prepDeleteContainer(view, request.path);
    case OpCode.setData:
      return prepSetData(ctx, view, request.path, request.data, request.version);
    case OpCode.setACL:
      return prepSetAcl(ctx, view, request.path, request.acl, request.version);
    case OpCode.check:
      return prepCheck(ctx, view, request.path, request.version);
    case OpCode.multi:
      return prepMulti(ctx, view, request.ops);
    case OpCode.createSession:
      return { kind: 'createSession', timeoutMs: request.timeoutMs };
    case OpCode.closeSession:
      return prepCloseSession(ctx, view);
    default:
      assert(false, `prep is called with write ops only, not op ${request.op}`);
  }
}

function callerOf(ctx: PrepContext): AclCaller {
  return { authIds: ctx.authIds, isSuper: ctx.isSuper, skipAcl: ctx.skipAcl };
}

/** CreateMode.fromFlag: null for an invalid flag value. */
function createModeOf(flags: number): { ephemeral: boolean; sequential: boolean; container: boolean; ttl: boolean } | null {
  if (!Number.isInteger(flags) || flags < 0 || flags > 6) return null;
  return {
    ephemeral: flags === 1 || flags === 3,
    sequential: flags === 2 || flags === 3 || flags === 6,
    container: flags === 4,
    ttl: flags === 5 || flags === 6,
  };
}

/** The parent key of a path ('/' for top-level nodes; ZooKeeper's '' is the same root). */
function parentKeyOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** pRequest2TxnCreate, in ZooKeeper's order of checks (reference §6.2). */
function prepCreate(ctx: PrepContext, view: ChangeView, args: CreateArgs): MultiSubTxn | Failure {
  const mode = createModeOf(args.flags);
  if (mode === null) return ErrorCode.BadArguments;
  if (mode.ttl && !ctx.extendedTypesEnabled) return ErrorCode.Unimplemented;
  if (mode.ttl ? !isValidTtl(args.ttl) : args.ttl >= 0n) return ErrorCode.BadArguments;
  // CreateTTLTxn needs a valid TTL; ZooKeeper would fail applying this one, we refuse it here.
  if (args.txnType === 'ttl' && !mode.ttl) return ErrorCode.BadArguments;
  const { path } = args;
  if (path.lastIndexOf('/') === -1 || path.includes('\0')) return ErrorCode.BadArguments;
  const parentKey = parentKeyOf(path);
  const acl = fixupAcl(args.acl, ctx.authIds);
  if (acl === null) return ErrorCode.InvalidAcl;
  const parent = view.get(parentKey);
  if (parent === null) return ErrorCode.NoNode;
  if (!checkAcl(parent.acl, Perms.Create, callerOf(ctx))) return ErrorCode.NoAuth;
  const finalPath = mode.sequential ? path + sequenceSuffix(parent.cversion) : path;
  if (validatePath(finalPath) !== null) return ErrorCode.BadArguments;
  if (view.get(finalPath) !== null) return ErrorCode.NodeExists;
  if (nodeKindOf(parent.ephemeralOwner) === 'ephemeral') return ErrorCode.NoChildrenForEphemerals;
  const parentCVersion = (parent.cversion + 1) | 0;
  // Ops 1/15 store a plain persistent node even with flags 4: the opcode picks the txn (§6.5).
  const ephemeralOwner =
    args.txnType === 'container'
      ? CONTAINER_EPHEMERAL_OWNER
      : args.txnType === 'ttl'
        ? ttlEphemeralOwner(args.ttl)
        : mode.ephemeral
          ? BigInt.asIntN(64, ctx.header.sessionId)
          : 0n;
  view.set(parentKey, { ...parent, childCount: parent.childCount + 1, cversion: parentCVersion });
  view.set(finalPath, { version: 0, cversion: 0, aversion: 0, ephemeralOwner, childCount: 0, acl });
  return { kind: 'create', path: finalPath, data: args.data, acl, ephemeralOwner, parentCVersion };
}

/** getParentPathAndValidate: BADARGUMENTS for no '/', NUL, or a built-in node. */
function deletablePath(path: string): boolean {
  return path.lastIndexOf('/') !== -1 && !path.includes('\0') && !isBuiltInPath(path);
}

function prepDelete(ctx: PrepContext, view: ChangeView, path: string, version: number): MultiSubTxn | Failure {
  if (!deletablePath(path)) return ErrorCode.BadArguments;
  const parentKey = parentKeyOf(path);
  const parent = view.get(parentKey);
  if (parent === null) return ErrorCode.NoNode;
  if (!checkAcl(parent.acl, Perms.Delete, callerOf(ctx))) return ErrorCode.NoAuth;
  const node = view.get(path);
  if (node === null) return ErrorCode.NoNode;
  if (version !== -1 && version !== node.version) return ErrorCode.BadVersion;
  if (node.childCount > 0) return ErrorCode.NotEmpty;
  recordDelete(view, path, parentKey, parent);
  return { kind: 'delete', path };
}

function recordDelete(view: ChangeView, path: string, parentKey: string, parent: PendingNode): void {
  view.set(parentKey, { ...parent, childCount: parent.childCount - 1 });
  view.set(path, null);
}

/** deleteContainer: no ACL check; NOTEMPTY for children, BADVERSION for a session ephemeral. */
function prepDeleteContainer(view: ChangeView, path: string): TxnBody | Failure {
  if (!deletablePath(path)) return ErrorCode.BadArguments;
  const node = view.get(path);
  if (node === null) return ErrorCode.NoNode;
  if (node.childCount > 0) return ErrorCode.NotEmpty;
  if (nodeKindOf(node.ephemeralOwner) === 'ephemeral') return ErrorCode.BadVersion;
  const parentKey = parentKeyOf(path);
  const parent = view.get(parentKey);
  if (parent === null) return ErrorCode.NoNode;
  recordDelete(view, path, parentKey, parent);
  return { kind: 'deleteContainer', path };
}

function prepSetData(ctx: PrepContext, view: ChangeView, path: string, data: Uint8Array | null, version: number): MultiSubTxn | Failure {
  if (validatePath(path) !== null) return ErrorCode.BadArguments;
  const node = view.get(path);
  if (node === null) return ErrorCode.NoNode;
  if (!checkAcl(node.acl, Perms.Write, callerOf(ctx))) return ErrorCode.NoAuth;
  if (version !== -1 && version !== node.version) return ErrorCode.BadVersion;
  const newVersion = (node.version + 1) | 0;
  view.set(path, { ...node, version: newVersion });
  return { kind: 'setData', path, data, version: newVersion };
}

function prepSetAcl(ctx: PrepContext, view: ChangeView, path: string, requested: readonly Acl[], version: number): TxnBody | Failure {
  if (validatePath(path) !== null) return ErrorCode.BadArguments;
  const acl = fixupAcl(requested, ctx.authIds);
  if (acl === null) return ErrorCode.InvalidAcl;
  const node = view.get(path);
  if (node === null) return ErrorCode.NoNode;
  if (!checkAcl(node.acl, Perms.Admin, callerOf(ctx))) return ErrorCode.NoAuth;
  if (version !== -1 && version !== node.aversion) return ErrorCode.BadVersion;
  const aversion = (node.aversion + 1) | 0;
  view.set(path, { ...node, aversion, acl });
  return { kind: 'setACL', path, acl, aversion };
}

/** check: processed also outside multi on 3.8 (Appendix A). */
function prepCheck(ctx: PrepContext, view: ChangeView, path: string, version: number): MultiSubTxn | Failure {
  if (validatePath(path) !== null) return ErrorCode.BadArguments;
  const node = view.get(path);
  if (node === null) return ErrorCode.NoNode;
  if (!checkAcl(node.acl, Perms.Read, callerOf(ctx))) return ErrorCode.NoAuth;
  if (version !== -1 && version !== node.version) return ErrorCode.BadVersion;
  // CheckVersionTxn carries checkAndIncVersion's result; apply ignores it.
  return { kind: 'check', path, version: (node.version + 1) | 0 };
}

/**
 * The session's ephemerals in the tree, adjusted by pending creates and deletes, in the order
 * ZooKeeper 3.8.0 lists them in the CloseSessionTxn (Java HashSet order, java-hash-order.ts).
 */
function prepCloseSession(ctx: PrepContext, view: ChangeView): TxnBody {
  const sessionId = BigInt.asIntN(64, ctx.header.sessionId);
  const inTree = new Set(ctx.tree.ephemeralsOf(sessionId));
  const added = new Set<string>();
  for (const record of ctx.pending.records()) {
    if (record.node === null) {
      inTree.delete(record.path);
      added.delete(record.path);
    } else if (record.node.ephemeralOwner === sessionId && !inTree.has(record.path)) {
      added.add(record.path);
    }
  }
  const ordered = closeSessionDeleteOrder([...inTree], [...added], ctx.tree.ephemeralPeakOf(sessionId));
  for (const path of ordered) {
    const parentKey = parentKeyOf(path);
    const parent = view.get(parentKey);
    if (parent !== null) view.set(parentKey, { ...parent, childCount: parent.childCount - 1 });
    view.set(path, null);
  }
  return { kind: 'closeSession', paths: ordered };
}

/** Marks a multi sub-op that makes the whole multi fail with MARSHALLINGERROR. */
const UNDECODABLE = Symbol('undecodable');

/**
 * Preps one sub-op of a multi. Creates run as the op MultiOperationRecord re-derives from the
 * flags (multiCreateOpOf); TTL flags on a plain CreateRequest fail the whole multi (§6.5).
 */
function prepMultiOp(ctx: PrepContext, view: ChangeView, op: MultiOp): MultiSubTxn | Failure | typeof UNDECODABLE {
  switch (op.op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const runAs = multiCreateOpOf(op);
      if (runAs === null) return UNDECODABLE;
      const txnType = runAs === OpCode.createTTL ? 'ttl' : runAs === OpCode.createContainer ? 'container' : 'create';
      const ttl = op.op === OpCode.createTTL && runAs === OpCode.createTTL ? op.ttl : -1n;
      return prepCreate(ctx, view, { txnType, path: op.path, data: op.data, acl: op.acl, flags: op.flags, ttl });
    }
    case OpCode.delete:
      return prepDelete(ctx, view, op.path, op.version);
    case OpCode.setData:
      return prepSetData(ctx, view, op.path, op.data, op.version);
    case OpCode.check:
      return prepCheck(ctx, view, op.path, op.version);
    default:
      // Reads inside a write multi: the record does not decode (the codec refuses it first).
      return UNDECODABLE;
  }
}

/** Multi: all ops share the zxid; after the first failure the rest are RUNTIMEINCONSISTENCY. */
function prepMulti(ctx: PrepContext, view: ChangeView, ops: readonly MultiOp[]): TxnBody | Failure {
  const txns: MultiSubTxn[] = [];
  let failedAt = -1;
  for (const op of ops) {
    if (failedAt >= 0) {
      txns.push({ kind: 'error', err: ErrorCode.RuntimeInconsistency });
      continue;
    }
    const result = prepMultiOp(ctx, view, op);
    if (result === UNDECODABLE) return ErrorCode.MarshallingError;
    if (typeof result === 'number') {
      failedAt = txns.length;
      txns.push({ kind: 'error', err: result });
      view.discard();
    } else {
      txns.push(result);
    }
  }
  if (failedAt < 0) return { kind: 'multi', txns };
  // The ops before the failure are reported rolled back: error 0 (DataTree.processTxn).
  return { kind: 'multi', txns: txns.map((t, i) => (i < failedAt ? { kind: 'error', err: ErrorCode.Ok } : t)) };
}
