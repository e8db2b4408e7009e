/**
 * Response records (the bytes after a ReplyHeader with err 0): encoding for the server,
 * decoding for clients. Which record follows depends on the request's opcode (reference §4).
 */
import { assertNever } from '../util/assert.js';
import {
  ACL_MIN_BYTES,
  readAcl,
  readClientInfo,
  readStat,
  writeAclVector,
  writeClientInfo,
  writeStat,
} from './common-records.js';
import { ErrorCode } from './errors.js';
import { DecodeError, JuteReader, type JuteWriter } from './jute.js';
import { readMultiResponse, writeMultiResponse } from './multi-codec.js';
import { OpCode } from './opcodes.js';
import type { Response } from './records.js';
import { decodeWith, fail, type Result } from './result.js';

/** The kind of response record a successful reply to `op` carries (reference §4), or null. */
export function responseKindOf(op: number): Response['kind'] | null {
  return responseKinds.get(op) ?? null;
}

const responseKinds: ReadonlyMap<number, Response['kind']> = new Map<number, Response['kind']>([
  [OpCode.create, 'create'],
  [OpCode.create2, 'create2'],
  [OpCode.createContainer, 'create2'],
  [OpCode.createTTL, 'create2'],
  [OpCode.delete, 'empty'],
  [OpCode.deleteContainer, 'empty'],
  [OpCode.exists, 'stat'],
  [OpCode.setData, 'stat'],
  [OpCode.setACL, 'stat'],
  [OpCode.getData, 'getData'],
  [OpCode.reconfig, 'getData'],
  [OpCode.getACL, 'getACL'],
  [OpCode.getChildren, 'getChildren'],
  [OpCode.getChildren2, 'getChildren2'],
  [OpCode.sync, 'path'],
  [OpCode.ping, 'empty'],
  [OpCode.check, 'empty'],
  [OpCode.multi, 'multi'],
  [OpCode.multiRead, 'multi'],
  [OpCode.checkWatches, 'empty'],
  [OpCode.removeWatches, 'empty'],
  [OpCode.auth, 'empty'],
  [OpCode.setWatches, 'empty'],
  [OpCode.setWatches2, 'empty'],
  [OpCode.sasl, 'sasl'],
  [OpCode.getEphemerals, 'ephemerals'],
  [OpCode.getAllChildrenNumber, 'allChildrenNumber'],
  [OpCode.addWatch, 'errorResponse'],
  [OpCode.whoAmI, 'whoAmI'],
  [OpCode.closeSession, 'empty'],
]);

/** Writes the record of `res` (nothing for 'empty'). */
export function encodeResponse(res: Response, w: JuteWriter): void {
  switch (res.kind) {
    case 'empty':
      return;
    case 'create':
    case 'path':
      w.writeUstring(res.path);
      return;
    case 'create2':
      w.writeUstring(res.path);
      writeStat(w, res.stat);
      return;
    case 'stat':
      writeStat(w, res.stat);
      return;
    case 'getData':
      w.writeBuffer(res.data);
      writeStat(w, res.stat);
      return;
    case 'getACL':
      writeAclVector(w, res.acl);
      writeStat(w, res.stat);
      return;
    case 'getChildren':
      w.writeStringVector(res.children);
      return;
    case 'getChildren2':
      w.writeStringVector(res.children);
      writeStat(w, res.stat);
      return;
    default:
      encodeOtherResponse(res, w);
  }
}

/** The second half of encodeResponse: the less frequent records. */
function encodeOtherResponse(
  res: Exclude<Response, { kind: 'empty' | 'create' | 'path' | 'create2' | 'stat' | 'getData' | 'getACL' | 'getChildren' | 'getChildren2' }>,
  w: JuteWriter,
): void {
  switch (res.kind) {
    case 'multi':
      writeMultiResponse(w, res.results);
      return;
    case 'errorResponse':
      w.writeInt(res.err);
      return;
    case 'ephemerals':
      w.writeStringVector(res.ephemerals);
      return;
    case 'allChildrenNumber':
      w.writeInt(res.totalNumber);
      return;
    case 'whoAmI':
      w.writeVector(res.clientInfo, writeClientInfo);
      return;
    case 'sasl':
      w.writeBuffer(res.token);
      return;
    default:
      assertNever(res, 'response');
  }
}

/**
 * Decodes the record of a successful reply to a request with opcode `op`; call it only when the
 * ReplyHeader's err is 0, since error replies carry no body (reference §3.3).
 */
export function decodeResponse(op: number, body: Uint8Array): Result<Response> {
  const kind = responseKindOf(op);
  if (kind === null) return fail(ErrorCode.Unimplemented, `opcode ${op} has no response`);
  return decodeWith(() => readResponse(kind, new JuteReader(body)));
}

/** Reads the record of `kind`; throws DecodeError on bad bytes. */
function readResponse(kind: Response['kind'], r: JuteReader): Response {
  switch (kind) {
    case 'empty':
      return { kind };
    case 'create':
    case 'path':
      return { kind, path: r.readString() };
    case 'create2':
      return { kind, path: r.readString(), stat: readStat(r) };
    case 'stat':
      return { kind, stat: readStat(r) };
    case 'getData':
      return { kind, data: r.readBufferCopy(), stat: readStat(r) };
    case 'getACL':
      return { kind, acl: r.readVector(ACL_MIN_BYTES, readAcl), stat: readStat(r) };
    case 'getChildren':
      return { kind, children: r.readStringVector() };
    case 'getChildren2':
      return { kind, children: r.readStringVector(), stat: readStat(r) };
    case 'multi':
      return { kind, results: readMultiResponse(r) };
    case 'errorResponse':
      return { kind, err: r.readInt() };
    case 'ephemerals':
      return { kind, ephemerals: r.readStringVector() };
    case 'allChildrenNumber':
      return { kind, totalNumber: r.readInt() };
    case 'whoAmI':
      return { kind, clientInfo: r.readVector(8, readClientInfo) };
    case 'sasl':
      return { kind, token: r.readBufferCopy() };
    default:
      throw new DecodeError(`unknown response kind ${String(kind satisfies never)}`);
  }
}
