// The byte examples of reference/zookeeper-protocol.md (§1.3, §2.1, §2.2, §3.4, §5.3, §5.5,
// Appendix B), encoded and decoded byte for byte.
import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  EventType,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  KeeperState,
  OPEN_ACL_UNSAFE,
  OpCode,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectFrame,
  encodeConnectResponseFrame,
  encodeEventFrame,
  encodeReplyFrame,
  encodeRequest,
  writeRequest,
  type ConnectRequest,
  type ConnectResponse,
  type Request,
} from '../../../protocol/index.js';
import { bytes, unwrap } from './helpers.js';

function write(fn: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter();
  fn(w);
  return Uint8Array.from(w.finish());
}

function body(req: Request): Uint8Array {
  return write((w) => writeRequest(w, req));
}

const enc = new TextEncoder();

describe('§1.3 primitive encodings', () => {
  it('int 30000 and -101', () => {
    expect(write((w) => w.writeInt(30000))).toEqual(bytes('00 00 75 30'));
    expect(write((w) => w.writeInt(-101))).toEqual(bytes('FF FF FF 9B'));
    expect(new JuteReader(bytes('FF FF FF 9B')).readInt()).toBe(-101);
  });

  it('long 0x100000005', () => {
    expect(write((w) => w.writeLong(0x100000005n))).toEqual(bytes('00 00 00 01 00 00 00 05'));
    expect(new JuteReader(bytes('00 00 00 01 00 00 00 05')).readLong()).toBe(0x100000005n);
  });

  it('boolean true is 01, and any non-zero byte reads as true', () => {
    expect(write((w) => w.writeBool(true))).toEqual(bytes('01'));
    expect(new JuteReader(bytes('7F')).readBool()).toBe(true);
    expect(new JuteReader(bytes('00')).readBool()).toBe(false);
  });

  it('ustring "/a", "" and null', () => {
    expect(write((w) => w.writeUstring('/a'))).toEqual(bytes('00 00 00 02 2F 61'));
    expect(write((w) => w.writeUstring(''))).toEqual(bytes('00 00 00 00'));
    expect(write((w) => w.writeUstring(null))).toEqual(bytes('FF FF FF FF'));
    expect(write((w) => w.writeBuffer(null))).toEqual(bytes('FF FF FF FF'));
    expect(new JuteReader(bytes('FF FF FF FF')).readUstring()).toBeNull();
    expect(new JuteReader(bytes('FF FF FF FF')).readBuffer()).toBeNull();
    expect(new JuteReader(bytes('00 00 00 00')).readBuffer()).toEqual(new Uint8Array(0));
  });

  it('vector<ustring> ["x","yz"]', () => {
    const expected = bytes('00 00 00 02  00 00 00 01 78  00 00 00 02 79 7A');
    expect(write((w) => w.writeStringVector(['x', 'yz']))).toEqual(expected);
    expect(new JuteReader(expected).readStringVector()).toEqual(['x', 'yz']);
  });

  it('ustring "😀" is written as standard UTF-8; Java\'s CESU-8 form still decodes without error', () => {
    expect(write((w) => w.writeUstring('😀'))).toEqual(bytes('00 00 00 04 F0 9F 98 80'));
    expect(new JuteReader(bytes('00 00 00 04 F0 9F 98 80')).readUstring()).toBe('😀');
    // Java's reader replaces the surrogate triplets; so does ours.
    const javaForm = new JuteReader(bytes('00 00 00 06 ED A0 BD ED B8 80')).readUstring();
    expect(javaForm).not.toBe('😀');
    expect(javaForm).toContain('\uFFFD');
  });

  it('getData frame, xid 10, path /a, watch', () => {
    const frame = bytes('00 00 00 0F  00 00 00 0A  00 00 00 04  00 00 00 02 2F 61  01');
    expect(encodeRequest({ xid: 10, type: OpCode.getData }, { op: OpCode.getData, path: '/a', watch: true })).toEqual(
      frame,
    );
    const payload = frame.subarray(4);
    expect(unwrap(decodeRequestHeader(payload))).toEqual({ xid: 10, type: OpCode.getData });
    expect(unwrap(decodeRequest(OpCode.getData, payload.subarray(8)))).toEqual({
      op: OpCode.getData,
      path: '/a',
      watch: true,
    });
  });

  it('ping frame and ping reply', () => {
    expect(encodeRequest({ xid: -2, type: OpCode.ping }, { op: OpCode.ping })).toEqual(
      bytes('00 00 00 08  FF FF FF FE  00 00 00 0B'),
    );
    const reply = bytes('00 00 00 10  FF FF FF FE  00 00 00 00 00 00 00 01  00 00 00 00');
    expect(encodeReplyFrame({ xid: -2, zxid: 1n, err: 0 }, null)).toEqual(reply);
    expect(encodeReplyFrame({ xid: -2, zxid: 1n, err: 0 }, { kind: 'empty' })).toEqual(reply);
    expect(unwrap(decodeReplyHeader(reply.subarray(4)))).toEqual({ xid: -2, zxid: 1n, err: 0 });
  });

  it('error reply, xid 7, zxid 3, NODEEXISTS', () => {
    const reply = bytes('00 00 00 10  00 00 00 07  00 00 00 00 00 00 00 03  FF FF FF 92');
    expect(encodeReplyFrame({ xid: 7, zxid: 3n, err: ErrorCode.NodeExists }, null)).toEqual(reply);
    expect(unwrap(decodeReplyHeader(reply.subarray(4)))).toEqual({ xid: 7, zxid: 3n, err: ErrorCode.NodeExists });
  });
});

describe('§2 session establishment', () => {
  const connectFrame = bytes(
    '00 00 00 2D | 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 75 30 | 00 00 00 00 00 00 00 00 | 00 00 00 10 | ' +
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 | 00',
  );
  const connectRequest: ConnectRequest = {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeOut: 30000,
    sessionId: 0n,
    passwd: new Uint8Array(16),
    readOnly: false,
  };

  it('ConnectRequest for a new session, 30000 ms, not read-only', () => {
    expect(encodeConnectFrame(connectRequest)).toEqual(connectFrame);
    expect(unwrap(decodeConnectRequest(connectFrame.subarray(4)))).toEqual(connectRequest);
  });

  it('ConnectRequest without the readOnly byte decodes readOnly as null ("old protocol")', () => {
    const old = connectFrame.subarray(4, connectFrame.length - 1);
    expect(old.length).toBe(44);
    expect(unwrap(decodeConnectRequest(old))).toEqual({ ...connectRequest, readOnly: null });
    expect(encodeConnectFrame({ ...connectRequest, readOnly: null }).subarray(4)).toEqual(old);
  });

  const responseFrame = bytes(
    '00 00 00 25 | 00 00 00 00 | 00 00 75 30 | 01 00 00 37 0C A4 00 00 | 00 00 00 10 | ' +
      '1E 71 65 E1 53 4F 0F 34 2C 24 4E AE 54 37 F7 81 | 00',
  );
  const connectResponse: ConnectResponse = {
    protocolVersion: 0,
    timeOut: 30000,
    sessionId: 0x010000370ca40000n,
    passwd: bytes('1E 71 65 E1 53 4F 0F 34 2C 24 4E AE 54 37 F7 81'),
    readOnly: false,
  };

  it('ConnectResponse as observed (Appendix B: 37-byte reply)', () => {
    expect(encodeConnectResponseFrame(connectResponse)).toEqual(responseFrame);
    expect(responseFrame.length - 4).toBe(37);
    expect(unwrap(decodeConnectResponse(responseFrame.subarray(4)))).toEqual(connectResponse);
  });

  it('ConnectResponse for an old-protocol client omits the readOnly byte (36 bytes)', () => {
    const frame = encodeConnectResponseFrame({ ...connectResponse, readOnly: null });
    expect(frame.length - 4).toBe(36);
    expect(frame).toEqual(Uint8Array.from([0, 0, 0, 0x24, ...responseFrame.subarray(4, responseFrame.length - 1)]));
    expect(unwrap(decodeConnectResponse(frame.subarray(4)))).toEqual({ ...connectResponse, readOnly: null });
  });

  it('a rejected reconnect is 37 bytes of zeros after the length (Appendix B)', () => {
    const frame = encodeConnectResponseFrame({
      protocolVersion: 0,
      timeOut: 0,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    expect(frame).toEqual(Uint8Array.from([0, 0, 0, 0x25, ...new Uint8Array(8 + 8), 0, 0, 0, 0x10, ...new Uint8Array(17)]));
  });
});

describe('§3.4 notification frame', () => {
  const frame = bytes(
    '00 00 00 1E  FF FF FF FF  FF FF FF FF FF FF FF FF  00 00 00 00  00 00 00 03  00 00 00 03  00 00 00 02 2F 61',
  );
  const event = { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/a' };

  it('NodeDataChanged on /a with zxid -1 (3.8)', () => {
    expect(encodeEventFrame(event)).toEqual(frame);
    const header = unwrap(decodeReplyHeader(frame.subarray(4)));
    expect(header).toEqual({ xid: -1, zxid: -1n, err: 0 });
    expect(unwrap(decodeWatcherEvent(frame.subarray(20)))).toEqual(event);
  });

  it('an explicit zxid (3.9 style) and a non-ASCII path', () => {
    const out = encodeEventFrame({ ...event, path: '/é' }, 5n);
    expect(unwrap(decodeReplyHeader(out.subarray(4)))).toEqual({ xid: -1, zxid: 5n, err: 0 });
    expect(unwrap(decodeWatcherEvent(out.subarray(20))).path).toBe('/é');
    expect(new DataView(out.buffer, out.byteOffset).getInt32(0)).toBe(out.length - 4);
  });
});

describe('§5.3 CreateRequest', () => {
  const createBody = bytes(
    '00 00 00 02 2F 61 | 00 00 00 02 68 69 | 00 00 00 01 | 00 00 00 1F | 00 00 00 05 77 6F 72 6C 64 | ' +
      '00 00 00 06 61 6E 79 6F 6E 65 | 00 00 00 00',
  );
  const create: Request = { op: OpCode.create, path: '/a', data: enc.encode('hi'), acl: OPEN_ACL_UNSAFE, flags: 0 };

  it('create "/a" "hi" OPEN_ACL_UNSAFE persistent is 43 bytes', () => {
    expect(createBody.length).toBe(43);
    expect(body(create)).toEqual(createBody);
    expect(unwrap(decodeRequest(OpCode.create, createBody))).toEqual(create);
  });

  it('create response and create2 error reply (Appendix B)', () => {
    const reply = encodeReplyFrame({ xid: 6, zxid: 2n, err: 0 }, { kind: 'create', path: '/a' });
    expect(reply).toEqual(bytes('00 00 00 16 00 00 00 06 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 02 2F 61'));
    expect(unwrap(decodeResponse(OpCode.create, reply.subarray(20)))).toEqual({ kind: 'create', path: '/a' });
    const error = encodeReplyFrame({ xid: 7, zxid: 3n, err: ErrorCode.NodeExists }, null);
    expect(error.length - 4).toBe(16);
  });
});

describe('§5.5 multi', () => {
  const multiBody = bytes(
    '00 00 00 0D 00 FF FF FF FF | 00 00 00 02 2F 61 00 00 00 00 | 00 00 00 02 00 FF FF FF FF | ' +
      '00 00 00 02 2F 61 FF FF FF FF | FF FF FF FF 01 FF FF FF FF',
  );
  const multi: Request = {
    op: OpCode.multi,
    ops: [
      { op: OpCode.check, path: '/a', version: 0 },
      { op: OpCode.delete, path: '/a', version: -1 },
    ],
  };

  it('[check("/a", 0), delete("/a", -1)] is a 47-byte body', () => {
    expect(multiBody.length).toBe(47);
    expect(body(multi)).toEqual(multiBody);
    expect(unwrap(decodeRequest(OpCode.multi, multiBody))).toEqual(multi);
  });

  it('failed multi reply [(-1,0), (-1,-101), (-1,-2)] is a 64-byte payload (Appendix B)', () => {
    const results = [
      { kind: 'error', err: 0 },
      { kind: 'error', err: ErrorCode.NoNode },
      { kind: 'error', err: ErrorCode.RuntimeInconsistency },
    ] as const;
    const reply = encodeReplyFrame({ xid: 32, zxid: 0x18n, err: 0 }, { kind: 'multi', results });
    expect(reply.length - 4).toBe(64);
    expect(reply.subarray(20)).toEqual(
      bytes(
        'FF FF FF FF 00 00 00 00 00 00 00 00 00 | FF FF FF FF 00 FF FF FF 9B FF FF FF 9B | ' +
          'FF FF FF FF 00 FF FF FF FE FF FF FF FE | FF FF FF FF 01 FF FF FF FF',
      ),
    );
    expect(unwrap(decodeResponse(OpCode.multi, reply.subarray(20)))).toEqual({ kind: 'multi', results });
  });
});

describe('Appendix B transcript frames', () => {
  it('unknown opcode 99 is Unimplemented; its reply carries zxid -1', () => {
    const result = decodeRequest(99, new Uint8Array(0));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(ErrorCode.Unimplemented);
    const reply = encodeReplyFrame({ xid: 1, zxid: -1n, err: ErrorCode.Unimplemented }, null);
    expect(reply).toEqual(bytes('00 00 00 10 00 00 00 01 FF FF FF FF FF FF FF FF FF FF FF FA'));
  });

  it('checkWatches with WatcherType 5 is a MarshallingError on 3.8', () => {
    const req = body({ op: OpCode.checkWatches, path: '/a', type: 5 });
    const result = decodeRequest(OpCode.checkWatches, req);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(ErrorCode.MarshallingError);
  });

  it('auth digest bob:secret and its reply (xid -4, zxid 0)', () => {
    const frame = encodeRequest(
      { xid: -4, type: OpCode.auth },
      { op: OpCode.auth, type: 0, scheme: 'digest', auth: enc.encode('bob:secret') },
    );
    const decoder = new FrameDecoder();
    decoder.push(frame);
    const next = decoder.next();
    expect(next.kind).toBe('frame');
    if (next.kind !== 'frame') return;
    expect(unwrap(decodeRequestHeader(next.payload))).toEqual({ xid: -4, type: OpCode.auth });
    expect(unwrap(decodeRequest(OpCode.auth, next.payload.subarray(8)))).toEqual({
      op: OpCode.auth,
      type: 0,
      scheme: 'digest',
      auth: enc.encode('bob:secret'),
    });
    expect(encodeReplyFrame({ xid: -4, zxid: 0n, err: 0 }, null)).toEqual(
      bytes('00 00 00 10 FF FF FF FC 00 00 00 00 00 00 00 00 00 00 00 00'),
    );
  });
});
