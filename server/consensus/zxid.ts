/**
 * zxid arithmetic (reference §11): the epoch in the high 32 bits, a counter in the low 32 bits.
 */
import { assert } from '../../util/assert.js';

const COUNTER_BITS = 32n;
const COUNTER_MASK = (1n << COUNTER_BITS) - 1n;

/** The zxid with the given epoch and counter. */
export function makeZxid(epoch: number, counter: number): bigint {
  assert(Number.isInteger(epoch) && epoch >= 0, 'an epoch is a non-negative integer');
  assert(Number.isInteger(counter) && counter >= 0, 'a zxid counter is a non-negative integer');
  return (BigInt(epoch) << COUNTER_BITS) | BigInt(counter);
}

/** The epoch half of a zxid. */
export function zxidEpoch(zxid: bigint): number {
  return Number(zxid >> COUNTER_BITS);
}

/** The counter half of a zxid. */
export function zxidCounter(zxid: bigint): number {
  return Number(zxid & COUNTER_MASK);
}

/**
 * The zxid a leader of `epoch` gives the txn after `last`: the next counter when `last` is in the
 * same epoch, else the epoch's first zxid (a new leader restarts the counter at 1).
 */
export function nextZxid(last: bigint, epoch: number): bigint {
  assert(zxidEpoch(last) <= epoch, 'a leader never follows a zxid of a later epoch');
  if (zxidEpoch(last) === epoch) {
    assert(zxidCounter(last) < 0xffff_ffff, 'the zxid counter of an epoch is exhausted');
    return last + 1n;
  }
  return makeZxid(epoch, 1);
}
