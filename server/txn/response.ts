/**
 * The response record a write request gets once its txn is applied (FinalRequestProcessor):
 * which record depends on the request's opcode, not only on the txn.
 */
import { OpCode } from '../../protocol/opcodes.js';
import type { Response } from '../../protocol/records.js';
import type { ApplyResult } from './apply.js';

/** The reply body for write op `op`, or null when the reply is a bare header (§3.3). */
export function responseOf(op: number, result: ApplyResult): Response | null {
  // Checked first: a multi that failed as a whole (MARSHALLINGERROR) is a bare 16-byte header.
  if (result.err !== 0) return null;
  if (op === OpCode.multi) return { kind: 'multi', results: result.multiResults ?? [] };
  switch (op) {
    case OpCode.create:
      return result.path === null ? null : { kind: 'create', path: result.path };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return result.path === null || result.stat === null ? null : { kind: 'create2', path: result.path, stat: result.stat };
    case OpCode.setData:
    case OpCode.setACL:
      return result.stat === null ? null : { kind: 'stat', stat: result.stat };
    default:
      // delete, deleteContainer, check, closeSession, createSession: no body.
      return null;
  }
}
