/**
 * Request bodies (the bytes after a RequestHeader): decoding for the server, encoding for
 * clients and the bench (reference §4, §5).
 */
import { Buffer } from 'node:buffer';
import { assertNever } from '../util/assert.js';
import { readAclVector, readPath, readPathVector, writeAclVector } from './common-records.js';
import { ErrorCode } from './errors.js';
import { beginFrame, endFrame } from './frame-writer.js';
import { DecodeError, JuteReader, type JuteReaderOptions, type JuteWriter } from './jute.js';
import { readMultiRequest, writeMultiRequest } from './multi-codec.js';
import { OpCode, WatcherType } from './opcodes.js';
import type { Request, RequestHeader } from './records.js';
import { decodeWith, fail, type Result } from './result.js';

/**
 * Whether the server accepts `op` from a client (reference §4: 1-9, 11-22, 100-107, -11);
 * anything else is answered with UNIMPLEMENTED and the connection is closed.
 */
export function isAcceptedOp(op: number): boolean {
  return (op >= 1 && op <= 9) || (op >= 11 && op <= 22) || (op >= 100 && op <= 107) || op === OpCode.closeSession;
}

/**
 * Decodes the body of a request with opcode `op`. Unaccepted opcodes give Unimplemented and
 * undecodable bodies MarshallingError; bytes after the record are ignored, as Java does.
 * `options.maxFieldBytes` is the per-field limit (jute.maxbuffer + extrasize on the server).
 */
export function decodeRequest(op: number, body: Uint8Array, options: JuteReaderOptions = {}): Result<Request> {
  if (!isAcceptedOp(op)) return fail(ErrorCode.Unimplemented, `opcode ${op} is not accepted`);
  return decodeWith(() => readRequest(op, new JuteReader(body, options)));
}

/**
 * Reads the record of opcode `op`; throws DecodeError on bad bytes. `readPath` refuses a null
 * path where ZooKeeper 3.8 answers MARSHALLINGERROR for one; `readString` reads it as "" where
 * 3.8 gives the same answer as for "" (observed on 3.8.0: setData, setACL and check -> BADARGUMENTS,
 * removeWatches -> NOWATCHER, addWatch and sync -> OK).
 */
function readRequest(op: number, r: JuteReader): Request {
  switch (op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { op, path: readPath(r), data: r.readBufferCopy(), acl: readAclVector(r), flags: r.readInt() };
    case OpCode.createTTL:
      return { op, path: readPath(r), data: r.readBufferCopy(), acl: readAclVector(r), flags: r.readInt(), ttl: r.readLong() };
    case OpCode.delete:
      return { op, path: readPath(r), version: r.readInt() };
    case OpCode.check:
      return { op, path: r.readString(), version: r.readInt() };
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { op, path: readPath(r), watch: r.readBool() };
    case OpCode.setData:
      return { op, path: r.readString(), data: r.readBufferCopy(), version: r.readInt() };
    case OpCode.getACL:
    case OpCode.getAllChildrenNumber:
      return { op, path: readPath(r) };
    case OpCode.sync:
      return { op, path: r.readString() };
    case OpCode.setACL:
      return { op, path: r.readString(), acl: readAclVector(r), version: r.readInt() };
    case OpCode.multi:
    case OpCode.multiRead:
      return { op, ops: readMultiRequest(r) };
    default:
      return readOtherRequest(op, r);
  }
}

/** The second half of readRequest: the less frequent opcodes. */
function readOtherRequest(op: number, r: JuteReader): Request {
  switch (op) {
    case OpCode.deleteContainer: {
      // DeleteContainerRequest carries the path as a buffer (reference §5.4).
      const bytes = r.readBuffer();
      return { op, path: bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') };
    }
    case OpCode.reconfig:
      return {
        op,
        joiningServers: r.readUstring(),
        leavingServers: r.readUstring(),
        newMembers: r.readUstring(),
        curConfigId: r.readLong(),
      };
    case OpCode.checkWatches:
      return { op, path: readPath(r), type: readWatcherType(r) };
    case OpCode.removeWatches:
      return { op, path: r.readString(), type: readWatcherType(r) };
    case OpCode.addWatch:
      return { op, path: r.readString(), mode: r.readInt() };
    case OpCode.auth:
      return { op, type: r.readInt(), scheme: r.readString(), auth: r.readBufferCopy() };
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return readSetWatches(op, r);
    case OpCode.sasl:
      return { op, token: r.readBufferCopy() };
    case OpCode.getEphemerals:
      return { op, prefixPath: r.readUstring() };
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return { op };
    default:
      throw new DecodeError(`opcode ${op} has no request record`);
  }
}

/**
 * Reads a WatcherType; 3.8 knows only Children, Data and Any, and its WatcherType.fromInt
 * failure surfaces as MARSHALLINGERROR (reference Appendix A).
 */
function readWatcherType(r: JuteReader): number {
  const type = r.readInt();
  if (type !== WatcherType.Children && type !== WatcherType.Data && type !== WatcherType.Any) {
    throw new DecodeError(`WatcherType ${type} is not supported by ZooKeeper 3.8`);
  }
  return type;
}

/**
 * Reads SetWatches (op 101, persistent lists empty) or SetWatches2 (op 105). A null path in a
 * list is refused: 3.8 fails the request with MARSHALLINGERROR (observed).
 */
function readSetWatches(op: typeof OpCode.setWatches | typeof OpCode.setWatches2, r: JuteReader): Request {
  const relativeZxid = r.readLong();
  const dataWatches = readPathVector(r);
  const existWatches = readPathVector(r);
  const childWatches = readPathVector(r);
  const isV2 = op === OpCode.setWatches2;
  const persistentWatches = isV2 ? readPathVector(r) : [];
  const persistentRecursiveWatches = isV2 ? readPathVector(r) : [];
  return { op, relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches };
}

/** Writes the body record of `req` (nothing for ping, closeSession, whoAmI). */
export function writeRequest(w: JuteWriter, req: Request): void {
  switch (req.op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      w.writeUstring(req.path);
      w.writeBuffer(req.data);
      writeAclVector(w, req.acl);
      w.writeInt(req.flags);
      if (req.op === OpCode.createTTL) w.writeLong(req.ttl);
      return;
    case OpCode.delete:
    case OpCode.check:
    case OpCode.setData:
    case OpCode.setACL:
      writeVersionedRequest(w, req);
      return;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      w.writeUstring(req.path);
      w.writeBool(req.watch);
      return;
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
      w.writeUstring(req.path);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      writeMultiRequest(w, req.ops);
      return;
    default:
      writeOtherRequest(w, req);
  }
}

/** Writes delete, check, setData and setACL, which end with a version. */
function writeVersionedRequest(
  w: JuteWriter,
  req: Extract<Request, { op: 2 | 5 | 7 | 13 }>,
): void {
  w.writeUstring(req.path);
  if (req.op === OpCode.setData) w.writeBuffer(req.data);
  if (req.op === OpCode.setACL) writeAclVector(w, req.acl);
  w.writeInt(req.version);
}

/** The second half of writeRequest: the less frequent opcodes. */
function writeOtherRequest(
  w: JuteWriter,
  req: Exclude<Request, { op: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 12 | 13 | 14 | 15 | 19 | 21 | 22 | 104 }>,
): void {
  switch (req.op) {
    case OpCode.deleteContainer:
      w.writeBuffer(Buffer.from(req.path, 'utf8'));
      return;
    case OpCode.reconfig:
      w.writeUstring(req.joiningServers);
      w.writeUstring(req.leavingServers);
      w.writeUstring(req.newMembers);
      w.writeLong(req.curConfigId);
      return;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      w.writeUstring(req.path);
      w.writeInt(req.type);
      return;
    case OpCode.addWatch:
      w.writeUstring(req.path);
      w.writeInt(req.mode);
      return;
    case OpCode.auth:
      w.writeInt(req.type);
      w.writeUstring(req.scheme);
      w.writeBuffer(req.auth);
      return;
    case OpCode.setWatches:
    case OpCode.setWatches2:
      writeSetWatches(w, req);
      return;
    case OpCode.sasl:
      w.writeBuffer(req.token);
      return;
    case OpCode.getEphemerals:
      w.writeUstring(req.prefixPath);
      return;
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return;
    default:
      assertNever(req, 'request');
  }
}

/** Writes SetWatches; the persistent lists only for SetWatches2. */
function writeSetWatches(w: JuteWriter, req: Extract<Request, { op: 101 | 105 }>): void {
  w.writeLong(req.relativeZxid);
  w.writeStringVector(req.dataWatches);
  w.writeStringVector(req.existWatches);
  w.writeStringVector(req.childWatches);
  if (req.op === OpCode.setWatches2) {
    w.writeStringVector(req.persistentWatches);
    w.writeStringVector(req.persistentRecursiveWatches);
  }
}

/**
 * Encodes a complete client frame: the 4-byte length, the RequestHeader, then the body of
 * `req`. `header.type` is written as given, so tests can send mismatched opcodes.
 */
export function encodeRequest(header: RequestHeader, req: Request): Uint8Array {
  const w = beginFrame();
  w.writeInt(header.xid);
  w.writeInt(header.type);
  writeRequest(w, req);
  return endFrame(w);
}
