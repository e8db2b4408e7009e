/**
 * Session establishment records, headers, watch events and the complete frames built from them
 * (reference §1.1, §2.1, §2.2, §3). Reply and event frames are the server's hot path: each is
 * built in one reused writer and copied once into an exactly sized buffer (frame-writer.ts).
 */
import { beginFrame, endFrame } from './frame-writer.js';
import { JuteReader, JuteWriter } from './jute.js';
import type {
  ConnectRequest,
  ConnectResponse,
  ReplyHeader,
  RequestHeader,
  Response,
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
  const w = beginFrame();
  writeConnectRequest(w, req);
  return endFrame(w);
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
  const w = beginFrame();
  writeConnectResponse(w, resp);
  return endFrame(w);
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
  const w = new JuteWriter(REPLY_HEADER_BYTES);
  writeReplyHeader(w, header);
  return w.finish();
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

/** Writes a ReplyHeader. */
function writeReplyHeader(w: JuteWriter, header: ReplyHeader): void {
  w.writeInt(header.xid);
  w.writeLong(header.zxid);
  w.writeInt(header.err);
}

/**
 * Encodes a complete reply frame: length prefix, ReplyHeader, then `res` when it is not null.
 * Pass null whenever `header.err` is not 0: error replies are exactly 16 bytes (reference §3.3),
 * except a multiRead failed by a write op, which ZooKeeper 3.8 answers with a MultiResponse.
 */
export function encodeReplyFrame(header: ReplyHeader, res: Response | null): Uint8Array {
  const w = beginFrame();
  writeReplyHeader(w, header);
  if (res !== null) encodeResponse(res, w);
  return endFrame(w);
}

/**
 * Encodes a complete notification frame: ReplyHeader{-1, zxid, 0} and the WatcherEvent.
 * ZooKeeper 3.8 always sends zxid -1 (reference §3.4, Appendix A), hence the default.
 */
export function encodeEventFrame(event: WatcherEvent, zxid = -1n): Uint8Array {
  const w = beginFrame();
  w.writeInt(-1);
  w.writeLong(zxid);
  w.writeInt(0);
  w.writeInt(event.type);
  w.writeInt(event.state);
  w.writeUstring(event.path);
  return endFrame(w);
}
