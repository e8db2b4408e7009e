import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type ConsensusMessage } from '../../../server/consensus/index.js';

const zxid = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
const epoch = fc.integer({ min: 0, max: 0x7fff_ffff });
const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const bytes = fc.uint8Array({ maxLength: 40 });
const entry = fc.record({ zxid, data: bytes });
const vote = fc.record({ leader: int32, zxid, epoch });

const message: fc.Arbitrary<ConsensusMessage> = fc.oneof(
  fc.record({
    type: fc.constant('vote' as const),
    round: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    state: fc.constantFrom('looking' as const, 'following' as const, 'leading' as const, 'observing' as const),
    vote,
  }),
  fc.record({ type: fc.constant('learnerInfo' as const), session: int32, acceptedEpoch: epoch, acceptedLeader: int32, isObserver: fc.boolean() }),
  fc.record({ type: fc.constant('leaderInfo' as const), session: int32, epoch }),
  fc.record({ type: fc.constant('ackEpoch' as const), session: int32, epoch, currentEpoch: epoch, lastZxid: zxid }),
  fc.record({
    type: fc.constant('sync' as const),
    session: int32,
    epoch,
    mode: fc.constantFrom('diff' as const, 'trunc' as const, 'snap' as const),
    truncateAfter: zxid,
    snapshot: fc.option(fc.record({ zxid, data: bytes }), { nil: null }),
    entries: fc.array(entry, { maxLength: 4 }),
    commitZxid: zxid,
  }),
  fc.record({ type: fc.constant('ackNewLeader' as const), session: int32, epoch, zxid }),
  fc.record({ type: fc.constant('upToDate' as const), session: int32, epoch, commitZxid: zxid }),
  fc.record({ type: fc.constant('proposal' as const), epoch, prevZxid: zxid, entry }),
  fc.record({ type: fc.constant('ack' as const), session: int32, epoch, zxid, data: fc.option(bytes, { nil: null }) }),
  fc.record({ type: fc.constant('commit' as const), epoch, zxid }),
  fc.record({ type: fc.constant('inform' as const), epoch, prevZxid: zxid, entries: fc.array(entry, { maxLength: 4 }), commitZxid: zxid }),
  fc.record({ type: fc.constant('ping' as const), session: int32, epoch, commitZxid: zxid }),
  fc.record({ type: fc.constant('request' as const), origin: bytes, data: bytes }),
  fc.record({ type: fc.constant('syncRequest' as const), origin: bytes }),
  fc.record({ type: fc.constant('syncReply' as const), epoch, origin: bytes, zxid }),
);

/** Compares with Uint8Arrays as plain byte lists (decoded buffers are copies). */
function normalize(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)),
  );
}

describe('consensus message codec', () => {
  it('decode(encode(m)) = m for every message', () => {
    fc.assert(
      fc.property(message, (m) => {
        const decoded = decodeMessage(encodeMessage(m));
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(normalize(decoded.message)).toEqual(normalize(m));
      }),
      { numRuns: 2000, seed: 4242 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const decoded = decodeMessage(input);
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 3000, seed: 4243 },
    );
  });

  it('refuses every proper prefix of an encoding and any trailing byte', () => {
    fc.assert(
      fc.property(message, (m) => {
        const encoded = encodeMessage(m);
        for (let cut = 0; cut < encoded.length; cut++) expect(decodeMessage(encoded.subarray(0, cut)).ok).toBe(false);
        const longer = new Uint8Array(encoded.length + 1);
        longer.set(encoded);
        expect(decodeMessage(longer).ok).toBe(false);
      }),
      { numRuns: 300, seed: 4244 },
    );
  });

  it('refuses an unknown type tag and negative zxids', () => {
    expect(decodeMessage(Uint8Array.of(0, 0, 0, 99)).ok).toBe(false);
    const commit = encodeMessage({ type: 'commit', epoch: 1, zxid: 5n });
    commit.set([0xff], 8);
    const decoded = decodeMessage(commit);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain('negative zxid');
  });
});
