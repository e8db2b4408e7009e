/**
 * Session establishment records, headers, watch events and the complete frames built from them
 * (reference §1.1, §2.1, §2.2, §3). Reply and event frames are the server's hot path, so the
 * common ones are written into one exactly sized buffer.
 */
import { Buffer } from 'node:buffer';
import { STAT_BYTES } from './common-records.js';
import { JuteReader, JuteWriter } from './jute.js';
import type {
  ConnectRequest,
  ConnectResponse,
  ReplyHeader,
  RequestHeader,
  Response,
  Stat,
  WatcherEvent,
} from './records.js';
import { encodeResponse } from './response-codec.js';
import { decodeWith, type Result } from './result.js';

/** Bytes of a RequestHeader (xid, type). */
export const REQUEST_HEADER_BYTES = 8;

/** Bytes of a ReplyHeader (xid, zxid, err). */
export const REPLY_HEADER_BYTES = 16;

/** Bytes of the length prefix of every frame. */
export const FRAME_PREFIX_BYTES = 4;

/**
 * Decodes the first client frame's payload; `readOnly` is null when the byte is absent
 * ("old protocol" clients, reference §2.1). The password is copied: it outlives the frame.
 */
export function decodeConnectRequest(bytes: Uint8Array): Result<ConnectRequest> {
  return decodeWith(() => {
    const r = new JuteReader(bytes);
    const protocolVersion = r.readInt();
    const lastZxidSeen = r.readLong();
    const timeOut = r.readInt();
    const sessionId = r.readLong();
    const passwd = r.readBufferCopy();
    const readOnly = r.remaining > 0 ? r.readBool() : null;
    return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
  });
}

/** Writes a ConnectRequest record; the readOnly byte is omitted when it is null. */
function writeConnectRequest(w: JuteWriter, req: ConnectRequest): void {
  w.writeInt(req.protocolVersion);
  w.writeLong(req.lastZxidSeen);
  w.writeInt(req.timeOut);
  w.writeLong(req.sessionId);
  w.writeBuffer(req.passwd);
  if (req.readOnly !== null) w.writeBool(req.readOnly);
}

/** Encodes a ConnectRequest payload (no length prefix). */
export function encodeConnectRequest(req: ConnectRequest): Uint8Array {
  const w = new JuteWriter(64);
  writeConnectRequest(w, req);
  return w.finish();
}

/** Encodes the first client frame: length prefix and ConnectRequest. */
export function encodeConnectFrame(req: ConnectRequest): Uint8Array {
  const w = new JuteWriter(64);
  w.writeInt(0);
  writeConnectRequest(w, req);
  w.patchInt(0, w.offset - FRAME_PREFIX_BYTES);
  return w.finish();
}

/** Decodes the first server frame's payload; `readOnly` is null when the byte is absent. */
export function decodeConnectResponse(bytes: Uint8Array): Result<ConnectResponse> {
  return decodeWith(() => {
    const r = new JuteReader(bytes);
    const protocolVersion = r.readInt();
    const timeOut = r.readInt();
    const sessionId = r.readLong();
    const passwd = r.readBufferCopy();
    const readOnly = r.remaining > 0 ? r.readBool() : null;
    return { protocolVersion, timeOut, sessionId, passwd, readOnly };
  });
}

/** Writes a ConnectResponse record; the readOnly byte is omitted when it is null. */
function writeConnectResponse(w: JuteWriter, resp: ConnectResponse): void {
  w.writeInt(resp.protocolVersion);
  w.writeInt(resp.timeOut);
  w.writeLong(resp.sessionId);
  w.writeBuffer(resp.passwd);
  if (resp.readOnly !== null) w.writeBool(resp.readOnly);
}

/** Encodes a ConnectResponse payload (no length prefix). */
export function encodeConnectResponse(resp: ConnectResponse): Uint8Array {
  const w = new JuteWriter(64);
  writeConnectResponse(w, resp);
  return w.finish();
}

/** Encodes the first server frame: length prefix and ConnectResponse. */
export function encodeConnectResponseFrame(resp: ConnectResponse): Uint8Array {
  const w = new JuteWriter(64);
  w.writeInt(0);
  writeConnectResponse(w, resp);
  w.patchInt(0, w.offset - FRAME_PREFIX_BYTES);
  return w.finish();
}

/** Decodes the RequestHeader at the start of a client frame's payload. */
export function decodeRequestHeader(bytes: Uint8Array): Result<RequestHeader> {
  return decodeWith(() => {
    const r = new JuteReader(bytes);
    return { xid: r.readInt(), type: r.readInt() };
  });
}

/** Encodes a ReplyHeader (16 bytes). */
export function encodeReplyHeader(header: ReplyHeader): Uint8Array {
  const out = Buffer.allocUnsafe(REPLY_HEADER_BYTES);
  putReplyHeader(out, 0, header.xid, header.zxid, header.err);
  return out;
}

/** Decodes the ReplyHeader at the start of a server frame's payload. */
export function decodeReplyHeader(bytes: Uint8Array): Result<ReplyHeader> {
  return decodeWith(() => {
    const r = new JuteReader(bytes);
    return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
  });
}

/** Encodes a WatcherEvent record (no header). */
export function encodeWatcherEvent(event: WatcherEvent): Uint8Array {
  const w = new JuteWriter(16 + event.path.length);
  w.writeInt(event.type);
  w.writeInt(event.state);
  w.writeUstring(event.path);
  return w.finish();
}

/** Decodes a WatcherEvent record (the body of a frame with xid -1). */
export function decodeWatcherEvent(bytes: Uint8Array): Result<WatcherEvent> {
  return decodeWith(() => {
    const r = new JuteReader(bytes);
    return { type: r.readInt(), state: r.readInt(), path: r.readString() };
  });
}

/** Writes a ReplyHeader into `out` at `at`. */
function putReplyHeader(out: Buffer, at: number, xid: number, zxid: bigint, err: number): void {
  out.writeInt32BE(xid | 0, at);
  out.writeBigInt64BE(BigInt.asIntN(64, zxid), at + 4);
  out.writeInt32BE(err | 0, at + 12);
}

/**
 * Encodes a complete reply frame: length prefix, ReplyHeader, then `res` when it is not null.
 * Header-only and Stat replies go into one exactly sized buffer; others through a JuteWriter.
 */
export function encodeReplyFrame(header: ReplyHeader, res: Response | null): Uint8Array {
  if (res === null || res.kind === 'empty') return headerOnlyFrame(header, 0);
  if (res.kind === 'stat') {
    const out = headerOnlyFrame(header, STAT_BYTES);
    putStat(out, FRAME_PREFIX_BYTES + REPLY_HEADER_BYTES, res.stat);
    return out;
  }
  const w = new JuteWriter(256);
  w.writeInt(0);
  w.writeInt(header.xid);
  w.writeLong(header.zxid);
  w.writeInt(header.err);
  encodeResponse(res, w);
  w.patchInt(0, w.offset - FRAME_PREFIX_BYTES);
  return w.finish();
}

/** A frame holding the header and `bodyBytes` more bytes for the caller to fill. */
function headerOnlyFrame(header: ReplyHeader, bodyBytes: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + REPLY_HEADER_BYTES + bodyBytes);
  out.writeInt32BE(REPLY_HEADER_BYTES + bodyBytes, 0);
  putReplyHeader(out, FRAME_PREFIX_BYTES, header.xid, header.zxid, header.err);
  return out;
}

/** Writes a Stat into `out` at `at` without a writer. */
function putStat(out: Buffer, at: number, stat: Stat): void {
  out.writeBigInt64BE(BigInt.asIntN(64, stat.czxid), at);
  out.writeBigInt64BE(BigInt.asIntN(64, stat.mzxid), at + 8);
  out.writeBigInt64BE(BigInt.asIntN(64, stat.ctime), at + 16);
  out.writeBigInt64BE(BigInt.asIntN(64, stat.mtime), at + 24);
  out.writeInt32BE(stat.version | 0, at + 32);
  out.writeInt32BE(stat.cversion | 0, at + 36);
  out.writeInt32BE(stat.aversion | 0, at + 40);
  out.writeBigInt64BE(BigInt.asIntN(64, stat.ephemeralOwner), at + 44);
  out.writeInt32BE(stat.dataLength | 0, at + 52);
  out.writeInt32BE(stat.numChildren | 0, at + 56);
  out.writeBigInt64BE(BigInt.asIntN(64, stat.pzxid), at + 60);
}

/**
 * Encodes a complete notification frame: ReplyHeader{-1, zxid, 0} and the WatcherEvent.
 * ZooKeeper 3.8 always sends zxid -1 (reference §3.4, Appendix A), hence the default.
 */
export function encodeEventFrame(event: WatcherEvent, zxid = -1n): Uint8Array {
  const pathBytes = Buffer.byteLength(event.path, 'utf8');
  const payloadBytes = REPLY_HEADER_BYTES + 12 + pathBytes;
  const out = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + payloadBytes);
  out.writeInt32BE(payloadBytes, 0);
  putReplyHeader(out, FRAME_PREFIX_BYTES, -1, zxid, 0);
  const at = FRAME_PREFIX_BYTES + REPLY_HEADER_BYTES;
  out.writeInt32BE(event.type | 0, at);
  out.writeInt32BE(event.state | 0, at + 4);
  out.writeInt32BE(pathBytes, at + 8);
  out.write(event.path, at + 12, pathBytes, 'utf8');
  return out;
}
