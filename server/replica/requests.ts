/**
 * Requests answered from the local state without a transaction: reads, ping, sync, whoAmI and
 * the watch requests (reference §4 classes R and L), and the reply built for a committed write.
 * Pure.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { EventType, OpCode, WatcherType, Xid } from '../../protocol/opcodes.js';
import type {
  ClientInfo,
  Id,
  Request,
  RequestHeader,
  Response,
  SetWatchesRequest,
} from '../../protocol/records.js';
import { AssertionError } from '../../util/assert.js';
import type { DataTree } from '../tree/index.js';
import { read, type ReadWatch } from '../txn/index.js';
import type { WatchManager } from '../watch/index.js';
import type { ConnId, Outbound } from './ready.js';

/** What a local request may look at. */
export interface LocalContext {
  readonly tree: DataTree;
  readonly watches: WatchManager;
  readonly conn: ConnId;
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
  readonly isSuper: boolean;
  readonly skipAcl: boolean;
  /** The last applied zxid, stamped on the reply header. */
  readonly zxid: bigint;
}

/** Runs a non-transactional request now and returns its frames (events first, then reply). */
export function runLocalRequest(ctx: LocalContext, header: RequestHeader, request: Request): readonly Outbound[] {
  const reply = (err: number, response: Response | null, xid = header.xid): Outbound => ({
    conn: ctx.conn,
    kind: 'reply',
    header: { xid, zxid: ctx.zxid, err },
    response,
  });
  switch (request.op) {
    case OpCode.ping:
      return [reply(ErrorCode.Ok, null, Xid.ping)];
    case OpCode.sync:
      // Standalone: every earlier write is applied by the time this runs (reference §8).
      return [reply(ErrorCode.Ok, { kind: 'path', path: request.path })];
    case OpCode.whoAmI:
      return [reply(ErrorCode.Ok, { kind: 'whoAmI', clientInfo: whoAmI(ctx.authIds) })];
    case OpCode.sasl:
      // No SASL provider is configured, as in a default ZooKeeper server.
      return [reply(ErrorCode.AuthFailed, null)];
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return [...setWatches(ctx, request), reply(ErrorCode.Ok, null)];
    case OpCode.addWatch:
      if (request.mode === 1) ctx.watches.addPersistentRecursive(ctx.conn, request.path);
      else ctx.watches.addPersistent(ctx.conn, request.path);
      return [reply(ErrorCode.Ok, { kind: 'errorResponse', err: 0 })];
    case OpCode.removeWatches:
    case OpCode.checkWatches: {
      const found =
        request.op === OpCode.removeWatches
          ? ctx.watches.removeWatches(ctx.conn, request.path, request.type)
          : ctx.watches.checkWatches(ctx.conn, request.path, request.type);
      return [reply(found ? ErrorCode.Ok : ErrorCode.NoWatcher, null)];
    }
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
    case OpCode.getACL:
    case OpCode.getAllChildrenNumber:
    case OpCode.getEphemerals:
    case OpCode.multiRead: {
      const outcome = read(request, {
        tree: ctx.tree,
        sessionId: ctx.sessionId,
        authIds: ctx.authIds,
        isSuper: ctx.isSuper,
        skipAcl: ctx.skipAcl,
      });
      for (const watch of outcome.watches) registerWatch(ctx, watch);
      return [reply(outcome.err, outcome.response)];
    }
    default:
      // Writes and auth never come here: the replica routes them (isWrite in replica.ts).
      throw new AssertionError(`op ${request.op} is not a local request`);
  }
}

function registerWatch(ctx: LocalContext, watch: ReadWatch): void {
  if (watch.kind === 'data') ctx.watches.addDataWatch(ctx.conn, watch.path);
  else ctx.watches.addChildWatch(ctx.conn, watch.path);
}

/**
 * whoAmI lists the connection's ids in the order given (the replica keeps them in ZooKeeper's
 * ConcurrentHashMap order, server/replica/auth-info.ts): `digest` gives the part before `:`,
 * `ip` the address, `super` an empty user (no provider answers for it; reference §5.4).
 */
function whoAmI(ids: readonly Id[]): ClientInfo[] {
  return ids.map((id) => {
    if (id.scheme === 'digest') {
      const colon = id.id.indexOf(':');
      return { authScheme: id.scheme, user: colon < 0 ? id.id : id.id.slice(0, colon) };
    }
    return { authScheme: id.scheme, user: id.id };
  });
}

/**
 * SetWatches/SetWatches2 (reference §7.5): re-registers watches, first sending the events the
 * client missed while it was away (zxid -1, before the reply).
 */
function setWatches(ctx: LocalContext, request: SetWatchesRequest): Outbound[] {
  const events: Outbound[] = [];
  const event = (type: number, path: string): void => {
    events.push({ conn: ctx.conn, kind: 'event', event: { type, state: 3, path } });
  };
  const since = request.relativeZxid;
  for (const path of request.dataWatches) {
    const stat = ctx.tree.stat(path);
    if (stat === null) event(EventType.NodeDeleted, path);
    else if (stat.mzxid > since) event(EventType.NodeDataChanged, path);
    else ctx.watches.addDataWatch(ctx.conn, path);
  }
  for (const path of request.existWatches) {
    if (ctx.tree.stat(path) !== null) event(EventType.NodeCreated, path);
    else ctx.watches.addDataWatch(ctx.conn, path);
  }
  for (const path of request.childWatches) {
    const stat = ctx.tree.stat(path);
    if (stat === null) event(EventType.NodeDeleted, path);
    else if (stat.pzxid > since) event(EventType.NodeChildrenChanged, path);
    else ctx.watches.addChildWatch(ctx.conn, path);
  }
  for (const path of request.persistentWatches) ctx.watches.addPersistent(ctx.conn, path);
  for (const path of request.persistentRecursiveWatches) ctx.watches.addPersistentRecursive(ctx.conn, path);
  return events;
}
