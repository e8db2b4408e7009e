import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, bucketTop, LatencyHistogram } from '../../../bench/histogram.js';

/** The exact quantile of a sample: the smallest value with at least q of the samples at or below it. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe('LatencyHistogram', () => {
  it('reports every quantile within 1 % of the exact sorted-sample quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999, 1),
        (values, q) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          const exact = exactQuantile([...values].sort((a, b) => a - b), q);
          const got = h.quantileUs(q);
          expect(got).toBeGreaterThanOrEqual(exact);
          expect(got).toBeLessThanOrEqual(Math.max(exact + 1, exact * 1.01));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('keeps values below 256 µs exact', () => {
    const h = new LatencyHistogram();
    for (let v = 0; v < 100; v++) h.record(v);
    expect(h.summary()).toMatchObject({ count: 100, minUs: 0, maxUs: 99, p50Us: 49, p90Us: 89, p99Us: 98 });
  });

  it('puts every value into a bucket whose top is at least the value and within 1 %', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (v) => {
        const top = bucketTop(bucketOf(v));
        expect(top).toBeGreaterThanOrEqual(v);
        expect(top - v).toBeLessThanOrEqual(Math.max(1, v / 100));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('merging two histograms equals recording both samples in one', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const both = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) {
      const v = (i * 7919) % 100_003;
      (i % 2 === 0 ? a : b).record(v);
      both.record(v);
    }
    a.merge(b);
    expect(a.summary()).toEqual(both.summary());
  });

  it('summarises an empty histogram as zeros', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0, minUs: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0,
    });
  });
});
