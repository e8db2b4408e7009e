// fast-check arbitraries for every record of protocol/records.ts.
import fc from 'fast-check';
import { OpCode } from '../../../protocol/index.js';
import type {
  Acl,
  ConnectRequest,
  ConnectResponse,
  MultiOp,
  MultiResult,
  Request,
  Response,
  Stat,
  WatcherEvent,
} from '../../../protocol/index.js';

export const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
export const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Any sequence of Unicode code points (no lone surrogates: UTF-8 cannot carry them). */
export const text = fc.string({ unit: 'binary', maxLength: 12 });
export const nullableText = fc.option(text, { nil: null });
export const data = fc.option(fc.uint8Array({ maxLength: 24 }), { nil: null });
const texts = fc.array(text, { maxLength: 4 });

export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64,
  mzxid: int64,
  ctime: int64,
  mtime: int64,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});

export const acl: fc.Arbitrary<Acl> = fc.record({ perms: int32, id: fc.record({ scheme: text, id: text }) });
const acls = fc.array(acl, { maxLength: 3 });

const createOp = (flags: fc.Arbitrary<number>) =>
  fc.oneof(
    fc.record({
      op: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer),
      path: text,
      data,
      acl: acls,
      flags,
    }),
    fc.record({ op: fc.constant(OpCode.createTTL), path: text, data, acl: acls, flags, ttl: int64 }),
  );

const versioned = fc.record({ op: fc.constantFrom(OpCode.delete, OpCode.check), path: text, version: int32 });
const setData = fc.record({ op: fc.constant(OpCode.setData), path: text, data, version: int32 });

/** Write sub-ops of a multi; any create flags decode (3.8 refuses bad ones per op, in prep). */
const writeMultiOp: fc.Arbitrary<MultiOp> = fc.oneof(createOp(int32), versioned, setData);

/** Read sub-ops of a multiRead; ZooKeeper drops their watch flag, so only false round-trips. */
const readMultiOp: fc.Arbitrary<MultiOp> = fc.record({
  op: fc.constantFrom(OpCode.getData, OpCode.getChildren),
  path: text,
  watch: fc.constant(false),
});

const multi: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ op: fc.constant(OpCode.multi), ops: fc.array(writeMultiOp, { maxLength: 4 }) }),
  fc.record({ op: fc.constant(OpCode.multiRead), ops: fc.array(readMultiOp, { maxLength: 4 }) }),
);

const setWatches: fc.Arbitrary<Request> = fc.oneof(
  fc.record({
    op: fc.constant(OpCode.setWatches),
    relativeZxid: int64,
    dataWatches: texts,
    existWatches: texts,
    childWatches: texts,
    persistentWatches: fc.constant([]),
    persistentRecursiveWatches: fc.constant([]),
  }),
  fc.record({
    op: fc.constant(OpCode.setWatches2),
    relativeZxid: int64,
    dataWatches: texts,
    existWatches: texts,
    childWatches: texts,
    persistentWatches: texts,
    persistentRecursiveWatches: texts,
  }),
);

/** Every request kind, limited to values that ZooKeeper 3.8 can decode. */
export const request: fc.Arbitrary<Request> = fc.oneof(
  createOp(int32),
  versioned,
  setData,
  fc.record({ op: fc.constant(OpCode.deleteContainer), path: text }),
  fc.record({
    op: fc.constantFrom(OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2),
    path: text,
    watch: fc.boolean(),
  }),
  fc.record({ op: fc.constantFrom(OpCode.getACL, OpCode.sync, OpCode.getAllChildrenNumber), path: text }),
  fc.record({ op: fc.constant(OpCode.setACL), path: text, acl: acls, version: int32 }),
  multi,
  fc.record({
    op: fc.constant(OpCode.reconfig),
    joiningServers: nullableText,
    leavingServers: nullableText,
    newMembers: nullableText,
    curConfigId: int64,
  }),
  fc.record({
    op: fc.constantFrom(OpCode.checkWatches, OpCode.removeWatches),
    path: text,
    type: fc.constantFrom(1, 2, 3),
  }),
  fc.record({ op: fc.constant(OpCode.addWatch), path: text, mode: int32 }),
  fc.record({ op: fc.constant(OpCode.auth), type: int32, scheme: text, auth: data }),
  setWatches,
  fc.record({ op: fc.constant(OpCode.sasl), token: data }),
  fc.record({ op: fc.constant(OpCode.getEphemerals), prefixPath: nullableText }),
  fc.record({ op: fc.constantFrom(OpCode.ping, OpCode.closeSession, OpCode.whoAmI) }),
);

export const multiResult: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ kind: fc.constant('error' as const), err: int32 }),
  fc.record({ kind: fc.constant('create' as const), path: text }),
  fc.record({ kind: fc.constant('create2' as const), path: text, stat }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'check' as const) }),
  fc.record({ kind: fc.constant('setData' as const), stat }),
  fc.record({ kind: fc.constant('getChildren' as const), children: texts }),
  fc.record({ kind: fc.constant('getData' as const), data, stat }),
);

/** A response together with an opcode whose reply carries that record. */
export const opAndResponse: fc.Arbitrary<{ op: number; res: Response }> = fc.oneof(
  fc.record({ op: fc.constantFrom(2, 11, 13, 17, 18, 20, 100, 101, 105, -11), res: fc.constant({ kind: 'empty' as const }) }),
  fc.record({ op: fc.constant(1), res: fc.record({ kind: fc.constant('create' as const), path: text }) }),
  fc.record({
    op: fc.constantFrom(15, 19, 21),
    res: fc.record({ kind: fc.constant('create2' as const), path: text, stat }),
  }),
  fc.record({ op: fc.constantFrom(3, 5, 7), res: fc.record({ kind: fc.constant('stat' as const), stat }) }),
  fc.record({ op: fc.constantFrom(4, 16), res: fc.record({ kind: fc.constant('getData' as const), data, stat }) }),
  fc.record({ op: fc.constant(6), res: fc.record({ kind: fc.constant('getACL' as const), acl: acls, stat }) }),
  fc.record({ op: fc.constant(8), res: fc.record({ kind: fc.constant('getChildren' as const), children: texts }) }),
  fc.record({
    op: fc.constant(12),
    res: fc.record({ kind: fc.constant('getChildren2' as const), children: texts, stat }),
  }),
  fc.record({ op: fc.constant(9), res: fc.record({ kind: fc.constant('path' as const), path: text }) }),
  fc.record({
    op: fc.constantFrom(14, 22),
    res: fc.record({ kind: fc.constant('multi' as const), results: fc.array(multiResult, { maxLength: 4 }) }),
  }),
  fc.record({ op: fc.constant(106), res: fc.record({ kind: fc.constant('errorResponse' as const), err: int32 }) }),
  fc.record({ op: fc.constant(103), res: fc.record({ kind: fc.constant('ephemerals' as const), ephemerals: texts }) }),
  fc.record({
    op: fc.constant(104),
    res: fc.record({ kind: fc.constant('allChildrenNumber' as const), totalNumber: int32 }),
  }),
  fc.record({
    op: fc.constant(107),
    res: fc.record({
      kind: fc.constant('whoAmI' as const),
      clientInfo: fc.array(fc.record({ authScheme: text, user: text }), { maxLength: 3 }),
    }),
  }),
  fc.record({ op: fc.constant(102), res: fc.record({ kind: fc.constant('sasl' as const), token: data }) }),
);

const readOnly = fc.option(fc.boolean(), { nil: null });

export const connectRequest: fc.Arbitrary<ConnectRequest> = fc.record({
  protocolVersion: int32,
  lastZxidSeen: int64,
  timeOut: int32,
  sessionId: int64,
  passwd: data,
  readOnly,
});

export const connectResponse: fc.Arbitrary<ConnectResponse> = fc.record({
  protocolVersion: int32,
  timeOut: int32,
  sessionId: int64,
  passwd: data,
  readOnly,
});

export const watcherEvent: fc.Arbitrary<WatcherEvent> = fc.record({ type: int32, state: int32, path: text });
