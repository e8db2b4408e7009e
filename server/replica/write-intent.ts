/**
 * A client write on its way to the member that preps it (the leader, or the standalone server):
 * the request plus what prep needs from the connection it came on (its auth ids), and an id
 * that lets the leader drop a forwarded copy it has already prepped. In an ensemble it travels
 * as the opaque `data` of a consensus REQUEST. Pure.
 */
import { JuteReader, JuteWriter, decodeRequest, writeRequest } from '../../protocol/index.js';
import type { Id, Request } from '../../protocol/records.js';
import { assert } from '../../util/assert.js';

/** A write to prep: a client request, or the creation of a session. */
export type WriteIntent =
  | {
      readonly kind: 'request';
      /** Unique per member and run: member id and a random incarnation in the high bits, a counter below. */
      readonly requestId: bigint;
      readonly sessionId: bigint;
      readonly cxid: number;
      readonly request: Request;
      readonly authIds: readonly Id[];
      readonly isSuper: boolean;
    }
  | {
      readonly kind: 'createSession';
      readonly requestId: bigint;
      readonly sessionId: bigint;
      readonly timeoutMs: number;
    }
  | {
      /**
       * A client write whose body did not decode: ZooKeeper gives it a txn header (and a zxid)
       * before it deserializes the body, so it becomes a MARSHALLINGERROR error txn.
       */
      readonly kind: 'undecodable';
      readonly requestId: bigint;
      readonly sessionId: bigint;
      readonly cxid: number;
      readonly op: number;
    };

const KIND_REQUEST = 1;
const KIND_CREATE_SESSION = 2;
const KIND_UNDECODABLE = 3;

const KIND_CODES = { request: KIND_REQUEST, createSession: KIND_CREATE_SESSION, undecodable: KIND_UNDECODABLE } as const;

/** Encodes an intent for a consensus REQUEST. */
export function encodeWriteIntent(intent: WriteIntent): Uint8Array {
  const w = new JuteWriter(128);
  w.writeInt(KIND_CODES[intent.kind]);
  w.writeLong(intent.requestId);
  w.writeLong(intent.sessionId);
  if (intent.kind === 'createSession') {
    w.writeInt(intent.timeoutMs);
    return w.toBytes();
  }
  if (intent.kind === 'undecodable') {
    w.writeInt(intent.cxid);
    w.writeInt(intent.op);
    return w.toBytes();
  }
  w.writeInt(intent.cxid);
  w.writeBool(intent.isSuper);
  w.writeVector(intent.authIds, (writer, id) => {
    writer.writeUstring(id.scheme);
    writer.writeUstring(id.id);
  });
  w.writeInt(intent.request.op);
  writeRequest(w, intent.request);
  return w.toBytes();
}

/** Decodes an intent; the bytes come from a member of our own group, so damage is a bug. */
export function decodeWriteIntent(bytes: Uint8Array): WriteIntent {
  const r = new JuteReader(bytes);
  const kind = r.readInt();
  const requestId = r.readLong();
  const sessionId = r.readLong();
  if (kind === KIND_CREATE_SESSION) return { kind: 'createSession', requestId, sessionId, timeoutMs: r.readInt() };
  if (kind === KIND_UNDECODABLE) return { kind: 'undecodable', requestId, sessionId, cxid: r.readInt(), op: r.readInt() };
  assert(kind === KIND_REQUEST, `write intent kind ${kind}`);
  const cxid = r.readInt();
  const isSuper = r.readBool();
  const authIds = r.readVector(8, (reader) => ({ scheme: reader.readString(), id: reader.readString() }));
  const op = r.readInt();
  const decoded = decodeRequest(op, bytes.subarray(r.offset));
  assert(decoded.ok, `forwarded request of op ${op} decodes`);
  return { kind: 'request', requestId, sessionId, cxid, isSuper, authIds, request: decoded.value };
}
