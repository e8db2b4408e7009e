/**
 * The client API's vocabulary and the pure translation between it and wire records: create
 * modes to flags and opcodes, user data to bytes, multi results to API results. Pure.
 */
import { BadArgumentsError, CreateFlags, ErrorCode, OPEN_ACL_UNSAFE, OpCode, validatePath, zkErrorFromCode } from '../protocol/index.js';
import type { Acl, CreateRequest, CreateTtlRequest, MultiResult, Stat, ZkError } from '../protocol/index.js';

/** How a znode is created (ZooKeeper's CreateMode, reference §5.3). */
export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistentSequential'
  | 'ephemeralSequential'
  | 'container'
  | 'persistentWithTtl'
  | 'persistentSequentialWithTtl';

/** Node data as callers give it: bytes, a UTF-8 string, or null (distinct from empty on the wire). */
export type NodeData = Uint8Array | string | null;

/** Options of create. */
export interface CreateOptions {
  readonly mode?: CreateMode;
  readonly acl?: readonly Acl[];
  /** Required for the TTL modes: milliseconds of inactivity after which the node may go. */
  readonly ttlMs?: number;
}

const modeFlags: Readonly<Record<CreateMode, number>> = {
  persistent: CreateFlags.Persistent,
  ephemeral: CreateFlags.Ephemeral,
  persistentSequential: CreateFlags.PersistentSequential,
  ephemeralSequential: CreateFlags.EphemeralSequential,
  container: CreateFlags.Container,
  persistentWithTtl: CreateFlags.PersistentWithTtl,
  persistentSequentialWithTtl: CreateFlags.PersistentSequentialWithTtl,
};

/** Whether a mode appends a sequence suffix (the path is then validated without it). */
export function isSequential(mode: CreateMode): boolean {
  return mode === 'persistentSequential' || mode === 'ephemeralSequential' || mode === 'persistentSequentialWithTtl';
}

/** Validates a client path as the Java client does before sending (PathUtils.validatePath). */
export function checkPath(path: string, mode?: CreateMode): void {
  const reason = validatePath(path, mode !== undefined && isSequential(mode));
  if (reason !== null) throw new BadArgumentsError(ErrorCode.BadArguments, path, reason);
}

/** Converts node data to wire bytes. */
export function toBytes(data: NodeData | undefined): Uint8Array | null {
  if (data === undefined || data === null) return null;
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/**
 * The create request for `mode`, choosing the opcode as the Java client does (reference §6.5):
 * containers only via createContainer (19), TTL nodes only via createTTL (21), others via
 * `plainOp` (create or create2). Errors name `clientPath`, the caller's path (without a chroot).
 */
export function createRequest(
  serverPath: string,
  data: NodeData | undefined,
  options: CreateOptions,
  plainOp: typeof OpCode.create | typeof OpCode.create2,
  clientPath: string = serverPath,
): CreateRequest | CreateTtlRequest {
  const mode = options.mode ?? 'persistent';
  const base = { path: serverPath, data: toBytes(data), acl: options.acl ?? OPEN_ACL_UNSAFE, flags: modeFlags[mode] };
  if (mode === 'persistentWithTtl' || mode === 'persistentSequentialWithTtl') {
    if (options.ttlMs === undefined) throw zkErrorFromCode(ErrorCode.BadArguments, clientPath);
    return { op: OpCode.createTTL, ...base, ttl: BigInt(options.ttlMs) };
  }
  if (options.ttlMs !== undefined) throw zkErrorFromCode(ErrorCode.BadArguments, clientPath);
  if (mode === 'container') return { op: OpCode.createContainer, ...base };
  return { op: plainOp, ...base };
}

/** One result of a committed transaction. */
export type OpResult =
  | { readonly type: 'create'; readonly path: string; readonly stat: Stat | undefined }
  | { readonly type: 'delete' }
  | { readonly type: 'setData'; readonly stat: Stat }
  | { readonly type: 'check' };

/** One result of a multiRead: each op succeeds or fails on its own. */
export type ReadResult =
  | { readonly type: 'getData'; readonly data: Uint8Array | null; readonly stat: Stat }
  | { readonly type: 'getChildren'; readonly children: readonly string[] }
  | { readonly type: 'error'; readonly error: ZkError };

/** A transaction's rejection: the typed error of the failing op, plus where it failed. */
export type TransactionError = ZkError & {
  /** Index of the failing op within the transaction. */
  readonly opIndex: number;
  /** Each op's error code: 0 before the failing op, RuntimeInconsistency after it. */
  readonly opErrors: readonly number[];
};

/** Whether an error came from a failed transaction. */
export function isTransactionError(err: unknown): err is TransactionError {
  return err instanceof Error && 'opIndex' in err && 'opErrors' in err;
}

/**
 * Turns multi results into API results, or the TransactionError of the first op with a non-zero
 * code (MultiResponse: ops before it report 0, ops after it RuntimeInconsistency).
 */
export function transactionOutcome(
  results: readonly MultiResult[],
  opPaths: readonly string[],
  opNames: readonly string[],
  toClientPath: (serverPath: string) => string,
): { readonly ok: true; readonly results: OpResult[] } | { readonly ok: false; readonly error: TransactionError } {
  const failing = results.findIndex((r) => r.kind === 'error' && r.err !== 0);
  if (failing !== -1) {
    const result = results[failing] as { readonly kind: 'error'; readonly err: number };
    const opErrors = results.map((r) => (r.kind === 'error' ? r.err : 0));
    const base = zkErrorFromCode(result.err, opPaths[failing]);
    base.message = `${base.message} (transaction op ${failing}: ${opNames[failing] ?? '?'})`;
    return { ok: false, error: Object.assign(base, { opIndex: failing, opErrors }) };
  }
  return { ok: true, results: results.map((r) => opResult(r, toClientPath)) };
}

function opResult(r: MultiResult, toClientPath: (serverPath: string) => string): OpResult {
  switch (r.kind) {
    case 'create':
      return { type: 'create', path: toClientPath(r.path), stat: undefined };
    case 'create2':
      return { type: 'create', path: toClientPath(r.path), stat: r.stat };
    case 'delete':
      return { type: 'delete' };
    case 'setData':
      return { type: 'setData', stat: r.stat };
    case 'check':
      return { type: 'check' };
    default:
      // An error entry with err 0 or a read result cannot appear in a successful write multi.
      throw zkErrorFromCode(ErrorCode.MarshallingError);
  }
}

/** Turns multiRead results into API results, one per op. */
export function readResults(results: readonly MultiResult[], opPaths: readonly string[]): ReadResult[] {
  return results.map((r, i): ReadResult => {
    switch (r.kind) {
      case 'getData':
        return { type: 'getData', data: r.data, stat: r.stat };
      case 'getChildren':
        return { type: 'getChildren', children: r.children };
      case 'error':
        return { type: 'error', error: zkErrorFromCode(r.err, opPaths[i]) };
      default:
        return { type: 'error', error: zkErrorFromCode(ErrorCode.MarshallingError, opPaths[i]) };
    }
  });
}
