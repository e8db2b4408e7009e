import { describe, expect, it } from 'vitest';
import { SessionIdGenerator, initialSessionId } from '../../../server/session/index.js';

describe('initialSessionId', () => {
  it('reproduces the observed standalone seed 0x010000370ca40000 (sid 1, clock 0x370ca4)', () => {
    expect(initialSessionId(1, 0x370ca4)).toBe(0x010000370ca40000n);
  });

  it('keeps only 40 bits of the clock: byte 0 is the server id, bytes 6-7 are zero', () => {
    const id = initialSessionId(3, 0x1def123456789);
    expect(BigInt.asUintN(64, id) >> 56n).toBe(3n);
    expect(id & 0xffffn).toBe(0n);
    expect((BigInt.asUintN(64, id) >> 16n) & 0xffffffffffn).toBe(0xf123456789n);
  });

  it('returns the signed i64 form for server ids of 128 and above, as Java longs are', () => {
    const id = initialSessionId(200, 0x10);
    expect(id).toBe(BigInt.asIntN(64, (200n << 56n) | (0x10n << 16n)));
    expect(id < 0n).toBe(true);
  });

  it('skips the container marker 0x8000000000000000 (SessionTrackerImpl.initializeNextSessionId)', () => {
    expect(initialSessionId(128, 0)).toBe(BigInt.asIntN(64, 0x8000000000000001n));
  });

  it('refuses server ids outside 1..255', () => {
    expect(() => initialSessionId(0, 1)).toThrow(/serverId/);
    expect(() => initialSessionId(256, 1)).toThrow(/serverId/);
  });
});

describe('SessionIdGenerator', () => {
  it('counts up by one from the seed', () => {
    const gen = new SessionIdGenerator(1, 0x370ca4);
    expect(gen.next()).toBe(0x010000370ca40000n);
    expect(gen.next()).toBe(0x010000370ca40001n);
    expect(gen.next()).toBe(0x010000370ca40002n);
  });

  it('never hands out 0 or the container marker when the counter crosses them', () => {
    const beforeMarker = new SessionIdGenerator(127, 0xffffffffff);
    const ids = Array.from({ length: 70_000 }, () => beforeMarker.next());
    expect(ids).not.toContain(BigInt.asIntN(64, 0x8000000000000000n));
    expect(ids).toContain(BigInt.asIntN(64, 0x8000000000000001n));
    expect(new Set(ids).size).toBe(ids.length);
    const beforeZero = new SessionIdGenerator(255, 0xffffffffff);
    const wrapped = Array.from({ length: 70_000 }, () => beforeZero.next());
    expect(wrapped).not.toContain(0n);
    expect(wrapped).toContain(1n);
  });
});
