/**
 * The transaction builder: collects write ops and commits them as one multi (reference §5.5),
 * all or nothing.
 */
import { OpCode } from '../protocol/index.js';
import type { MultiOp } from '../protocol/index.js';
import { type CreateOptions, type NodeData, type OpResult, checkPath, createRequest, toBytes } from './ops.js';

/** What a Transaction needs from its client. */
export interface TransactionDeps {
  readonly toServerPath: (clientPath: string) => string;
  readonly commit: (ops: readonly MultiOp[], clientPaths: readonly string[], names: readonly string[]) => Promise<OpResult[]>;
}

/**
 * A multi being built: `client.transaction().create(…).setData(…).check(…).commit()`. commit()
 * resolves with one result per op, or rejects with the failing op's typed error, which also
 * carries `opIndex` and `opErrors` (see TransactionError).
 */
export class Transaction {
  readonly #deps: TransactionDeps;
  readonly #ops: MultiOp[] = [];
  readonly #paths: string[] = [];
  readonly #names: string[] = [];

  constructor(deps: TransactionDeps) {
    this.#deps = deps;
  }

  /** Adds a create; inside a multi the path comes back without a Stat on 3.8 servers. */
  create(path: string, data?: NodeData, options: CreateOptions = {}): this {
    checkPath(path, options.mode ?? 'persistent');
    return this.#add(createRequest(this.#deps.toServerPath(path), data, options, OpCode.create, path), path, 'create');
  }

  /** Adds a delete; `version` -1 matches any version. */
  delete(path: string, version = -1): this {
    checkPath(path);
    return this.#add({ op: OpCode.delete, path: this.#deps.toServerPath(path), version }, path, 'delete');
  }

  /** Adds a setData; `version` -1 matches any version. */
  setData(path: string, data: NodeData, version = -1): this {
    checkPath(path);
    const op: MultiOp = { op: OpCode.setData, path: this.#deps.toServerPath(path), data: toBytes(data), version };
    return this.#add(op, path, 'setData');
  }

  /** Adds a version check: the whole transaction fails unless the node has `version`. */
  check(path: string, version: number): this {
    checkPath(path);
    return this.#add({ op: OpCode.check, path: this.#deps.toServerPath(path), version }, path, 'check');
  }

  /** Sends every op as one multi; an empty transaction resolves with no results. */
  commit(): Promise<OpResult[]> {
    return this.#deps.commit(this.#ops.slice(), this.#paths.slice(), this.#names.slice());
  }

  #add(op: MultiOp, path: string, name: string): this {
    this.#ops.push(op);
    this.#paths.push(path);
    this.#names.push(`${name} ${path}`);
    return this;
  }
}
