/**
 * EnsembleStats: the leader's learner counts and proposal sizes that mntr/srvr print, derived
 * from the consensus messages a member receives and sends.
 */
import { describe, expect, it } from 'vitest';
import type { ConsensusMessage } from '../../../server/consensus/index.js';
import { EnsembleStats } from '../../../server/replica/ensemble-stats.js';

const upToDate: ConsensusMessage = { type: 'upToDate', session: 1, epoch: 1, commitZxid: 0n };
const ack: ConsensusMessage = { type: 'ack', session: 1, epoch: 1, zxid: 0n, data: null };

function leaderWithLearners(): EnsembleStats {
  const stats = new EnsembleStats({ observers: [4], staleTicks: 5 });
  for (const id of [2, 3, 4]) stats.received(id, ack);
  return stats;
}

describe('EnsembleStats', () => {
  it('counts learners brought up to date in the same batch that reports the new leadership', () => {
    const stats = leaderWithLearners();
    stats.roleChanged(false, 0);
    for (const id of [2, 3, 4]) stats.sent(id, upToDate);
    stats.roleChanged(true, 100);
    expect(stats.learnerCounts()).toEqual({ learners: 3, syncedFollowers: 2, syncedObservers: 1 });
    expect(stats.leaderUptimeMs(350)).toBe(250);
  });

  it('a learner silent for longer than syncLimit, or resyncing, no longer counts as synced', () => {
    const stats = leaderWithLearners();
    for (const id of [2, 3, 4]) stats.sent(id, upToDate);
    stats.roleChanged(true, 0);
    stats.sent(3, { type: 'sync', session: 2, epoch: 1, mode: 'diff', truncateAfter: 0n, snapshot: null, entries: [], commitZxid: 0n });
    for (let i = 0; i < 6; i++) {
      stats.tick();
      stats.received(2, ack);
      stats.received(3, ack);
    }
    expect(stats.learnerCounts()).toEqual({ learners: 2, syncedFollowers: 1, syncedObservers: 0 });
  });

  it('proposal sizes are -1 until the first proposal and start over with each leadership', () => {
    const stats = new EnsembleStats({ observers: [], staleTicks: 5 });
    stats.roleChanged(true, 0);
    expect(stats.proposalSizes).toEqual({ lastBytes: -1, minBytes: -1, maxBytes: -1 });
    for (const size of [48, 1058, 60]) stats.proposed(size);
    expect(stats.proposalSizes).toEqual({ lastBytes: 60, minBytes: 48, maxBytes: 1058 });
    stats.roleChanged(false, 10);
    expect(stats.leaderUptimeMs(20)).toBeNull();
    stats.roleChanged(true, 30);
    expect(stats.proposalSizes).toEqual({ lastBytes: -1, minBytes: -1, maxBytes: -1 });
  });
});
