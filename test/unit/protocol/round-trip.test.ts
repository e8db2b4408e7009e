// Properties: decode(encode(x)) = x for every record, through complete frames.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectFrame,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeConnectResponseFrame,
  encodeEventFrame,
  encodeReplyFrame,
  encodeRequest,
  encodeWatcherEvent,
} from '../../../protocol/index.js';
import { connectRequest, connectResponse, int32, int64, opAndResponse, request, watcherEvent } from './arbitraries.js';
import { unwrap } from './helpers.js';

/** The single frame payload in `frame`, checked through a FrameDecoder. */
function payloadOf(frame: Uint8Array): Uint8Array {
  const decoder = new FrameDecoder();
  decoder.push(frame);
  const next = decoder.next();
  if (next.kind !== 'frame') throw new Error(`expected a frame, got ${next.kind}`);
  expect(decoder.next()).toEqual({ kind: 'need-more' });
  expect(decoder.bufferedBytes).toBe(0);
  return next.payload;
}

describe('round trips', () => {
  it('every request kind: decodeRequest(encodeRequest(header, req)) = req', () => {
    fc.assert(
      fc.property(int32, request, (xid, req) => {
        const payload = payloadOf(encodeRequest({ xid, type: req.op }, req));
        const header = unwrap(decodeRequestHeader(payload));
        expect(header).toEqual({ xid, type: req.op });
        expect(unwrap(decodeRequest(header.type, payload.subarray(8)))).toEqual(req);
      }),
      { numRuns: 2000 },
    );
  });

  it('every response kind: decodeResponse(op, encodeReplyFrame(header, res)) = res', () => {
    fc.assert(
      fc.property(int32, int64, opAndResponse, (xid, zxid, { op, res }) => {
        const payload = payloadOf(encodeReplyFrame({ xid, zxid, err: 0 }, res));
        expect(unwrap(decodeReplyHeader(payload))).toEqual({ xid, zxid, err: 0 });
        expect(unwrap(decodeResponse(op, payload.subarray(16)))).toEqual(res);
      }),
      { numRuns: 2000 },
    );
  });

  it('error replies are exactly the 16-byte header', () => {
    fc.assert(
      fc.property(int32, int64, int32, (xid, zxid, err) => {
        const payload = payloadOf(encodeReplyFrame({ xid, zxid, err }, null));
        expect(payload.length).toBe(16);
        expect(unwrap(decodeReplyHeader(payload))).toEqual({ xid, zxid, err });
      }),
    );
  });

  it('ConnectRequest, with and without the readOnly byte', () => {
    fc.assert(
      fc.property(connectRequest, (req) => {
        expect(unwrap(decodeConnectRequest(payloadOf(encodeConnectFrame(req))))).toEqual(req);
        expect(unwrap(decodeConnectRequest(encodeConnectRequest(req)))).toEqual(req);
      }),
    );
  });

  it('ConnectResponse, with and without the readOnly byte', () => {
    fc.assert(
      fc.property(connectResponse, (resp) => {
        expect(unwrap(decodeConnectResponse(payloadOf(encodeConnectResponseFrame(resp))))).toEqual(resp);
        expect(unwrap(decodeConnectResponse(encodeConnectResponse(resp)))).toEqual(resp);
      }),
    );
  });

  it('WatcherEvent, bare and as a notification frame', () => {
    fc.assert(
      fc.property(watcherEvent, int64, (event, zxid) => {
        expect(unwrap(decodeWatcherEvent(encodeWatcherEvent(event)))).toEqual(event);
        const payload = payloadOf(encodeEventFrame(event, zxid));
        expect(unwrap(decodeReplyHeader(payload))).toEqual({ xid: -1, zxid, err: 0 });
        expect(unwrap(decodeWatcherEvent(payload.subarray(16)))).toEqual(event);
      }),
    );
  });
});
