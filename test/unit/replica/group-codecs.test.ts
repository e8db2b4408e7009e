/**
 * The replica's ensemble encodings: write intents forwarded to the leader, session touches on
 * pings, and the state image of a SNAP sync all decode to what was encoded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpCode, type Request } from '../../../protocol/index.js';
import { decodeTouches, encodeTouches } from '../../../server/replica/group-link.js';
import { decodeStateImage, encodeStateImage } from '../../../server/replica/state-image.js';
import { decodeWriteIntent, encodeWriteIntent, type WriteIntent } from '../../../server/replica/write-intent.js';
import { DataTree } from '../../../server/tree/index.js';
import { apply, PendingChanges, prep } from '../../../server/txn/index.js';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe('write intents', () => {
  it('round-trip requests with their auth context, session creations and undecodable writes', () => {
    const request = fc.oneof(
      fc.record({ op: fc.constant(OpCode.delete), path: fc.constant('/a/b'), version: fc.integer({ min: -1, max: 1000 }) }),
      fc.record({
        op: fc.constant(OpCode.setData),
        path: fc.constant('/x'),
        data: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
        version: fc.integer({ min: -1, max: 9 }),
      }),
      fc.constant({ op: OpCode.closeSession }),
    ) as fc.Arbitrary<Request>;
    const intent: fc.Arbitrary<WriteIntent> = fc.oneof(
      fc.record({
        kind: fc.constant('request' as const),
        requestId: int64,
        sessionId: int64,
        cxid: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        request,
        authIds: fc.array(fc.record({ scheme: fc.constantFrom('ip', 'digest'), id: fc.string() }), { maxLength: 3 }),
        isSuper: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('createSession' as const), requestId: int64, sessionId: int64, timeoutMs: fc.nat() }),
      fc.record({
        kind: fc.constant('undecodable' as const),
        requestId: int64,
        sessionId: int64,
        cxid: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        op: fc.constantFrom(OpCode.create, OpCode.multi, OpCode.setACL),
      }),
    );
    fc.assert(
      fc.property(intent, (value) => {
        expect(decodeWriteIntent(encodeWriteIntent(value))).toEqual(value);
      }),
    );
  });
});

describe('session touches', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(fc.uniqueArray(int64), (ids) => {
        expect(decodeTouches(encodeTouches(new Set(ids)))).toEqual(ids);
      }),
    );
  });
});

describe('state image', () => {
  it('rebuilds the same tree (digest) and sessions', () => {
    const tree = new DataTree();
    const pending = new PendingChanges();
    for (let i = 1; i <= 50; i++) {
      const header = { sessionId: 0n, cxid: i, zxid: BigInt(i), timeMs: 1_000 + i };
      const txn = prep(
        { op: OpCode.create, path: `/n${i}`, data: new Uint8Array([i]), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 },
        { tree, pending, header, authIds: [], isSuper: true, extendedTypesEnabled: false, skipAcl: false },
      );
      pending.add(txn);
      apply(txn, tree);
      pending.applied(txn.header.zxid);
    }
    const sessions = [{ sessionId: 0x0100000000000001n, timeoutMs: 30_000 }];
    const image = decodeStateImage(encodeStateImage(sessions, tree, 50n));
    expect(image.tree.digest()).toBe(tree.digest());
    expect(image.tree.nodeCount).toBe(tree.nodeCount);
    expect(image.sessions).toEqual(sessions);
  });
});
