import { describe, expect, it } from 'vitest';
import { ConsensusLog } from '../../../server/consensus/consensus-log.js';
import { makeZxid, nextZxid, zxidCounter, zxidEpoch } from '../../../server/consensus/index.js';
import { AssertionError } from '../../../util/assert.js';

const epochs = { acceptedEpoch: 1, acceptedLeader: 1, currentEpoch: 1 };
const z = (counter: number, epoch = 1): bigint => makeZxid(epoch, counter);
const entry = (zxid: bigint): { zxid: bigint; data: Uint8Array } => ({ zxid, data: Uint8Array.of(Number(zxid & 0xffn)) });

function logWith(count: number): ConsensusLog {
  const log = new ConsensusLog({ floorZxid: 0n, entries: [], epochs });
  for (let i = 1; i <= count; i++) log.append(entry(z(i)));
  return log;
}

describe('zxid', () => {
  it('splits into epoch and counter, and a new epoch restarts the counter at 1', () => {
    const zxid = makeZxid(3, 7);
    expect(zxid).toBe(0x3_0000_0007n);
    expect([zxidEpoch(zxid), zxidCounter(zxid)]).toEqual([3, 7]);
    expect(nextZxid(zxid, 3)).toBe(makeZxid(3, 8));
    expect(nextZxid(zxid, 4)).toBe(makeZxid(4, 1));
  });
});

describe('ConsensusLog', () => {
  it('makes a batch durable only when the shell reports its seq', () => {
    const log = logWith(3);
    const batch = log.peekBatch();
    expect(batch?.entries.map((e) => e.zxid)).toEqual([z(1), z(2), z(3)]);
    log.takeBatch();
    expect(log.durableZxid).toBe(0n);
    expect(log.isAllDurable).toBe(false);
    log.persisted(batch?.seq ?? -1);
    expect(log.durableZxid).toBe(z(3));
    expect(log.isAllDurable).toBe(true);
  });

  it('a truncate voids what an in-flight batch would have made durable beyond it', () => {
    const log = logWith(5);
    const first = log.peekBatch()?.seq ?? -1;
    log.takeBatch();
    log.truncateAfter(z(2));
    log.append(entry(makeZxid(2, 1)));
    expect(log.peekBatch()?.truncateAfter).toBe(z(2));
    log.takeBatch();
    log.persisted(first);
    expect(log.durableZxid).toBe(z(2));
    log.persisted(first + 1);
    expect(log.durableZxid).toBe(makeZxid(2, 1));
  });

  it('a snapshot replaces the log and becomes its floor', () => {
    const log = logWith(2);
    log.takeBatch();
    log.installSnapshot({ zxid: z(9), data: Uint8Array.of(1) });
    log.append(entry(z(10)));
    expect(log.floorZxid).toBe(z(9));
    expect(log.has(z(9))).toBe(true);
    expect(log.has(z(2))).toBe(false);
    expect(log.peekBatch()?.snapshot?.zxid).toBe(z(9));
  });

  it('finds the last point at or before a zxid, and null below the floor', () => {
    const log = logWith(4);
    log.append(entry(makeZxid(3, 1)));
    expect(log.pointAtOrBefore(makeZxid(2, 5))).toBe(z(4));
    expect(log.pointAtOrBefore(z(2))).toBe(z(2));
    log.trim(z(3), 1);
    expect(log.floorZxid).toBe(z(3));
    expect(log.pointAtOrBefore(z(1))).toBeNull();
    expect(log.entriesAfter(z(3)).map((e) => e.zxid)).toEqual([z(4), makeZxid(3, 1)]);
  });

  it('asserts contiguity within an epoch and increasing zxids', () => {
    const log = logWith(2);
    expect(() => log.append(entry(z(4)))).toThrow(AssertionError);
    expect(() => log.append(entry(z(2)))).toThrow(AssertionError);
  });

  it('asserts that an epoch is promised to one leader only and epochs never decrease', () => {
    const log = logWith(0);
    expect(() => log.setEpochs({ ...epochs, acceptedLeader: 2 })).toThrow(AssertionError);
    expect(() => log.setEpochs({ ...epochs, acceptedEpoch: 0, currentEpoch: 0 })).toThrow(AssertionError);
    log.setEpochs({ acceptedEpoch: 2, acceptedLeader: 2, currentEpoch: 1 });
    expect(log.epochs.acceptedLeader).toBe(2);
  });
});
