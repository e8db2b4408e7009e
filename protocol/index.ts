/**
 * The ZooKeeper client wire format: records, opcodes, framing, codec, paths, error codes.
 * Pure: no I/O, no clocks. Decoders return results and never throw on bad input.
 */
export * from './opcodes.js';
export * from './errors.js';
export type * from './records.js';
export { DecodeError, JuteReader, JuteWriter, JUTE_MAX_BUFFER, MAX_FIELD_BYTES, maxFieldBytesFor, type JuteReaderOptions } from './jute.js';
export { type Result, ok, fail } from './result.js';
export {
  STAT_BYTES,
  readStat,
  writeStat,
  readAcl,
  writeAcl,
  readAclVector,
  writeAclVector,
} from './common-records.js';
export {
  REQUEST_HEADER_BYTES,
  REPLY_HEADER_BYTES,
  FRAME_PREFIX_BYTES,
  decodeConnectRequest,
  encodeConnectRequest,
  encodeConnectFrame,
  decodeConnectResponse,
  encodeConnectResponse,
  encodeConnectResponseFrame,
  decodeRequestHeader,
  encodeReplyHeader,
  decodeReplyHeader,
  encodeWatcherEvent,
  decodeWatcherEvent,
  encodeReplyFrame,
  encodeEventFrame,
} from './codec.js';
export { isAcceptedOp, decodeRequest, encodeRequest, writeRequest } from './request-codec.js';
export { responseKindOf, encodeResponse, decodeResponse } from './response-codec.js';
export { multiCreateOpOf } from './multi-codec.js';
export { FrameDecoder, type FrameDecoderOptions, type FrameResult, fourLetterWordOf } from './frame.js';
export { validatePath, isValidPathChar, parentPath, baseName, joinPath } from './paths.js';
export {
  ANYONE_ID_UNSAFE,
  AUTH_IDS,
  OPEN_ACL_UNSAFE,
  CREATOR_ALL_ACL,
  READ_ACL_UNSAFE,
  digestAuthId,
  sequenceSuffix,
} from './acl.js';
