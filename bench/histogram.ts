/**
 * A log-linear latency histogram in the spirit of HdrHistogram: exact below 256 µs, then 128
 * sub-buckets per power of two, so every recorded value is reported within 1 % while memory
 * stays fixed (3,328 counters) however many samples a run records.
 */

/** Values below this many microseconds get one bucket each. */
const LINEAR_LIMIT = 256;
/** Sub-buckets per power of two above LINEAR_LIMIT (2^7: under 1 % relative error). */
const SUB_BUCKET_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
/** Largest exponent shift: values up to 2^31 µs (about 35 minutes) fit; larger ones are clamped. */
const MAX_SHIFT = 31 - SUB_BUCKET_BITS;
const BUCKET_COUNT = LINEAR_LIMIT + MAX_SHIFT * SUB_BUCKETS;
const MAX_VALUE = 2 ** 31 - 1;

/** The percentiles every report carries, as fractions. */
export const REPORTED_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

/** A histogram's summary in microseconds, as the reports print it. */
export interface LatencySummary {
  readonly count: number;
  readonly minUs: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
}

/** Records non-negative integer microsecond latencies and answers percentiles within 1 %. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Number of recorded values. */
  get count(): number {
    return this.#count;
  }

  /** Largest recorded value (exact), or 0 when empty. */
  get maxUs(): number {
    return this.#max;
  }

  /** Records one latency; negatives count as 0 and values past ~35 minutes are clamped. */
  record(valueUs: number): void {
    const v = Math.min(MAX_VALUE, Math.max(0, Math.round(valueUs)));
    const i = bucketOf(v);
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Adds every value recorded in `other` (to combine per-session histograms). */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) this.#counts[i] = (this.#counts[i] ?? 0) + (other.#counts[i] ?? 0);
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /**
   * The smallest value v such that at least `q` of the samples are <= v, reported as the top
   * of its bucket (as HdrHistogram's highestEquivalentValue) but never above the exact max.
   */
  quantileUs(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, bucketTop(i)));
    }
    return this.#max;
  }

  /** Count, min, mean, p50, p90, p99, p99.9 and max in microseconds. */
  summary(): LatencySummary {
    const empty = this.#count === 0;
    return {
      count: this.#count,
      minUs: empty ? 0 : this.#min,
      meanUs: empty ? 0 : Math.round(this.#sum / this.#count),
      p50Us: this.quantileUs(0.5),
      p90Us: this.quantileUs(0.9),
      p99Us: this.quantileUs(0.99),
      p999Us: this.quantileUs(0.999),
      maxUs: this.#max,
    };
  }
}

/** The bucket index of a clamped, non-negative integer value. */
export function bucketOf(v: number): number {
  if (v < LINEAR_LIMIT) return v;
  const shift = 31 - Math.clz32(v) - SUB_BUCKET_BITS;
  const mantissa = v >>> shift; // in [SUB_BUCKETS, 2 * SUB_BUCKETS)
  return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + (mantissa - SUB_BUCKETS);
}

/** The largest value that falls into bucket `i`. */
export function bucketTop(i: number): number {
  if (i < LINEAR_LIMIT) return i;
  const shift = Math.floor((i - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  const mantissa = ((i - LINEAR_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS;
  return (mantissa + 1) * 2 ** shift - 1;
}
