// Bad input from outside: the decoders return MarshallingError or Unimplemented and never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  ErrorCode,
  JuteReader,
  JuteWriter,
  OpCode,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  decodeWatcherEvent,
  encodeResponse,
  isAcceptedOp,
  writeRequest,
  type Request,
  type Response,
  type Result,
} from '../../../protocol/index.js';
import { opAndResponse, request } from './arbitraries.js';
import { bytes, unwrap } from './helpers.js';

function requestBody(req: Request): Uint8Array {
  const w = new JuteWriter();
  writeRequest(w, req);
  return Uint8Array.from(w.finish());
}

function responseBody(res: Response): Uint8Array {
  const w = new JuteWriter();
  encodeResponse(res, w);
  return Uint8Array.from(w.finish());
}

function codeOf(result: Result<unknown>): number {
  return result.ok ? ErrorCode.Ok : result.code;
}

const allDecoders = (b: Uint8Array, op: number): Result<unknown>[] => [
  decodeRequest(op, b),
  decodeResponse(op, b),
  decodeConnectRequest(b),
  decodeConnectResponse(b),
  decodeRequestHeader(b),
  decodeReplyHeader(b),
  decodeWatcherEvent(b),
];

describe('decoders on arbitrary bytes', () => {
  it('never throw, for any opcode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.integer({ min: -20, max: 130 }), (b, op) => {
        for (const result of allDecoders(b, op)) expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('never throw on valid requests with one byte changed or the tail cut', () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (req, at, value, cut) => {
        const b = requestBody(req);
        expect(typeof decodeRequest(req.op, b.subarray(0, cut % (b.length + 1))).ok).toBe('boolean');
        if (b.length > 0) b[at % b.length] = value;
        expect(typeof decodeRequest(req.op, b).ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('never throw on valid responses with one byte changed or the tail cut', () => {
    fc.assert(
      fc.property(opAndResponse, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), ({ op, res }, at, value, cut) => {
        const b = responseBody(res);
        expect(typeof decodeResponse(op, b.subarray(0, cut % (b.length + 1))).ok).toBe('boolean');
        if (b.length > 0) b[at % b.length] = value;
        expect(typeof decodeResponse(op, b).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('opcodes', () => {
  it('accepts exactly 1-9, 11-22, 100-107 and -11 (reference §4)', () => {
    const accepted = [];
    for (let op = -20; op <= 200; op++) if (isAcceptedOp(op)) accepted.push(op);
    const expected = [-11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
    expected.push(100, 101, 102, 103, 104, 105, 106, 107);
    expect(accepted).toEqual(expected);
  });

  it.each([0, -1, 10, -10, 23, 99, 108, 0x7fffffff])('opcode %i is Unimplemented whatever the body', (op) => {
    expect(codeOf(decodeRequest(op, bytes('00 00 00 02 2F 61 00')))).toBe(ErrorCode.Unimplemented);
  });

  it('ping, closeSession and whoAmI need no body', () => {
    expect(unwrap(decodeRequest(OpCode.ping, new Uint8Array(0)))).toEqual({ op: OpCode.ping });
    expect(unwrap(decodeRequest(OpCode.closeSession, new Uint8Array(0)))).toEqual({ op: OpCode.closeSession });
    expect(unwrap(decodeRequest(OpCode.whoAmI, new Uint8Array(0)))).toEqual({ op: OpCode.whoAmI });
  });

  it('check (op 13) outside multi decodes: 3.8.0 processes it', () => {
    expect(unwrap(decodeRequest(OpCode.check, requestBody({ op: OpCode.check, path: '/a', version: 3 })))).toEqual({
      op: OpCode.check,
      path: '/a',
      version: 3,
    });
  });
});

describe('MarshallingError bodies', () => {
  const marshalling = (op: number, b: Uint8Array) => expect(codeOf(decodeRequest(op, b))).toBe(ErrorCode.MarshallingError);

  it('a truncated body', () => {
    marshalling(OpCode.getData, bytes('00 00 00 02 2F 61'));
    marshalling(OpCode.create, bytes('00 00 00 05 2F 61'));
    marshalling(OpCode.delete, new Uint8Array(0));
  });

  it('a string length below -1', () => {
    marshalling(OpCode.getData, bytes('FF FF FF FE 00'));
  });

  it('a string length over the per-field limit', () => {
    const result = new JuteReader(bytes('00 00 00 05 61 62 63 64 65'), { maxFieldBytes: 4 });
    expect(() => result.readUstring()).toThrow(DecodeError);
    marshalling(OpCode.getData, bytes('00 20 00 00 2F'));
  });

  it('a vector count beyond the bytes left', () => {
    marshalling(OpCode.setACL, bytes('00 00 00 02 2F 61 7F FF FF FF 00 00 00 00'));
    marshalling(OpCode.setWatches, bytes('00 00 00 00 00 00 00 00 00 01 00 00'));
  });

  it('a null vector reads as empty (readers must accept -1, §1.2)', () => {
    const req = unwrap(decodeRequest(OpCode.setACL, bytes('00 00 00 02 2F 61 FF FF FF FF 00 00 00 07')));
    expect(req).toEqual({ op: OpCode.setACL, path: '/a', acl: [], version: 7 });
  });

  it('kazoo-style null strings in an ACL read as "" (§1.2)', () => {
    const req = unwrap(
      decodeRequest(OpCode.setACL, bytes('00 00 00 02 2F 61 00 00 00 01 00 00 00 1F 00 00 00 04 61 75 74 68 FF FF FF FF 00 00 00 00')),
    );
    expect(req).toEqual({ op: OpCode.setACL, path: '/a', acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], version: 0 });
  });

  it('checkWatches/removeWatches with WatcherType 4, 5 or 0 (3.8, Appendix A)', () => {
    for (const type of [0, 4, 5, -1]) {
      marshalling(OpCode.checkWatches, requestBody({ op: OpCode.checkWatches, path: '/a', type }));
      marshalling(OpCode.removeWatches, requestBody({ op: OpCode.removeWatches, path: '/a', type }));
    }
  });

  it('a multi mixing read and write ops', () => {
    const ops = [
      { op: OpCode.check, path: '/a', version: 0 },
      { op: OpCode.getData, path: '/a', watch: false },
    ] as const;
    marshalling(OpCode.multi, requestBody({ op: OpCode.multi, ops }));
    marshalling(OpCode.multiRead, requestBody({ op: OpCode.multiRead, ops: [...ops].reverse() }));
  });

  it('a multi of reads only, or a multiRead of writes only, decodes: the server fails it (MultiOperationRecord)', () => {
    const read = { op: OpCode.getData, path: '/a', watch: false } as const;
    const write = { op: OpCode.check, path: '/a', version: -1 } as const;
    expect(unwrap(decodeRequest(OpCode.multi, requestBody({ op: OpCode.multiRead, ops: [read, read] })))).toEqual({ op: OpCode.multi, ops: [read, read] });
    expect(unwrap(decodeRequest(OpCode.multiRead, requestBody({ op: OpCode.multi, ops: [write] })))).toEqual({ op: OpCode.multiRead, ops: [write] });
  });

  it('a multi with deleteContainer or another op that has no place in a multi', () => {
    // MultiHeader{20, false, -1} + buffer "/a" + terminator.
    marshalling(OpCode.multi, bytes('00 00 00 14 00 FF FF FF FF 00 00 00 02 2F 61 FF FF FF FF 01 FF FF FF FF'));
    marshalling(OpCode.multi, bytes('00 00 00 03 00 FF FF FF FF 00 00 00 02 2F 61 00 FF FF FF FF 01 FF FF FF FF'));
  });

  it('a multi without its terminator', () => {
    marshalling(OpCode.multi, bytes('00 00 00 0D 00 FF FF FF FF 00 00 00 02 2F 61 00 00 00 00'));
  });

  it('an empty multi (terminator only) decodes to no ops', () => {
    expect(unwrap(decodeRequest(OpCode.multi, bytes('FF FF FF FF 01 FF FF FF FF')))).toEqual({ op: OpCode.multi, ops: [] });
  });
});

describe('tolerated input', () => {
  it('trailing bytes after a record are ignored, as Java does', () => {
    expect(unwrap(decodeRequest(OpCode.sync, bytes('00 00 00 02 2F 61 DE AD BE EF')))).toEqual({
      op: OpCode.sync,
      path: '/a',
    });
  });

  it('multiRead sub-ops lose their watch flag, as Op.getData/Op.getChildren do', () => {
    const b = requestBody({
      op: OpCode.multiRead,
      ops: [
        { op: OpCode.getData, path: '/a', watch: true },
        { op: OpCode.getChildren, path: '/b', watch: true },
      ],
    });
    expect(unwrap(decodeRequest(OpCode.multiRead, b))).toEqual({
      op: OpCode.multiRead,
      ops: [
        { op: OpCode.getData, path: '/a', watch: false },
        { op: OpCode.getChildren, path: '/b', watch: false },
      ],
    });
  });

  it('decoded data is a copy that does not alias the frame', () => {
    const b = requestBody({ op: OpCode.setData, path: '/a', data: bytes('01 02'), version: -1 });
    const req = unwrap(decodeRequest(OpCode.setData, b));
    b.fill(0);
    expect(req).toEqual({ op: OpCode.setData, path: '/a', data: bytes('01 02'), version: -1 });
  });

  it('an empty buffer and a null buffer stay distinct', () => {
    const empty = unwrap(decodeRequest(OpCode.setData, requestBody({ op: OpCode.setData, path: '/a', data: new Uint8Array(0), version: 0 })));
    const none = unwrap(decodeRequest(OpCode.setData, requestBody({ op: OpCode.setData, path: '/a', data: null, version: 0 })));
    expect(empty).toMatchObject({ data: new Uint8Array(0) });
    expect(none).toMatchObject({ data: null });
  });
});

describe('responses', () => {
  it('an opcode without a response record is refused', () => {
    expect(codeOf(decodeResponse(99, new Uint8Array(0)))).toBe(ErrorCode.Unimplemented);
  });

  it('a multi response with an unknown result type is a MarshallingError', () => {
    expect(codeOf(decodeResponse(OpCode.multi, bytes('00 00 00 03 00 00 00 00 00 FF FF FF FF 01 FF FF FF FF')))).toBe(
      ErrorCode.MarshallingError,
    );
  });

  it('addWatch replies with an ErrorResponse of 4 zero bytes', () => {
    expect(responseBody({ kind: 'errorResponse', err: 0 })).toEqual(bytes('00 00 00 00'));
    expect(unwrap(decodeResponse(OpCode.addWatch, bytes('00 00 00 00')))).toEqual({ kind: 'errorResponse', err: 0 });
  });
});
