import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequenceSuffix } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { OpCode } from '../../../protocol/opcodes.js';
import type { Request } from '../../../protocol/records.js';
import { DataTree } from '../../../server/tree/index.js';
import { apply, decodeTxn, encodeTxn, replayTxn, type Txn } from '../../../server/txn/index.js';
import { Harness } from './harness.js';
import { randomOp, type RandomOp } from './ops.js';

/** The naive model: a plain map of path -> node. */
interface ModelNode {
  data: Uint8Array | null;
  version: number;
  children: Set<string>;
  creates: number;
  owner: bigint;
}

class Model {
  readonly nodes = new Map<string, ModelNode>();

  constructor() {
    for (const p of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) {
      this.nodes.set(p, { data: new Uint8Array(0), version: 0, children: new Set(), creates: 0, owner: 0n });
      if (p !== '/') this.#link(p);
    }
  }

  #parent(path: string): string {
    const i = path.lastIndexOf('/');
    return i === 0 ? '/' : path.slice(0, i);
  }

  #link(path: string): void {
    this.nodes.get(this.#parent(path))?.children.add(path);
  }

  /** Applies one request with plain-map semantics; returns the expected error. */
  run(op: RandomOp): number {
    const r = op.request;
    switch (r.op) {
      case OpCode.create:
      case OpCode.createContainer: {
        const parent = this.nodes.get(this.#parent(r.path));
        if (parent === undefined) return ErrorCode.NoNode;
        const path = r.flags === 2 || r.flags === 3 ? r.path + sequenceSuffix(parent.creates) : r.path;
        if (this.nodes.has(path)) return ErrorCode.NodeExists;
        if (parent.owner > 0n) return ErrorCode.NoChildrenForEphemerals;
        const owner = r.op === OpCode.createContainer ? -(1n << 63n) : r.flags === 1 || r.flags === 3 ? op.sessionId : 0n;
        this.nodes.set(path, { data: r.data, version: 0, children: new Set(), creates: 0, owner });
        parent.creates++;
        this.#link(path);
        return 0;
      }
      case OpCode.delete: {
        const node = this.nodes.get(r.path);
        if (['/zookeeper', '/'].includes(r.path)) return ErrorCode.BadArguments;
        if (node === undefined) return ErrorCode.NoNode;
        if (r.version !== -1 && r.version !== node.version) return ErrorCode.BadVersion;
        if (node.children.size > 0) return ErrorCode.NotEmpty;
        this.#remove(r.path);
        return 0;
      }
      case OpCode.setData: {
        const node = this.nodes.get(r.path);
        if (node === undefined) return ErrorCode.NoNode;
        if (r.version !== -1 && r.version !== node.version) return ErrorCode.BadVersion;
        node.data = r.data;
        node.version++;
        return 0;
      }
      case OpCode.closeSession:
        for (const [path, node] of [...this.nodes]) if (node.owner === op.sessionId) this.#remove(path);
        return 0;
      default:
        return -999;
    }
  }

  #remove(path: string): void {
    this.nodes.delete(path);
    this.nodes.get(this.#parent(path))?.children.delete(path);
  }
}

/** Only the ACL-free ops: the model does not do ACLs. */
const modelOp = randomOp.filter((op) => op.request.op !== OpCode.setACL);

describe('prep + apply against a naive model', () => {
  it('gives the same errors, data, versions and children as a plain map', () => {
    fc.assert(
      fc.property(fc.array(modelOp, { maxLength: 60 }), (ops) => {
        const h = new Harness();
        const model = new Model();
        for (const op of ops) {
          const expected = model.run(op);
          const actual = h.write(op.request, { sessionId: op.sessionId });
          expect(actual.err, JSON.stringify(op, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toBe(expected);
        }
        for (const [path, node] of model.nodes) {
          const stat = h.tree.stat(path);
          expect(stat).not.toBeNull();
          const stored = h.tree.getNode(path);
          expect(stored && h.tree.dataOf(stored)).toEqual(node.data);
          expect(stat?.version).toBe(node.version);
          expect(stat?.numChildren).toBe(node.children.size);
        }
        expect(h.tree.size).toBe(model.nodes.size);
      }),
      { numRuns: 300 },
    );
  });
});

describe('apply is deterministic', () => {
  it('the same txns (also through encode/decode, and through replayTxn) give the same digest on another tree', () => {
    fc.assert(
      fc.property(fc.array(randomOp, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, batch) => {
        const h = new Harness();
        const txns: Txn[] = [];
        // Prep several requests before applying them, so pending changes matter.
        for (let i = 0; i < ops.length; i += batch) {
          for (const op of ops.slice(i, i + batch)) txns.push(h.propose(op.request as Request, { sessionId: op.sessionId }));
          h.commitAll();
        }
        const replica = new DataTree();
        for (const txn of txns) apply(decodeTxn(encodeTxn(txn)), replica);
        expect(replica.digest()).toBe(h.tree.digest());
        expect(replica.size).toBe(h.tree.size);
        // Log replay skips triggers and stats, and must change the tree just the same.
        const replayed = new DataTree();
        for (const txn of txns) replayTxn(decodeTxn(encodeTxn(txn)), replayed);
        expect(replayed.digest()).toBe(h.tree.digest());
        expect(replayed.size).toBe(h.tree.size);
        expect(replayed.lastZxid).toBe(h.tree.lastZxid);
      }),
      { numRuns: 300 },
    );
  });
});
