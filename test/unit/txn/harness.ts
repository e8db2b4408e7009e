/** A tiny standalone pipeline for tests: prep -> pending.add -> apply, one zxid per write. */
import { OpCode } from '../../../protocol/opcodes.js';
import type { Acl, Id, MultiOp, Request } from '../../../protocol/records.js';
import { OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { DataTree } from '../../../server/tree/index.js';
import { apply, PendingChanges, prep, read, type ApplyResult, type PrepRequest, type ReadResult, type Txn } from '../../../server/txn/index.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface Caller {
  sessionId?: bigint;
  authIds?: readonly Id[];
  isSuper?: boolean;
}

export class Harness {
  readonly tree: DataTree;
  readonly pending = new PendingChanges();
  zxid = 0n;
  timeMs = 1_000;
  extendedTypesEnabled = true;
  skipAcl = false;
  #queued: Txn[] = [];

  constructor(tree = new DataTree()) {
    this.tree = tree;
    this.zxid = tree.lastZxid;
  }

  /** Preps and proposes without applying. */
  propose(request: PrepRequest, caller: Caller = {}): Txn {
    this.zxid++;
    const txn = prep(request, {
      tree: this.tree,
      pending: this.pending,
      header: { sessionId: caller.sessionId ?? 1n, cxid: 1, zxid: this.zxid, timeMs: this.timeMs },
      authIds: caller.authIds ?? [],
      isSuper: caller.isSuper ?? false,
      extendedTypesEnabled: this.extendedTypesEnabled,
      skipAcl: this.skipAcl,
    });
    this.pending.add(txn);
    this.#queued.push(txn);
    return txn;
  }

  /** Applies every proposed txn in order. */
  commitAll(): ApplyResult[] {
    const out = this.#queued.map((txn) => {
      const result = apply(txn, this.tree);
      this.pending.applied(txn.header.zxid);
      return result;
    });
    this.#queued = [];
    return out;
  }

  /** prep + apply one request. */
  write(request: PrepRequest, caller: Caller = {}): ApplyResult & { txn: Txn } {
    const txn = this.propose(request, caller);
    const [result] = this.commitAll();
    if (result === undefined) throw new Error('no result');
    return { ...result, txn };
  }

  read(request: Request, caller: Caller = {}): ReadResult {
    return read(request, {
      tree: this.tree,
      authIds: caller.authIds ?? [],
      isSuper: caller.isSuper ?? false,
      skipAcl: this.skipAcl,
      sessionId: caller.sessionId ?? 1n,
    });
  }
}

export function create(path: string, data = '', flags = 0, acl: readonly Acl[] = OPEN_ACL_UNSAFE): Request {
  return { op: OpCode.create, path, data: enc(data), acl, flags };
}
export function del(path: string, version = -1): Request {
  return { op: OpCode.delete, path, version };
}
export function setData(path: string, data: string, version = -1): Request {
  return { op: OpCode.setData, path, data: enc(data), version };
}
export function multi(ops: readonly MultiOp[]): Request {
  return { op: OpCode.multi, ops };
}
