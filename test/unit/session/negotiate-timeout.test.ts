import { describe, expect, it } from 'vitest';
import { negotiateTimeout } from '../../../server/session/index.js';

describe('negotiateTimeout', () => {
  it('clamps like ZooKeeper with tickTime 2000: 1000 -> 4000, 100000 -> 40000 (reference §2.3)', () => {
    expect(negotiateTimeout(1000, 4000, 40000)).toBe(4000);
    expect(negotiateTimeout(100_000, 4000, 40000)).toBe(40000);
  });

  it('keeps a timeout inside the range, bounds included', () => {
    expect(negotiateTimeout(30_000, 4000, 40000)).toBe(30_000);
    expect(negotiateTimeout(4000, 4000, 40000)).toBe(4000);
    expect(negotiateTimeout(40000, 4000, 40000)).toBe(40000);
  });

  it('raises zero and negative requests to the minimum', () => {
    expect(negotiateTimeout(0, 4000, 40000)).toBe(4000);
    expect(negotiateTimeout(-5, 4000, 40000)).toBe(4000);
  });
});
