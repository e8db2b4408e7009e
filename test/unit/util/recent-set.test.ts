import { describe, expect, it } from 'vitest';
import { RecentSet } from '../../../util/recent-set.js';

describe('RecentSet', () => {
  it('remembers the last `capacity` distinct values and forgets the oldest first', () => {
    const recent = new RecentSet<bigint>(3);
    expect([1n, 2n, 3n].map((v) => recent.add(v))).toEqual([true, true, true]);
    expect(recent.add(2n)).toBe(false);
    expect(recent.add(4n)).toBe(true);
    expect(recent.size).toBe(3);
    expect([1n, 2n, 3n, 4n].map((v) => recent.has(v))).toEqual([false, true, true, true]);
    // A value forgotten can be added again, and then evicts the next oldest.
    expect(recent.add(1n)).toBe(true);
    expect([1n, 2n, 3n, 4n].map((v) => recent.has(v))).toEqual([true, false, true, true]);
  });

  it('keeps its size bounded over many adds', () => {
    const recent = new RecentSet<number>(1_000);
    for (let i = 0; i < 50_000; i++) recent.add(i);
    expect(recent.size).toBe(1_000);
    expect(recent.has(49_000)).toBe(true);
    expect(recent.has(48_999)).toBe(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentSet(0)).toThrow(RangeError);
    expect(() => new RecentSet(1.5)).toThrow(RangeError);
  });
});
