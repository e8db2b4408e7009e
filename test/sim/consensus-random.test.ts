/**
 * Random fault-injection runs over a range of seeds for 3- and 5-voter groups. CORRAL_SIM_SEEDS
 * sets how many seeds per group size (default 1000, about a minute); CORRAL_SEED replays one seed.
 */
import { describe, expect, it } from 'vitest';
import { randomRun } from './random-run.js';

const replaySeed = process.env['CORRAL_SEED'];
const seedCount = Number(process.env['CORRAL_SIM_SEEDS'] ?? 1000);
const seeds = replaySeed !== undefined ? [Number(replaySeed)] : Array.from({ length: seedCount }, (_, i) => i + 1);

describe.each([3, 5])('random faults, %i voters', (voters) => {
  it(`keeps every safety property and converges (${seeds.length} seeds)`, () => {
    for (const seed of seeds) {
      const summary = randomRun(seed, voters);
      expect(summary.applied).toBeGreaterThan(0);
    }
  });
});
