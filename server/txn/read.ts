/**
 * The read ops, answered from the local tree (FinalRequestProcessor, reference §6.2, §7.2):
 * each returns the ReplyHeader err, the response record and the watches to register. Pure:
 * registering the watches is the caller's job, before any later event is sent.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { OpCode, Perms } from '../../protocol/opcodes.js';
import type { GetEphemeralsRequest, Id, MultiRequest, MultiResult, PathRequest, PathWatchRequest, Request, Response } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';
import { checkAcl, maskDigestIds, type AclCaller } from '../tree/acl.js';
import type { DataTree } from '../tree/data-tree.js';

/** Who reads, and from which tree. */
export interface ReadContext {
  readonly tree: DataTree;
  readonly authIds: readonly Id[];
  readonly isSuper: boolean;
  readonly skipAcl: boolean;
  /** The reader's session, for getEphemerals. */
  readonly sessionId: bigint;
}

/** A watch to register for the reading connection: the data or the child table (§7.1). */
export interface ReadWatch {
  readonly path: string;
  readonly kind: 'data' | 'child';
}

/** The outcome of a read. */
export interface ReadResult {
  readonly err: number;
  /** The response record; null when err is not 0, except for a multiRead holding a write op. */
  readonly response: Response | null;
  /** Watches to register (empty, one, or one per multiRead op that asked). */
  readonly watches: readonly ReadWatch[];
}

const NONE: readonly ReadWatch[] = [];

function failed(err: number, watches: readonly ReadWatch[] = NONE): ReadResult {
  return { err, response: null, watches };
}

function callerOf(ctx: ReadContext): AclCaller {
  return { authIds: ctx.authIds, isSuper: ctx.isSuper, skipAcl: ctx.skipAcl };
}

/** Whether `request` is one of the reads this module answers. */
export function isReadOp(op: number): boolean {
  return (
    op === OpCode.exists ||
    op === OpCode.getData ||
    op === OpCode.getChildren ||
    op === OpCode.getChildren2 ||
    op === OpCode.getACL ||
    op === OpCode.getAllChildrenNumber ||
    op === OpCode.getEphemerals ||
    op === OpCode.multiRead
  );
}

/** Answers a read request (see `isReadOp`). */
export function read(request: Request, ctx: ReadContext): ReadResult {
  switch (request.op) {
    case OpCode.exists:
      return exists(ctx, request);
    case OpCode.getData:
      return getData(ctx, request);
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return getChildren(ctx, request);
    case OpCode.getACL:
      return getAcl(ctx, request);
    case OpCode.getAllChildrenNumber:
      return getAllChildrenNumber(ctx, request);
    case OpCode.getEphemerals:
      return getEphemerals(ctx, request);
    case OpCode.multiRead:
      return multiRead(ctx, request);
    default:
      assert(false, `read is called with read ops only, not op ${request.op}`);
  }
}

/** exists: the data watch is set even when the node is missing; 3.8.0 checks no ACL. */
export function exists(ctx: ReadContext, request: PathWatchRequest): ReadResult {
  if (request.path.includes('\0')) return failed(ErrorCode.BadArguments);
  const watches: readonly ReadWatch[] = request.watch ? [{ path: request.path, kind: 'data' }] : NONE;
  const node = ctx.tree.getNode(request.path);
  if (node === undefined) return failed(ErrorCode.NoNode, watches);
  return { err: 0, response: { kind: 'stat', stat: ctx.tree.statOf(node) }, watches };
}

/** getData: NONODE, then READ; the watch only on success. */
export function getData(ctx: ReadContext, request: PathWatchRequest): ReadResult {
  const node = ctx.tree.getNode(request.path);
  if (node === undefined) return failed(ErrorCode.NoNode);
  if (!checkAcl(ctx.tree.aclOf(node), Perms.Read, callerOf(ctx))) return failed(ErrorCode.NoAuth);
  return {
    err: 0,
    response: { kind: 'getData', data: ctx.tree.dataOf(node), stat: ctx.tree.statOf(node) },
    watches: request.watch ? [{ path: request.path, kind: 'data' }] : NONE,
  };
}

/** getChildren (op 8) and getChildren2 (op 12, with Stat): the child watch only on success. */
export function getChildren(ctx: ReadContext, request: PathWatchRequest): ReadResult {
  const node = ctx.tree.getNode(request.path);
  if (node === undefined) return failed(ErrorCode.NoNode);
  if (!checkAcl(ctx.tree.aclOf(node), Perms.Read, callerOf(ctx))) return failed(ErrorCode.NoAuth);
  const children = ctx.tree.childrenOf(node);
  const response: Response =
    request.op === OpCode.getChildren2
      ? { kind: 'getChildren2', children, stat: ctx.tree.statOf(node) }
      : { kind: 'getChildren', children };
  return { err: 0, response, watches: request.watch ? [{ path: request.path, kind: 'child' }] : NONE };
}

/** getACL: READ or ADMIN; without ADMIN, digest ids are shown as `user:x`. */
export function getAcl(ctx: ReadContext, request: PathRequest): ReadResult {
  const node = ctx.tree.getNode(request.path);
  if (node === undefined) return failed(ErrorCode.NoNode);
  const acl = ctx.tree.aclOf(node);
  if (!checkAcl(acl, Perms.Read | Perms.Admin, callerOf(ctx))) return failed(ErrorCode.NoAuth);
  const shown = checkAcl(acl, Perms.Admin, callerOf(ctx)) ? acl : maskDigestIds(acl);
  return { err: 0, response: { kind: 'getACL', acl: shown, stat: ctx.tree.statOf(node) }, watches: NONE };
}

/** getAllChildrenNumber: every descendant, the node itself excluded. */
export function getAllChildrenNumber(ctx: ReadContext, request: PathRequest): ReadResult {
  const node = ctx.tree.getNode(request.path);
  if (node === undefined) return failed(ErrorCode.NoNode);
  if (!checkAcl(ctx.tree.aclOf(node), Perms.Read, callerOf(ctx))) return failed(ErrorCode.NoAuth);
  return { err: 0, response: { kind: 'allChildrenNumber', totalNumber: ctx.tree.allChildrenNumber(request.path) }, watches: NONE };
}

/** Java's String.trim: strips code units <= ' ' at both ends. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** getEphemerals: this session's ephemerals whose path starts with the prefix (§4). */
export function getEphemerals(ctx: ReadContext, request: GetEphemeralsRequest): ReadResult {
  const all = [...ctx.tree.ephemeralsOf(ctx.sessionId)];
  const prefix = request.prefixPath;
  const trimmed = prefix === null ? '' : javaTrim(prefix);
  const ephemerals = prefix === null || trimmed === '' || trimmed === '/' ? all : all.filter((p) => p.startsWith(prefix));
  return { err: 0, response: { kind: 'ephemerals', ephemerals }, watches: NONE };
}

/**
 * multiRead: getData and getChildren ops, each succeeding or failing on its own. A write op (the
 * codec lets through a multiRead of writes only) fails the whole request with MARSHALLINGERROR,
 * and the reply still carries the MultiResponse built so far: FinalRequestProcessor has already
 * made it when its loop throws "Invalid type of readOp" (observed on 3.8.0: an empty one).
 */
export function multiRead(ctx: ReadContext, request: MultiRequest): ReadResult {
  const results: MultiResult[] = [];
  const watches: ReadWatch[] = [];
  for (const op of request.ops) {
    if (op.op !== OpCode.getData && op.op !== OpCode.getChildren) {
      return { err: ErrorCode.MarshallingError, response: { kind: 'multi', results }, watches };
    }
    const one = op.op === OpCode.getData ? getData(ctx, op) : getChildren(ctx, op);
    watches.push(...one.watches);
    const response = one.response;
    if (response?.kind === 'getData') results.push({ kind: 'getData', data: response.data, stat: response.stat });
    else if (response?.kind === 'getChildren') results.push({ kind: 'getChildren', children: response.children });
    else results.push({ kind: 'error', err: one.err });
  }
  return { err: 0, response: { kind: 'multi', results }, watches };
}
