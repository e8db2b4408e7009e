/**
 * Vitest setup file: property tests run from one fixed seed, so a CI run is deterministic and a
 * failure replays. `FC_SEED=<n> npm test` explores another seed; fast-check prints the seed and
 * path of any failure, which replay it exactly (`fc.assert(..., { seed, path })`).
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20_261_123;

const raw = process.env['FC_SEED'];
const seed = raw === undefined || raw === '' ? DEFAULT_SEED : Number(raw);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, not ${JSON.stringify(raw)}`);
fc.configureGlobal({ seed });
