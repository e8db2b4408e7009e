import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Acl } from '../../../protocol/records.js';
import { decodeTxn, encodeTxn, TxnDecodeError, type MultiSubTxn, type Txn, type TxnBody } from '../../../server/txn/index.js';

const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const path = fc.string({ maxLength: 20 }).map((s) => `/${s}`);
const data = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
const acl: fc.Arbitrary<Acl[]> = fc.array(
  fc.record({ perms: int32, id: fc.record({ scheme: fc.string({ maxLength: 8 }), id: fc.string({ maxLength: 16 }) }) }),
  { maxLength: 3 },
);

const sub: fc.Arbitrary<MultiSubTxn> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), path, data, acl, ephemeralOwner: i64, parentCVersion: int32 }),
  fc.record({ kind: fc.constant('delete' as const), path }),
  fc.record({ kind: fc.constant('setData' as const), path, data, version: int32 }),
  fc.record({ kind: fc.constant('check' as const), path, version: int32 }),
  fc.record({ kind: fc.constant('error' as const), err: int32 }),
);

const body: fc.Arbitrary<TxnBody> = fc.oneof(
  sub,
  fc.record({ kind: fc.constant('createSession' as const), timeoutMs: int32 }),
  fc.record({ kind: fc.constant('closeSession' as const), paths: fc.array(path, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('setACL' as const), path, acl, aversion: int32 }),
  fc.record({ kind: fc.constant('deleteContainer' as const), path }),
  fc.record({ kind: fc.constant('multi' as const), txns: fc.array(sub, { maxLength: 4 }) }),
);

const txn: fc.Arbitrary<Txn> = fc
  .tuple(
    body,
    fc.record({
      sessionId: i64,
      cxid: int32,
      zxid: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
      timeMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    }),
  )
  .map(([b, header]) => ({ ...b, header }));

describe('encodeTxn / decodeTxn', () => {
  it('round-trips every txn', () => {
    fc.assert(
      fc.property(txn, (t) => {
        expect(decodeTxn(encodeTxn(t))).toEqual(t);
      }),
    );
  });

  it('throws TxnDecodeError, never anything else, on truncated, extended or arbitrary bytes', () => {
    fc.assert(
      fc.property(txn, fc.nat(), (t, cut) => {
        const bytes = encodeTxn(t);
        const truncated = bytes.subarray(0, cut % bytes.length);
        expect(() => decodeTxn(truncated)).toThrow(TxnDecodeError);
        const extended = new Uint8Array(bytes.length + 1);
        extended.set(bytes);
        expect(() => decodeTxn(extended)).toThrow(TxnDecodeError);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeTxn(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(TxnDecodeError);
        }
      }),
    );
  });
});
