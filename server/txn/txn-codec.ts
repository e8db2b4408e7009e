/**
 * The binary encoding of a txn for the log and for proposals (our own format, big-endian):
 *   u8 format version (1) | header: i64 sessionId, i32 cxid, i64 zxid, f64 timeMs | body
 * where body = u8 kind tag then the kind's fields in declaration order (txn.ts); strings are
 * u32 length + UTF-8, buffers i32 length (-1 null) + bytes, ACLs u32 count + (i32 perms,
 * string scheme, string id). The log adds its own checksums; decoding still rejects any
 * malformed or trailing byte with TxnDecodeError.
 */
import type { Acl } from '../../protocol/records.js';
import { assertNever } from '../../util/assert.js';
import { ByteReader, ByteWriter } from '../tree/byte-buffer.js';
import type { MultiSubTxn, Txn, TxnBody, TxnHeader } from './txn.js';

/** Bytes that do not decode to a txn. */
export class TxnDecodeError extends Error {
  override name = 'TxnDecodeError';
}

const FORMAT_VERSION = 1;

const TAGS = {
  create: 1,
  delete: 2,
  setData: 3,
  check: 4,
  error: 5,
  createSession: 6,
  closeSession: 7,
  setACL: 8,
  deleteContainer: 9,
  multi: 10,
} as const satisfies Record<TxnBody['kind'], number>;

/**
 * One writer for every encodeTxn call: encoding is synchronous, and reusing the buffer spares a
 * zeroed allocation and a DataView per txn on the write path (only the final copy remains).
 */
const scratch = new ByteWriter(64 * 1024);

/** Encodes a txn. */
export function encodeTxn(txn: Txn): Uint8Array {
  const out = scratch;
  out.reset();
  out.u8(FORMAT_VERSION);
  out.i64(txn.header.sessionId);
  out.i32(txn.header.cxid);
  out.i64(txn.header.zxid);
  out.f64(txn.header.timeMs);
  writeBody(out, txn);
  return out.toBytes();
}

function writeBody(out: ByteWriter, body: TxnBody): void {
  out.u8(TAGS[body.kind]);
  switch (body.kind) {
    case 'create':
      out.string(body.path);
      out.buffer(body.data);
      writeAcl(out, body.acl);
      out.i64(body.ephemeralOwner);
      out.i32(body.parentCVersion);
      return;
    case 'delete':
    case 'deleteContainer':
      out.string(body.path);
      return;
    case 'setData':
      out.string(body.path);
      out.buffer(body.data);
      out.i32(body.version);
      return;
    case 'check':
      out.string(body.path);
      out.i32(body.version);
      return;
    case 'error':
      out.i32(body.err);
      return;
    case 'createSession':
      out.i32(body.timeoutMs);
      return;
    case 'closeSession':
      out.u32(body.paths.length);
      for (const path of body.paths) out.string(path);
      return;
    case 'setACL':
      out.string(body.path);
      writeAcl(out, body.acl);
      out.i32(body.aversion);
      return;
    case 'multi':
      out.u32(body.txns.length);
      for (const sub of body.txns) writeBody(out, sub);
      return;
    default:
      assertNever(body, 'txn kind');
  }
}

function writeAcl(out: ByteWriter, acl: readonly Acl[]): void {
  out.u32(acl.length);
  for (const entry of acl) {
    out.i32(entry.perms);
    out.string(entry.id.scheme);
    out.string(entry.id.id);
  }
}

/**
 * Decodes a txn; throws TxnDecodeError on malformed or trailing bytes. Data fields are views of
 * `bytes` (no copy), so `bytes` must not be written afterwards; the tree copies what it keeps.
 */
export function decodeTxn(bytes: Uint8Array): Txn {
  const reader = new ByteReader(bytes, (reason) => new TxnDecodeError(`txn: ${reason}`));
  const version = reader.u8();
  if (version !== FORMAT_VERSION) throw new TxnDecodeError(`txn: unknown format version ${version}`);
  const sessionId = reader.i64();
  const cxid = reader.i32();
  const zxid = reader.i64();
  const timeMs = reader.safeInt();
  const header: TxnHeader = { sessionId, cxid, zxid, timeMs };
  const body: TxnBody & { header?: TxnHeader } = readBody(reader);
  if (reader.remaining !== 0) throw new TxnDecodeError(`txn: ${reader.remaining} trailing bytes`);
  // Adding the one field keeps one object shape per kind; `{ ...body, header }` over bodies of
  // every kind goes megamorphic, and it and every later read of the txn take the slow path.
  body.header = header;
  return body as Txn;
}

function readBody(reader: ByteReader): TxnBody {
  const tag = reader.u8();
  return readSubTxn(reader, tag) ?? readSessionOrAdminBody(reader, tag);
}

/** The kinds a multi may hold; null for any other tag. */
function readSubTxn(reader: ByteReader, tag: number): MultiSubTxn | null {
  switch (tag) {
    case TAGS.create: {
      const path = reader.string();
      const data = reader.bufferView();
      const acl = readAcl(reader);
      const ephemeralOwner = reader.i64();
      return { kind: 'create', path, data, acl, ephemeralOwner, parentCVersion: reader.i32() };
    }
    case TAGS.delete:
      return { kind: 'delete', path: reader.string() };
    case TAGS.setData: {
      const path = reader.string();
      const data = reader.bufferView();
      return { kind: 'setData', path, data, version: reader.i32() };
    }
    case TAGS.check: {
      const path = reader.string();
      return { kind: 'check', path, version: reader.i32() };
    }
    case TAGS.error:
      return { kind: 'error', err: reader.i32() };
    default:
      return null;
  }
}

function readSessionOrAdminBody(reader: ByteReader, tag: number): TxnBody {
  switch (tag) {
    case TAGS.createSession:
      return { kind: 'createSession', timeoutMs: reader.i32() };
    case TAGS.closeSession: {
      const count = reader.u32();
      if (count > reader.remaining / 4) throw new TxnDecodeError(`txn: closeSession path count ${count} too large`);
      const paths: string[] = [];
      for (let i = 0; i < count; i++) paths.push(reader.string());
      return { kind: 'closeSession', paths };
    }
    case TAGS.setACL: {
      const path = reader.string();
      const acl = readAcl(reader);
      return { kind: 'setACL', path, acl, aversion: reader.i32() };
    }
    case TAGS.deleteContainer:
      return { kind: 'deleteContainer', path: reader.string() };
    case TAGS.multi: {
      const count = reader.u32();
      if (count > reader.remaining) throw new TxnDecodeError(`txn: multi op count ${count} too large`);
      const txns: MultiSubTxn[] = [];
      for (let i = 0; i < count; i++) {
        const subTag = reader.u8();
        const sub = readSubTxn(reader, subTag);
        if (sub === null) throw new TxnDecodeError(`txn: tag ${subTag} is not allowed inside multi`);
        txns.push(sub);
      }
      return { kind: 'multi', txns };
    }
    default:
      throw new TxnDecodeError(`txn: unknown kind tag ${tag}`);
  }
}

function readAcl(reader: ByteReader): Acl[] {
  const count = reader.u32();
  if (count > reader.remaining / 12) throw new TxnDecodeError(`txn: ACL count ${count} too large`);
  const acl: Acl[] = [];
  for (let i = 0; i < count; i++) {
    const perms = reader.i32();
    const scheme = reader.string();
    acl.push({ perms, id: { scheme, id: reader.string() } });
  }
  return acl;
}
