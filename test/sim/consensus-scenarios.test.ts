/**
 * Named scenarios for the consensus core on the simulated group, each with what it protects.
 * Fault-free network unless a scenario says otherwise; every scenario ends with the group
 * converged and the write history checked.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.js';

function finish(sim: SimCluster): void {
  sim.heal();
  for (const id of sim.ids) sim.restart(id);
  sim.quiesce(5000);
  sim.checkConvergence();
  sim.checkWrites();
}

function others(sim: SimCluster, id: number): number[] {
  return sim.ids.filter((other) => other !== id);
}

describe('consensus scenarios', () => {
  it('elects one leader and replicates writes to every member, observers included', () => {
    const sim = new SimCluster({ seed: 1, voters: 3, observers: 1 });
    sim.waitForLeader();
    sim.quiesce();
    for (const value of ['a', 'b', 'c']) expect(sim.write(value)).toBe(true);
    expect(sim.write('via-observer', 4)).toBe(true);
    finish(sim);
    expect(sim.values(4)).toEqual(['a', 'b', 'c', 'via-observer']);
  });

  it('leader crash during broadcast: acknowledged writes survive, the new leader serves', () => {
    // Protects: a txn acked by a quorum is in the next leader's history (election by zxid).
    const sim = new SimCluster({ seed: 2, voters: 3 });
    const leader = sim.waitForLeader();
    expect(sim.write('a')).toBe(true);
    const inFlight = sim.startWrite('b', leader);
    sim.run(2);
    sim.crash(leader);
    const next = sim.waitForLeader({ not: leader });
    expect(sim.write('c', next)).toBe(true);
    sim.restart(leader);
    finish(sim);
    expect(inFlight.status).not.toBe('acked');
    expect(sim.values(leader).filter((v) => v !== 'b')).toEqual(['a', 'c']);
  });

  it('a leader crash is noticed by the connection drop: a new leader serves before syncLimit of silence would have passed', () => {
    // Protects: fast failover (issue 4): followers leave on the transport's disconnect, not on syncLimit.
    const sim = new SimCluster({ seed: 12, voters: 3 });
    const leader = sim.waitForLeader();
    sim.quiesce();
    expect(sim.write('a')).toBe(true);
    const crashedAt = sim.now;
    sim.crash(leader);
    const next = sim.waitForLeader({ not: leader });
    // syncLimit is 5 ticks of 10 steps: silence alone would keep the followers for 50 steps.
    expect(sim.now - crashedAt).toBeLessThan(50);
    expect(sim.write('b', next)).toBe(true);
    sim.restart(leader);
    finish(sim);
    expect(sim.values(leader)).toEqual(['a', 'b']);
  });

  it('a dropped connection sends the follower back to election at once; it rejoins the same leader and loses nothing', () => {
    // Protects: a reset connection (messages lost with it) never leaves a member serving stale or stuck.
    const sim = new SimCluster({ seed: 13, voters: 3 });
    const leader = sim.waitForLeader();
    sim.quiesce();
    const follower = others(sim, leader)[0] as number;
    expect(sim.write('a', follower)).toBe(true);
    sim.disconnect(leader, follower);
    expect(sim.member(follower).core?.status().isBroadcasting).toBe(false);
    expect(sim.leader()).toBe(leader);
    expect(sim.runUntil(() => sim.member(follower).core?.status().isBroadcasting === true, 200)).toBe(true);
    expect(sim.member(follower).core?.status().leader).toBe(leader);
    expect(sim.write('b', follower)).toBe(true);
    finish(sim);
    expect(sim.values(follower)).toEqual(['a', 'b']);
  });

  it('a leader whose connections to every follower drop stops serving until they are back', () => {
    // Protects: the leader forgets disconnected learners, so it cannot count their acks toward a commit.
    const sim = new SimCluster({ seed: 14, voters: 3 });
    const leader = sim.waitForLeader();
    sim.quiesce();
    for (const id of others(sim, leader)) sim.disconnect(leader, id);
    const stale = sim.startWrite('stale', leader);
    sim.run(30);
    expect(stale.status).not.toBe('acked');
    finish(sim);
    expect(sim.write('after')).toBe(true);
    finish(sim);
  });

  it('an old leader with an uncommitted tail gets TRUNC and drops it', () => {
    // Protects: a txn that never reached a quorum is removed when its member rejoins.
    const sim = new SimCluster({ seed: 3, voters: 3 });
    const leader = sim.waitForLeader();
    expect(sim.write('a')).toBe(true);
    sim.partition([leader], others(sim, leader));
    const stale = sim.startWrite('stale', leader);
    const next = sim.waitForLeader({ not: leader });
    expect(next).not.toBe(leader);
    expect(sim.write('fresh', next)).toBe(true);
    sim.heal();
    finish(sim);
    expect(stale.status).not.toBe('acked');
    expect(sim.receivedBy(leader, 'sync:trunc')).toBeGreaterThan(0);
    for (const id of sim.ids) expect(sim.values(id)).toEqual(['a', 'fresh']);
  });

  it('a follower far behind the leader\'s in-memory log gets SNAP', () => {
    // Protects: a learner older than the DIFF window is rebuilt from a snapshot, then follows.
    const sim = new SimCluster({ seed: 4, voters: 3, tuning: { logKeepCount: 3 } });
    const leader = sim.waitForLeader();
    const lagging = others(sim, leader)[0] as number;
    sim.crash(lagging);
    for (let i = 0; i < 12; i++) expect(sim.write(`v${i}`)).toBe(true);
    sim.restart(lagging);
    sim.quiesce();
    expect(sim.receivedBy(lagging, 'sync:snap')).toBeGreaterThan(0);
    expect(sim.write('after', lagging)).toBe(true);
    finish(sim);
    expect(sim.values(lagging)).toHaveLength(13);
  });

  it('a partitioned old leader cannot commit and steps down', () => {
    // Protects: at most one leader commits per epoch; a minority never commits.
    const sim = new SimCluster({ seed: 5, voters: 5 });
    const leader = sim.waitForLeader();
    const minority = [leader, others(sim, leader)[0] as number];
    sim.partition(minority, others(sim, leader).slice(1));
    const stale = sim.startWrite('stale', leader);
    const next = sim.waitForLeader({ not: leader });
    expect(minority).not.toContain(next);
    expect(sim.write('fresh', next)).toBe(true);
    sim.run(200);
    expect(stale.status).not.toBe('acked');
    expect(sim.member(leader).core?.status().isBroadcasting).toBe(false);
    finish(sim);
    for (const id of sim.ids) expect(sim.values(id)).toEqual(['fresh']);
  });

  it('asymmetric partition: a follower that cannot hear the leader leaves, the quorum goes on, it rejoins', () => {
    // Protects: one-way loss causes no split brain and no stall of the majority.
    const sim = new SimCluster({ seed: 6, voters: 3 });
    const leader = sim.waitForLeader();
    const deaf = others(sim, leader)[0] as number;
    sim.blockOneWay(leader, deaf);
    sim.run(150);
    expect(sim.member(deaf).core?.status().isBroadcasting).toBe(false);
    expect(sim.write('a', leader)).toBe(true);
    expect(sim.leader()).toBe(leader);
    finish(sim);
    expect(sim.values(deaf)).toEqual(['a']);
  });

  it('asymmetric partition: a leader that cannot hear a quorum steps down, and a new one takes over', () => {
    // Protects: a leader without acks for syncLimit stops claiming to serve.
    const sim = new SimCluster({ seed: 7, voters: 3 });
    const leader = sim.waitForLeader();
    for (const id of others(sim, leader)) sim.blockOneWay(id, leader);
    sim.run(150);
    expect(sim.member(leader).core?.status().role).not.toBe('leading');
    const next = sim.waitForLeader({ not: leader });
    expect(sim.write('a', next)).toBe(true);
    finish(sim);
  });

  it('duplicated and reordered messages change nothing: each write applies once, in one order', () => {
    // Protects: idempotent handshakes, cumulative acks/commits, prevZxid chaining of proposals.
    const faults = { lossRate: 0, duplicateRate: 0.5, delayMinSteps: 1, delayMaxSteps: 30, fsyncMaxSteps: 5 };
    const sim = new SimCluster({ seed: 8, voters: 5, faults });
    sim.waitForLeader({ maxSteps: 5000 });
    sim.quiesce(5000);
    const records = Array.from({ length: 30 }, (_, i) => sim.startWrite(`w${i}`, sim.ids[i % 5]));
    sim.runUntil(() => records.every((r) => r.status !== 'pending'), 5000);
    expect(records.filter((r) => r.status === 'acked').length).toBeGreaterThan(15);
    finish(sim);
    const applied = sim.values(1);
    expect(new Set(applied).size).toBe(applied.length);
  });

  it('a DIFF carries txns of an older epoch to a follower that missed them', () => {
    // Regression (random seed 3): the follower dropped an epoch-1 txn in an epoch-2 DIFF and
    // later took an epoch-2 proposal after the gap.
    const sim = new SimCluster({ seed: 9, voters: 3 });
    const leader = sim.waitForLeader();
    const [behind, ahead] = others(sim, leader) as [number, number];
    sim.crash(behind);
    expect(sim.write('a', leader)).toBe(true);
    sim.run(30);
    sim.crash(leader);
    sim.restart(behind);
    expect(sim.waitForLeader({ not: leader })).toBe(ahead);
    expect(sim.write('b', ahead)).toBe(true);
    finish(sim);
    expect(sim.values(behind)).toEqual(['a', 'b']);
  });

  it('a NEWLEADER ack that covers proposals made during the sync commits them', () => {
    // Regression (random seed 282): the leader ignored such an ack and never committed.
    const sim = new SimCluster({ seed: 10, voters: 3 });
    const leader = sim.waitForLeader();
    const [restarting, isolated] = others(sim, leader) as [number, number];
    sim.crash(restarting);
    sim.partition([isolated], [leader, restarting]);
    const pending = sim.startWrite('b', leader);
    sim.run(5);
    sim.restart(restarting);
    expect(sim.runUntil(() => pending.status === 'acked', 500)).toBe(true);
    finish(sim);
  });

  it('sync through a follower returns once it has applied the leader\'s commit point', () => {
    // Protects: sync (reference §8) waits for the leader's commit point on the follower.
    const sim = new SimCluster({ seed: 11, voters: 3, faults: { lossRate: 0, duplicateRate: 0, delayMinSteps: 1, delayMaxSteps: 20, fsyncMaxSteps: 10 } });
    const leader = sim.waitForLeader();
    sim.quiesce();
    const follower = others(sim, leader)[0] as number;
    for (let i = 0; i < 5; i++) sim.startWrite(`s${i}`, leader);
    sim.run(3);
    const { appliedZxid, leaderCommitZxid } = sim.sync(follower);
    expect(appliedZxid).toBeGreaterThanOrEqual(leaderCommitZxid);
    finish(sim);
  });

  it('a follower\'s piggybacked ping data reaches the leader\'s shell once', () => {
    // Protects: the hook the session tracker will use for session touches.
    const sim = new SimCluster({ seed: 13, voters: 3 });
    const leader = sim.waitForLeader();
    sim.quiesce();
    const follower = others(sim, leader)[0] as number;
    sim.member(follower).core?.attachPingData(new TextEncoder().encode('touch:42'));
    sim.run(50);
    expect(sim.pingData).toEqual([{ leader, from: follower, data: 'touch:42' }]);
  });

  it('a member whose unsynced tail is lost (or torn) in a crash recovers and converges', () => {
    // Protects: recovery from the durable log only; acks were sent for durable txns only.
    const sim = new SimCluster({ seed: 12, voters: 3, faults: { lossRate: 0, duplicateRate: 0, delayMinSteps: 1, delayMaxSteps: 3, fsyncMaxSteps: 30 } });
    sim.waitForLeader();
    for (let i = 0; i < 5; i++) sim.startWrite(`t${i}`);
    sim.run(4);
    for (const id of sim.ids) sim.crash(id, { keptUnsyncedCount: 1, isLastTorn: id === 1 });
    for (const id of sim.ids) sim.restart(id);
    sim.waitForLeader();
    expect(sim.write('after')).toBe(true);
    finish(sim);
  });
});
