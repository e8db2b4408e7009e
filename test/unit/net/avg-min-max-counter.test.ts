import { describe, expect, it } from 'vitest';
import { AvgMinMaxCounter } from '../../../server/net/avg-min-max-counter.js';
import { formatMntr } from '../../../server/net/four-letter-words.js';

describe('AvgMinMaxCounter', () => {
  it('prints ZooKeeper summary lines: all zero (avg 0.0) before a sample', () => {
    expect(formatMntr(new AvgMinMaxCounter('fsynctime').entries())).toBe(
      'zk_avg_fsynctime\t0.0\nzk_min_fsynctime\t0\nzk_max_fsynctime\t0\nzk_cnt_fsynctime\t0\nzk_sum_fsynctime\t0\n',
    );
  });

  it('keeps whole-ms count, sum, min and max, with an unrounded double average', () => {
    const counter = new AvgMinMaxCounter('snapshottime');
    for (const ms of [3.9, 1, 2]) counter.record(ms);
    expect(formatMntr(counter.entries())).toBe(
      'zk_avg_snapshottime\t2.0\nzk_min_snapshottime\t1\nzk_max_snapshottime\t3\nzk_cnt_snapshottime\t3\nzk_sum_snapshottime\t6\n',
    );
    counter.record(0);
    expect(formatMntr(counter.entries())).toContain('zk_avg_snapshottime\t1.5\n');
  });
});
