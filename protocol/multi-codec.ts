/**
 * MultiOperationRecord and MultiResponse (reference §5.5): each op or result is preceded by a
 * MultiHeader{type, done, err}, and the list ends with MultiHeader{-1, true, -1}.
 */
import { assertNever } from '../util/assert.js';
import { readAclVector, readPath, readStat, writeAclVector, writeStat } from './common-records.js';
import { DecodeError, type JuteReader, type JuteWriter } from './jute.js';
import { CreateFlags, OpCode } from './opcodes.js';
import type { CreateRequest, CreateTtlRequest, MultiOp, MultiResult } from './records.js';

/** Writes one MultiHeader. */
function writeMultiHeader(w: JuteWriter, type: number, done: boolean, err: number): void {
  w.writeInt(type);
  w.writeBool(done);
  w.writeInt(err);
}

/** Writes the terminating MultiHeader{-1, true, -1}. */
function writeMultiEnd(w: JuteWriter): void {
  writeMultiHeader(w, -1, true, -1);
}

/** Whether a sub-op is a read (multiRead) rather than a transaction (multi). */
function isReadOp(type: number): boolean {
  return type === OpCode.getData || type === OpCode.getChildren;
}

/**
 * Reads the ops of a multi or multiRead as MultiOperationRecord.deserialize does: it refuses an
 * unknown sub-op type (deleteContainer included) and a mix of read and write ops ("Mixing
 * different kind of ops"). A multi of reads only and a multiRead of writes only decode; the
 * server then fails them with MARSHALLINGERROR (PrepRequestProcessor and FinalRequestProcessor,
 * observed on 3.8.0), each in its own way, so the decoder must let them through.
 */
export function readMultiRequest(r: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: always -1 in requests, unused.
    if (done) return ops;
    const op = readMultiOp(type, r);
    const first = ops[0];
    if (first !== undefined && isReadOp(first.op) !== isReadOp(type)) throw new DecodeError('multi mixes read and write ops');
    ops.push(op);
  }
}

/**
 * Reads one sub-op record of a multi. Create flags are kept as sent, valid or not: ZooKeeper 3.8
 * decodes any value (CreateMode.fromFlag with a PERSISTENT default) and fails only that sub-op
 * with BADARGUMENTS when prep checks it (observed: flags 9 -> results [(-1, -8)], header err 0).
 */
function readMultiOp(type: number, r: JuteReader): MultiOp {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer: {
      const path = readPath(r);
      const data = r.readBufferCopy();
      const acl = readAclVector(r);
      return { op: type, path, data, acl, flags: r.readInt() };
    }
    case OpCode.createTTL: {
      const path = readPath(r);
      const data = r.readBufferCopy();
      const acl = readAclVector(r);
      return { op: type, path, data, acl, flags: r.readInt(), ttl: r.readLong() };
    }
    case OpCode.delete:
    case OpCode.check:
      return { op: type, path: readPath(r), version: r.readInt() };
    case OpCode.setData:
      return { op: type, path: readPath(r), data: r.readBufferCopy(), version: r.readInt() };
    case OpCode.getData:
    case OpCode.getChildren: {
      const path = readPath(r);
      r.readBool();
      // Op.getData/Op.getChildren keep only the path, so ZooKeeper never sets a watch from a
      // multiRead sub-op whatever the flag says (observed on 3.8.0); the decoded request agrees.
      return { op: type, path, watch: false };
    }
    default:
      throw new DecodeError(`invalid multi sub-op type ${type}`);
  }
}

/**
 * The opcode ZooKeeper 3.8 runs a create sub-op of a write multi as, or null when 3.8 fails the
 * whole multi with MARSHALLINGERROR once prep reaches that sub-op. MultiOperationRecord rebuilds
 * every create with Op.create, which derives the op from the flags (an invalid value counts as
 * PERSISTENT and is refused later with BADARGUMENTS): CONTAINER flags give createContainer, TTL
 * flags createTTL, anything else create. So create2 runs as create (result type 1) and createTTL
 * without TTL flags runs as create or createContainer, its ttl ignored. TTL flags on a plain
 * CreateRequest record (ops 1, 15, 19) make prep cast it to CreateTTLRequest and fail (observed on
 * 3.8.0: MARSHALLINGERROR, a zxid consumed; reference §6.5).
 */
export function multiCreateOpOf(
  op: CreateRequest | CreateTtlRequest,
): typeof OpCode.create | typeof OpCode.createContainer | typeof OpCode.createTTL | null {
  const isTtl = op.flags === CreateFlags.PersistentWithTtl || op.flags === CreateFlags.PersistentSequentialWithTtl;
  if (isTtl) return op.op === OpCode.createTTL ? OpCode.createTTL : null;
  return op.flags === CreateFlags.Container ? OpCode.createContainer : OpCode.create;
}

/** Writes the ops of a multi or multiRead, each behind its MultiHeader, then the terminator. */
export function writeMultiRequest(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    writeMultiHeader(w, op.op, false, -1);
    writeMultiOp(w, op);
  }
  writeMultiEnd(w);
}

/** Writes one sub-op record. */
function writeMultiOp(w: JuteWriter, op: MultiOp): void {
  switch (op.op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      w.writeUstring(op.path);
      w.writeBuffer(op.data);
      writeAclVector(w, op.acl);
      w.writeInt(op.flags);
      if (op.op === OpCode.createTTL) w.writeLong(op.ttl);
      return;
    case OpCode.delete:
    case OpCode.check:
      w.writeUstring(op.path);
      w.writeInt(op.version);
      return;
    case OpCode.setData:
      w.writeUstring(op.path);
      w.writeBuffer(op.data);
      w.writeInt(op.version);
      return;
    case OpCode.getData:
    case OpCode.getChildren:
      w.writeUstring(op.path);
      w.writeBool(op.watch);
      return;
    default:
      assertNever(op, 'multi op');
  }
}

/** The MultiHeader type of each result kind (reference §5.5). */
const resultType = {
  error: -1,
  create: OpCode.create,
  create2: OpCode.create2,
  delete: OpCode.delete,
  setData: OpCode.setData,
  check: OpCode.check,
  getChildren: OpCode.getChildren,
  getData: OpCode.getData,
} as const satisfies Record<MultiResult['kind'], number>;

/** Writes the results of a multi or multiRead, then the terminator. */
export function writeMultiResponse(w: JuteWriter, results: readonly MultiResult[]): void {
  for (const result of results) {
    writeMultiHeader(w, resultType[result.kind], false, result.kind === 'error' ? result.err : 0);
    writeMultiResult(w, result);
  }
  writeMultiEnd(w);
}

/** Writes the record of one result. */
function writeMultiResult(w: JuteWriter, result: MultiResult): void {
  switch (result.kind) {
    case 'error':
      w.writeInt(result.err);
      return;
    case 'create':
      w.writeUstring(result.path);
      return;
    case 'create2':
      w.writeUstring(result.path);
      writeStat(w, result.stat);
      return;
    case 'delete':
    case 'check':
      return;
    case 'setData':
      writeStat(w, result.stat);
      return;
    case 'getChildren':
      w.writeStringVector(result.children);
      return;
    case 'getData':
      w.writeBuffer(result.data);
      writeStat(w, result.stat);
      return;
    default:
      assertNever(result, 'multi result');
  }
}

/** Reads the results of a multi or multiRead as MultiResponse.deserialize does. */
export function readMultiResponse(r: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: the error result repeats it in its own record, which Java reads instead.
    if (done) return results;
    results.push(readMultiResult(type, r));
  }
}

/** Reads the record of one result. */
function readMultiResult(type: number, r: JuteReader): MultiResult {
  switch (type) {
    case -1:
      return { kind: 'error', err: r.readInt() };
    case OpCode.create:
      return { kind: 'create', path: r.readString() };
    case OpCode.create2:
      return { kind: 'create2', path: r.readString(), stat: readStat(r) };
    case OpCode.delete:
      return { kind: 'delete' };
    case OpCode.setData:
      return { kind: 'setData', stat: readStat(r) };
    case OpCode.check:
      return { kind: 'check' };
    case OpCode.getChildren:
      return { kind: 'getChildren', children: r.readStringVector() };
    case OpCode.getData:
      return { kind: 'getData', data: r.readBufferCopy(), stat: readStat(r) };
    default:
      throw new DecodeError(`invalid type ${type} in multi response`);
  }
}
