import { describe, expect, it } from 'vitest';
import {
  ConsensusCore,
  DEFAULT_CONSENSUS_TUNING,
  isVoteBetter,
  makeZxid,
  type ConsensusMessage,
  type ConsensusReady,
} from '../../../server/consensus/index.js';
import { Rng } from '../../../util/rng.js';

const empty = { acceptedEpoch: 0, acceptedLeader: 0, currentEpoch: 0, snapshotZxid: 0n, entries: [] };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function makeCore(myId: number, voters: number[], observers: number[] = []): ConsensusCore {
  return new ConsensusCore({ options: { ...DEFAULT_CONSENSUS_TUNING, myId, voters, observers }, recovered: empty, rng: new Rng(7) });
}

function drain(core: ConsensusCore): ConsensusReady {
  const rd = core.ready();
  core.advance();
  return rd;
}

/** Reports each persist batch durable until the core has nothing more to write. */
function persistAll(core: ConsensusCore): ConsensusReady[] {
  const out: ConsensusReady[] = [];
  for (let i = 0; i < 10; i++) {
    const rd = drain(core);
    out.push(rd);
    if (rd.persist === null) break;
    core.persisted(rd.persist.seq);
  }
  return out;
}

function sent(rds: readonly ConsensusReady[], type: ConsensusMessage['type']): ConsensusMessage[] {
  return rds.flatMap((rd) => rd.send.map((e) => e.msg)).filter((m) => m.type === type);
}

describe('isVoteBetter', () => {
  it('orders votes by epoch, then zxid, then member id (totalOrderPredicate)', () => {
    expect(isVoteBetter({ leader: 1, zxid: 0n, epoch: 2 }, { leader: 3, zxid: 99n, epoch: 1 })).toBe(true);
    expect(isVoteBetter({ leader: 1, zxid: 5n, epoch: 1 }, { leader: 3, zxid: 4n, epoch: 1 })).toBe(true);
    expect(isVoteBetter({ leader: 3, zxid: 5n, epoch: 1 }, { leader: 1, zxid: 5n, epoch: 1 })).toBe(true);
    expect(isVoteBetter({ leader: 1, zxid: 5n, epoch: 1 }, { leader: 1, zxid: 5n, epoch: 1 })).toBe(false);
  });
});

describe('ConsensusCore', () => {
  it('standalone: a one-voter group leads and commits a txn only once its own copy is durable', () => {
    const core = makeCore(1, [1]);
    for (let i = 0; i < 3; i++) {
      core.tick();
      persistAll(core);
    }
    expect(core.status()).toMatchObject({ role: 'leading', phase: 'broadcast', isBroadcasting: true, epoch: 1 });
    expect(core.nextProposalZxid()).toBe(makeZxid(1, 1));
    expect(core.propose(bytes('a'))).toBe(makeZxid(1, 1));
    const rd = drain(core);
    expect(rd.applyCommitted).toEqual([]);
    core.persisted(rd.persist?.seq ?? -1);
    expect(drain(core).applyCommitted.map((e) => e.zxid)).toEqual([makeZxid(1, 1)]);
  });

  it('refuses proposals, requests and syncs while not broadcasting', () => {
    const core = makeCore(1, [1, 2, 3]);
    expect(core.propose(bytes('a'))).toBeNull();
    expect(core.request(bytes('o'), bytes('a'))).toBe(false);
    expect(core.sync(bytes('o'))).toBe(false);
    expect(core.status().role).toBe('looking');
  });

  it('a leader steps down when a learner reports a history ahead of its own (Leader.waitForEpochAck)', () => {
    const core = makeCore(1, [1, 2, 3]);
    drain(core);
    core.message(2, { type: 'vote', round: 1, state: 'looking', vote: { leader: 1, zxid: 0n, epoch: 0 } });
    core.tick();
    core.tick();
    expect(core.status().role).toBe('leading');
    core.message(2, { type: 'learnerInfo', session: 5, acceptedEpoch: 0, acceptedLeader: 0, isObserver: false });
    const rds = persistAll(core);
    expect(sent(rds, 'leaderInfo')).toEqual([{ type: 'leaderInfo', session: 5, epoch: 1 }]);
    core.message(2, { type: 'ackEpoch', session: 5, epoch: 1, currentEpoch: 3, lastZxid: makeZxid(3, 4) });
    expect(core.status().role).toBe('looking');
  });

  it('a LEARNERINFO that arrives while still looking is answered once this member leads, without waiting for a resend', () => {
    const core = makeCore(1, [1, 2, 3]);
    drain(core);
    // Member 2 settled on us first and started its handshake before our own election settled.
    core.message(2, { type: 'vote', round: 1, state: 'looking', vote: { leader: 1, zxid: 0n, epoch: 0 } });
    core.message(2, { type: 'learnerInfo', session: 5, acceptedEpoch: 0, acceptedLeader: 0, isObserver: false });
    expect(core.status().role).toBe('looking');
    core.tick();
    core.tick();
    expect(core.status().role).toBe('leading');
    expect(sent(persistAll(core), 'leaderInfo')).toEqual([{ type: 'leaderInfo', session: 5, epoch: 1 }]);
  });

  it('a LEARNERINFO kept while looking is dropped when another member wins', () => {
    const core = makeCore(1, [1, 2, 3]);
    drain(core);
    core.message(3, { type: 'learnerInfo', session: 9, acceptedEpoch: 0, acceptedLeader: 0, isObserver: false });
    core.message(2, { type: 'vote', round: 1, state: 'leading', vote: { leader: 2, zxid: 0n, epoch: 0 } });
    core.message(3, { type: 'vote', round: 1, state: 'following', vote: { leader: 2, zxid: 0n, epoch: 0 } });
    core.tick();
    core.tick();
    expect(core.status().role).toBe('following');
    expect(sent(persistAll(core), 'leaderInfo')).toEqual([]);
  });

  it('a leader broadcasts only once a quorum synced and its own new epoch is durable', () => {
    const core = makeCore(1, [1, 2, 3]);
    drain(core);
    core.message(2, { type: 'vote', round: 1, state: 'looking', vote: { leader: 1, zxid: 0n, epoch: 0 } });
    core.tick();
    core.tick();
    core.message(2, { type: 'learnerInfo', session: 5, acceptedEpoch: 0, acceptedLeader: 0, isObserver: false });
    persistAll(core);
    core.message(2, { type: 'ackEpoch', session: 5, epoch: 1, currentEpoch: 0, lastZxid: 0n });
    const epochBatch = drain(core);
    expect(epochBatch.persist?.epochs).toEqual({ acceptedEpoch: 1, acceptedLeader: 1, currentEpoch: 1 });
    expect(sent([epochBatch], 'sync')).toHaveLength(1);
    core.message(2, { type: 'ackNewLeader', session: 5, epoch: 1, zxid: 0n });
    expect(core.status()).toMatchObject({ phase: 'synchronization', isBroadcasting: false });
    core.persisted(epochBatch.persist?.seq ?? -1);
    expect(core.status()).toMatchObject({ phase: 'broadcast', isBroadcasting: true });
    expect(sent([drain(core)], 'upToDate')).toEqual([{ type: 'upToDate', session: 5, epoch: 1, commitZxid: 0n }]);
  });

  it('a follower acks a synced log, and each proposal, only after the shell reports it durable', () => {
    const core = makeCore(2, [1, 2, 3]);
    drain(core);
    core.message(1, { type: 'vote', round: 1, state: 'leading', vote: { leader: 1, zxid: 0n, epoch: 0 } });
    const info = sent([drain(core)], 'learnerInfo')[0];
    expect(info?.type).toBe('learnerInfo');
    const session = info?.type === 'learnerInfo' ? info.session : -1;
    core.message(1, { type: 'leaderInfo', session, epoch: 1 });
    const afterInfo = persistAll(core);
    expect(sent(afterInfo, 'ackEpoch')).toEqual([{ type: 'ackEpoch', session, epoch: 1, currentEpoch: 0, lastZxid: 0n }]);
    const first = { zxid: makeZxid(1, 1), data: bytes('a') };
    core.message(1, { type: 'sync', session, epoch: 1, mode: 'diff', truncateAfter: 0n, snapshot: null, entries: [first], commitZxid: 0n });
    const syncBatch = drain(core);
    expect(sent([syncBatch], 'ackNewLeader')).toEqual([]);
    core.persisted(syncBatch.persist?.seq ?? -1);
    expect(sent([drain(core)], 'ackNewLeader')).toEqual([{ type: 'ackNewLeader', session, epoch: 1, zxid: first.zxid }]);
    core.message(1, { type: 'upToDate', session, epoch: 1, commitZxid: first.zxid });
    expect(core.status().isBroadcasting).toBe(true);
    core.message(1, { type: 'proposal', epoch: 1, prevZxid: first.zxid, entry: { zxid: makeZxid(1, 2), data: bytes('b') } });
    const proposalBatch = drain(core);
    expect(proposalBatch.applyCommitted.map((e) => e.zxid)).toEqual([first.zxid]);
    expect(sent([proposalBatch], 'ack')).toEqual([]);
    core.persisted(proposalBatch.persist?.seq ?? -1);
    expect(sent([drain(core)], 'ack').map((m) => (m.type === 'ack' ? m.zxid : null))).toEqual([makeZxid(1, 2)]);
  });

  it('a learner refuses an epoch it promised to another leader', () => {
    const core = new ConsensusCore({
      options: { ...DEFAULT_CONSENSUS_TUNING, myId: 2, voters: [1, 2, 3], observers: [] },
      recovered: { ...empty, acceptedEpoch: 4, acceptedLeader: 3 },
      rng: new Rng(1),
    });
    drain(core);
    core.message(1, { type: 'vote', round: 1, state: 'leading', vote: { leader: 1, zxid: 0n, epoch: 0 } });
    const info = sent([drain(core)], 'learnerInfo')[0];
    const session = info?.type === 'learnerInfo' ? info.session : -1;
    core.message(1, { type: 'leaderInfo', session, epoch: 4 });
    expect(core.status().role).toBe('looking');
    expect(sent(persistAll(core), 'ackEpoch')).toEqual([]);
  });
});
