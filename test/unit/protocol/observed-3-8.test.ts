// Decoding cases checked against a running Apache ZooKeeper 3.8.0 standalone server with a raw
// socket client (the reply bytes below are copied from it). Where the reference (3.9.5 source)
// says otherwise, these win (common rules: 3.8.0 behaviour wins).
import { describe, expect, it } from 'vitest';
import {
  CreateFlags,
  ErrorCode,
  JuteWriter,
  OPEN_ACL_UNSAFE,
  OpCode,
  decodeRequest,
  decodeResponse,
  encodeResponse,
  multiCreateOpOf,
  writeRequest,
  type CreateRequest,
  type CreateTtlRequest,
  type Request,
  type Response,
  type Result,
} from '../../../protocol/index.js';
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

const ACL_OPEN = '00 00 00 01 00 00 00 1F 00 00 00 05 77 6F 72 6C 64 00 00 00 06 61 6E 79 6F 6E 65';
const MULTI_END = 'FF FF FF FF 01 FF FF FF FF';

describe('multi requests as ZooKeeper 3.8.0 decodes them', () => {
  it('an invalid create flag decodes (prep refuses it later with BADARGUMENTS)', () => {
    // MultiHeader{1, false, -1} create("/m1", null, OPEN_ACL_UNSAFE, flags 9), terminator.
    const body = bytes(`00 00 00 01 00 FF FF FF FF  00 00 00 03 2F 6D 31  FF FF FF FF  ${ACL_OPEN}  00 00 00 09  ${MULTI_END}`);
    expect(unwrap(decodeRequest(OpCode.multi, body))).toEqual({
      op: OpCode.multi,
      ops: [{ op: OpCode.create, path: '/m1', data: null, acl: OPEN_ACL_UNSAFE, flags: 9 }],
    });
  });

  it('a negative ACL count other than -1 reads as an empty list (3.8.0 answers INVALIDACL)', () => {
    const body = bytes(`00 00 00 01 00 FF FF FF FF  00 00 00 03 2F 74 35  FF FF FF FF  FF FF FF FE  00 00 00 00  ${MULTI_END}`);
    expect(unwrap(decodeRequest(OpCode.multi, body))).toEqual({
      op: OpCode.multi,
      ops: [{ op: OpCode.create, path: '/t5', data: null, acl: [], flags: 0 }],
    });
    const create = bytes('00 00 00 02 2F 71  FF FF FF FF  FF FF FF FE  00 00 00 00');
    expect(unwrap(decodeRequest(OpCode.create, create))).toMatchObject({ acl: [] });
  });

  it('setWatches with a vector count of -3 reads as empty lists (3.8.0 replies OK)', () => {
    const body = bytes('00 00 00 00 00 00 00 00  FF FF FF FD  00 00 00 00  00 00 00 00');
    expect(unwrap(decodeRequest(OpCode.setWatches, body))).toMatchObject({
      dataWatches: [],
      existWatches: [],
      childWatches: [],
    });
  });

  it('exists or deleteContainer inside a multi is a MarshallingError', () => {
    const exists = bytes(`00 00 00 03 00 FF FF FF FF  00 00 00 02 2F 70 00  ${MULTI_END}`);
    const deleteContainer = bytes(`00 00 00 14 00 FF FF FF FF  00 00 00 02 2F 70  ${MULTI_END}`);
    expect(codeOf(decodeRequest(OpCode.multi, exists))).toBe(ErrorCode.MarshallingError);
    expect(codeOf(decodeRequest(OpCode.multi, deleteContainer))).toBe(ErrorCode.MarshallingError);
  });

  it('a multiRead of a check and a multi of a getData decode (the server fails them), a mix does not', () => {
    const check = `00 00 00 0D 00 FF FF FF FF  00 00 00 02 2F 72 FF FF FF FF`;
    const getData = `00 00 00 04 00 FF FF FF FF  00 00 00 02 2F 72 00`;
    expect(codeOf(decodeRequest(OpCode.multiRead, bytes(`${check} ${MULTI_END}`)))).toBe(ErrorCode.Ok);
    expect(codeOf(decodeRequest(OpCode.multi, bytes(`${getData} ${MULTI_END}`)))).toBe(ErrorCode.Ok);
    expect(codeOf(decodeRequest(OpCode.multi, bytes(`${check} ${getData} ${MULTI_END}`)))).toBe(ErrorCode.MarshallingError);
    expect(codeOf(decodeRequest(OpCode.multiRead, bytes(`${getData} ${check} ${MULTI_END}`)))).toBe(ErrorCode.MarshallingError);
  });

  it('a multiRead getData with watch=true sets no watch (no event arrived on a later setData)', () => {
    const body = bytes(`00 00 00 04 00 FF FF FF FF  00 00 00 02 2F 70 01  ${MULTI_END}`);
    expect(unwrap(decodeRequest(OpCode.multiRead, body))).toEqual({
      op: OpCode.multiRead,
      ops: [{ op: OpCode.getData, path: '/p', watch: false }],
    });
  });
});

describe('multiCreateOpOf: the op 3.8.0 runs a multi create as (Op.create)', () => {
  const create = (op: CreateRequest['op'], flags: number): CreateRequest => ({ op, path: '/x', data: null, acl: OPEN_ACL_UNSAFE, flags });
  const createTtl = (flags: number): CreateTtlRequest => ({ op: OpCode.createTTL, path: '/x', data: null, acl: OPEN_ACL_UNSAFE, flags, ttl: 100n });

  it('create2 runs as create (observed: result type 1, path only)', () => {
    expect(multiCreateOpOf(create(OpCode.create2, CreateFlags.Persistent))).toBe(OpCode.create);
    expect(multiCreateOpOf(create(OpCode.create2, CreateFlags.EphemeralSequential))).toBe(OpCode.create);
  });

  it('container flags make createContainer whatever the op (observed: result type 15 with Stat)', () => {
    expect(multiCreateOpOf(create(OpCode.create, CreateFlags.Container))).toBe(OpCode.createContainer);
    expect(multiCreateOpOf(createTtl(CreateFlags.Container))).toBe(OpCode.createContainer);
  });

  it('createContainer and createTTL without their flags run as create (observed: result type 1)', () => {
    expect(multiCreateOpOf(create(OpCode.createContainer, CreateFlags.Persistent))).toBe(OpCode.create);
    expect(multiCreateOpOf(createTtl(CreateFlags.Persistent))).toBe(OpCode.create);
  });

  it('an invalid flag counts as PERSISTENT, so the op is create (prep then says BADARGUMENTS)', () => {
    expect(multiCreateOpOf(create(OpCode.create, 9))).toBe(OpCode.create);
    expect(multiCreateOpOf(createTtl(-1))).toBe(OpCode.create);
  });

  it('TTL flags need the createTTL record; on a CreateRequest 3.8.0 fails the multi (null)', () => {
    expect(multiCreateOpOf(createTtl(CreateFlags.PersistentWithTtl))).toBe(OpCode.createTTL);
    expect(multiCreateOpOf(createTtl(CreateFlags.PersistentSequentialWithTtl))).toBe(OpCode.createTTL);
    expect(multiCreateOpOf(create(OpCode.create, CreateFlags.PersistentWithTtl))).toBeNull();
    expect(multiCreateOpOf(create(OpCode.create2, CreateFlags.PersistentSequentialWithTtl))).toBeNull();
  });
});

describe('multi replies copied from ZooKeeper 3.8.0', () => {
  it('a create with flags 9 fails alone: [(-1, -8)]', () => {
    const body = bytes(`FF FF FF FF 00 FF FF FF F8 FF FF FF F8  ${MULTI_END}`);
    const res: Response = { kind: 'multi', results: [{ kind: 'error', err: ErrorCode.BadArguments }] };
    expect(unwrap(decodeResponse(OpCode.multi, body))).toEqual(res);
    expect(responseBody(res)).toEqual(body);
  });

  it('create2 of /m2 inside a multi answers a create result (type 1)', () => {
    const body = bytes(`00 00 00 01 00 00 00 00 00  00 00 00 03 2F 6D 32  ${MULTI_END}`);
    const res: Response = { kind: 'multi', results: [{ kind: 'create', path: '/m2' }] };
    expect(unwrap(decodeResponse(OpCode.multi, body))).toEqual(res);
    expect(responseBody(res)).toEqual(body);
  });

  it('a container create of /m3 inside a multi answers a create2 result (type 15) with its Stat', () => {
    const stat =
      '00 00 00 00 00 00 00 05  00 00 00 00 00 00 00 05  00 00 01 A2 07 F5 B4 F3  00 00 01 A2 07 F5 B4 F3' +
      '  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00  00 00 00 00' +
      '  00 00 00 00 00 00 00 05';
    const body = bytes(`00 00 00 0F 00 00 00 00 00  00 00 00 03 2F 6D 33  ${stat}  ${MULTI_END}`);
    const res: Response = {
      kind: 'multi',
      results: [
        {
          kind: 'create2',
          path: '/m3',
          stat: {
            czxid: 5n,
            mzxid: 5n,
            ctime: 0x1a207f5b4f3n,
            mtime: 0x1a207f5b4f3n,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeralOwner: 0n,
            dataLength: 0,
            numChildren: 0,
            pzxid: 5n,
          },
        },
      ],
    };
    expect(unwrap(decodeResponse(OpCode.multi, body))).toEqual(res);
    expect(responseBody(res)).toEqual(body);
  });

  it('a failed check stops the rest: [(-1, -101), (-1, -2)]', () => {
    const body = bytes(`FF FF FF FF 00 FF FF FF 9B FF FF FF 9B  FF FF FF FF 00 FF FF FF FE FF FF FF FE  ${MULTI_END}`);
    expect(unwrap(decodeResponse(OpCode.multi, body))).toEqual({
      kind: 'multi',
      results: [
        { kind: 'error', err: ErrorCode.NoNode },
        { kind: 'error', err: ErrorCode.RuntimeInconsistency },
      ],
    });
  });

  it('an empty multi answers the terminator alone', () => {
    expect(unwrap(decodeRequest(OpCode.multi, bytes(MULTI_END)))).toEqual({ op: OpCode.multi, ops: [] });
    expect(responseBody({ kind: 'multi', results: [] })).toEqual(bytes(MULTI_END));
  });
});

describe('other bodies as ZooKeeper 3.8.0 treats them', () => {
  it('getData with 4 trailing bytes is served', () => {
    expect(unwrap(decodeRequest(OpCode.getData, bytes('00 00 00 02 2F 70 00 00 00 30 39')))).toEqual({
      op: OpCode.getData,
      path: '/p',
      watch: false,
    });
  });

  it('getData and exists without their watch byte are MarshallingErrors', () => {
    expect(codeOf(decodeRequest(OpCode.getData, bytes('00 00 00 02 2F 70')))).toBe(ErrorCode.MarshallingError);
    expect(codeOf(decodeRequest(OpCode.exists, bytes('00 00 00 02 2F 70')))).toBe(ErrorCode.MarshallingError);
  });

  it('a create whose path length is -2 is a MarshallingError', () => {
    expect(codeOf(decodeRequest(OpCode.create, bytes('FF FF FF FE')))).toBe(ErrorCode.MarshallingError);
  });

  it('removeWatches with WatcherType 9 is a MarshallingError', () => {
    const body = requestBody({ op: OpCode.removeWatches, path: '/p', type: 9 });
    expect(codeOf(decodeRequest(OpCode.removeWatches, body))).toBe(ErrorCode.MarshallingError);
  });

  it('deleteContainer with a null path decodes to "" (3.8.0 answers BADARGUMENTS)', () => {
    expect(unwrap(decodeRequest(OpCode.deleteContainer, bytes('FF FF FF FF')))).toEqual({ op: OpCode.deleteContainer, path: '' });
  });

  it('a standalone check (op 13) decodes: 3.8.0 processes it (observed BADVERSION)', () => {
    expect(unwrap(decodeRequest(OpCode.check, bytes('00 00 00 02 2F 72 00 00 00 05')))).toEqual({
      op: OpCode.check,
      path: '/r',
      version: 5,
    });
  });

  it('a null path is a MarshallingError where 3.8.0 answers MARSHALLINGERROR for it', () => {
    const nullPath = 'FF FF FF FF';
    const cases: [number, string][] = [
      [OpCode.create, `${nullPath} FF FF FF FF ${ACL_OPEN} 00 00 00 00`],
      [OpCode.delete, `${nullPath} FF FF FF FF`],
      [OpCode.exists, `${nullPath} 00`],
      [OpCode.getData, `${nullPath} 00`],
      [OpCode.getChildren, `${nullPath} 00`],
      [OpCode.getChildren2, `${nullPath} 00`],
      [OpCode.getACL, nullPath],
      [OpCode.getAllChildrenNumber, nullPath],
      [OpCode.checkWatches, `${nullPath} 00 00 00 01`],
      [OpCode.multi, `00 00 00 0D 00 FF FF FF FF ${nullPath} FF FF FF FF ${MULTI_END}`],
      [OpCode.multiRead, `00 00 00 04 00 FF FF FF FF ${nullPath} 00 ${MULTI_END}`],
      [OpCode.setWatches, `00 00 00 00 00 00 00 00 00 00 00 01 ${nullPath} 00 00 00 00 00 00 00 00`],
    ];
    for (const [op, body] of cases) expect(codeOf(decodeRequest(op, bytes(body))), `op ${op}`).toBe(ErrorCode.MarshallingError);
  });

  it('a null path reads as "" where 3.8.0 answers as for "" (BADARGUMENTS, NOWATCHER or OK)', () => {
    const nullPath = 'FF FF FF FF';
    expect(unwrap(decodeRequest(OpCode.setData, bytes(`${nullPath} 00 00 00 01 78 FF FF FF FF`)))).toMatchObject({ path: '' });
    expect(unwrap(decodeRequest(OpCode.setACL, bytes(`${nullPath} ${ACL_OPEN} FF FF FF FF`)))).toMatchObject({ path: '' });
    expect(unwrap(decodeRequest(OpCode.check, bytes(`${nullPath} FF FF FF FF`)))).toMatchObject({ path: '' });
    expect(unwrap(decodeRequest(OpCode.removeWatches, bytes(`${nullPath} 00 00 00 01`)))).toMatchObject({ path: '' });
    expect(unwrap(decodeRequest(OpCode.addWatch, bytes(`${nullPath} 00 00 00 00`)))).toMatchObject({ path: '' });
    expect(unwrap(decodeRequest(OpCode.sync, bytes(nullPath)))).toEqual({ op: OpCode.sync, path: '' });
    expect(unwrap(decodeRequest(OpCode.getEphemerals, bytes(nullPath)))).toEqual({ op: OpCode.getEphemerals, prefixPath: null });
  });
});
