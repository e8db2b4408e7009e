import { describe, expect, it } from 'vitest';
import { formatTable, SCENARIOS, type ScenarioRun } from '../../../bench/compare.js';
import { type EnsembleScenarioRun, formatInterleavedTable } from '../../../bench/ensemble.js';
import { LatencyHistogram } from '../../../bench/histogram.js';
import { type LoadResult, parseServer } from '../../../bench/load.js';
import { memoryPath } from '../../../bench/memory.js';
import { ratio } from '../../../bench/results.js';

function result(opsPerSec: number): LoadResult {
  const h = new LatencyHistogram();
  h.record(2000);
  return {
    options: { host: 'h', port: 1, sessions: 1, depth: 1, readFraction: 1, valueBytes: 1, keys: 1, durationMs: 1, warmupMs: 0 },
    opsPerSec,
    completed: 1,
    measuredMs: 1,
    all: h.summary(),
    reads: h.summary(),
    writes: new LatencyHistogram().summary(),
    errors: {},
    setupMs: 0,
  };
}

describe('bench helpers', () => {
  it('parseServer splits host:port and rejects a missing or bad port', () => {
    expect(parseServer('127.0.0.1:2181')).toEqual({ host: '127.0.0.1', port: 2181 });
    expect(() => parseServer('127.0.0.1')).toThrow(RangeError);
    expect(() => parseServer('127.0.0.1:')).toThrow(RangeError);
    expect(() => parseServer('h:70000')).toThrow(RangeError);
  });

  it('memoryPath spreads znodes round-robin over the parents under /m', () => {
    expect([0, 1, 10, 11].map((i) => memoryPath(i, 10))).toEqual(['/m/p0/n0', '/m/p1/n1', '/m/p0/n10', '/m/p1/n11']);
  });

  it('ratio divides, and says n/a for a missing or zero denominator', () => {
    expect(ratio(3, 2)).toBe('1.50');
    expect(ratio(3, 0)).toBe('n/a');
    expect(ratio(3, undefined)).toBe('n/a');
  });

  it('formatTable puts both servers and their ratio on one row per scenario', () => {
    const runs: ScenarioRun[] = SCENARIOS.flatMap((s) => [
      { kind: 'corral' as const, scenario: s.name, result: result(500), rssBytesAfter: 0, loadAverage1m: 0 },
      { kind: 'zookeeper' as const, scenario: s.name, result: result(1000), rssBytesAfter: 0, loadAverage1m: 0 },
    ]);
    const rows = formatTable(runs).split('\n').slice(2);
    expect(rows).toHaveLength(SCENARIOS.length);
    for (const row of rows) expect(row.split('|').map((c) => c.trim()).slice(1, 5)).toEqual(['500', '1000', '0.50', '2.00 / 2.00']);
  });

  it('formatTable shows a dash for ZooKeeper when only Corral ran', () => {
    const runs: ScenarioRun[] = [{ kind: 'corral', scenario: 'reads 100%', result: result(500), rssBytesAfter: 0, loadAverage1m: 0 }];
    const row = formatTable(runs).split('\n')[2] ?? '';
    expect(row.split('|').map((c) => c.trim()).slice(0, 4)).toEqual(['reads 100%', '500', '-', 'n/a']);
  });

  it('formatTable can end in the p99 ratio instead of p99.9 (the ensemble table)', () => {
    const runs: ScenarioRun[] = [
      { kind: 'corral', scenario: 'writes 100%', result: result(500), rssBytesAfter: 0, loadAverage1m: 0 },
      { kind: 'zookeeper', scenario: 'writes 100%', result: result(1000), rssBytesAfter: 0, loadAverage1m: 0 },
    ];
    const [header, , row] = formatTable(runs, 'p99 ratio').split('\n');
    expect(header?.endsWith('p99 ratio')).toBe(true);
    expect(row?.split('|').map((c) => c.trim()).at(-1)).toBe('1.00');
  });
});

describe('the interleaved ensemble table', () => {
  const run = (kind: 'corral' | 'zookeeper', opsPerSec: number, p99Ms: number): EnsembleScenarioRun => {
    const h = new LatencyHistogram();
    h.record(p99Ms * 1000);
    const options = { members: [{ host: 'h', port: 1 }], sessions: 1, depth: 1, readFraction: 0, valueBytes: 1, keys: 1, durationMs: 1, warmupMs: 0 };
    const empty = new LatencyHistogram().summary();
    return {
      kind,
      scenario: 'writes 100%',
      result: { options, opsPerSec, completed: 1, measuredMs: 1, all: h.summary(), reads: empty, writes: h.summary(), errors: {}, completedByMember: [1] },
      loadAverage1m: 0,
    };
  };

  it('lists each pair ratio and gives their median, range, median ops/s and median p99 ratio', () => {
    const pairs = [
      [run('corral', 1200, 50), run('zookeeper', 1000, 100)],
      [run('zookeeper', 1000, 100), run('corral', 900, 100)],
      [run('corral', 2000, 60), run('zookeeper', 1000, 100)],
    ];
    const [header, , row] = formatInterleavedTable(pairs).split('\n');
    expect(header?.startsWith('scenario')).toBe(true);
    const cells = row?.split('|').map((c) => c.trim());
    expect(cells).toEqual(['writes 100%', '3', '1.20 0.90 2.00', '1.20', '0.90-2.00', '1200 / 1000', '0.60']);
  });
});
