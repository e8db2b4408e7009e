/**
 * Four-letter words of ensemble members (reference §9.2/§9.3), in the shapes a ZooKeeper 3.8.0
 * ensemble of 3 voters and 1 observer prints them on loopback: `srvr` modes and the leader's
 * proposal sizes, mntr `zk_peer_state`/`zk_quorum_size` and the leader's learner keys, and the
 * ensemble lines of `conf`.
 */
import { describe, expect, it } from 'vitest';
import { ensemblePerTest, fourLetterWord, until, type ServerHandle } from '../../helpers/index.js';

const fx = ensemblePerTest();

const word = (m: ServerHandle, cmd: string): Promise<string> => fourLetterWord(m.host, m.port, cmd, { timeoutMs: 5_000 });

/** mntr as a map (key order is not stable in ZooKeeper either). */
async function mntr(m: ServerHandle): Promise<Map<string, string>> {
  const text = await word(m, 'mntr');
  return new Map(text.trimEnd().split('\n').map((line) => line.split('\t') as [string, string]));
}

describe('four-letter words of a 3-voter + 1-observer ensemble', () => {
  it('srvr, mntr and conf name each member role, the leader its learners and proposal sizes', async () => {
    const ensemble = await fx.start(3, {}, { observers: 1 });
    const members = ensemble.members;
    await until(async () => (await ensemble.modes()).filter((m) => m === 'follower' || m === 'observer').length === 3, {
      timeoutMs: 30_000,
      what: 'every learner to serve',
    });
    const leaderIndex = await ensemble.leader();
    const leader = members[leaderIndex] as ServerHandle;
    const follower = members[[0, 1, 2].find((i) => i !== leaderIndex) as number] as ServerHandle;
    const observer = members[3] as ServerHandle;
    expect(await word(leader, 'srvr')).toMatch(/\nMode: leader\nNode count: \d+\nProposal sizes last\/min\/max: -1\/-1\/-1\n$/);

    const c = await fx.client(follower.connectString);
    await c.create('/small');
    await c.create('/big', new Uint8Array(1_000));
    const sizes = /\nProposal sizes last\/min\/max: (\d+)\/(\d+)\/(\d+)\n$/.exec(await word(leader, 'srvr'));
    const [last, min, max] = [Number(sizes?.[1]), Number(sizes?.[2]), Number(sizes?.[3])];
    expect(max).toBe(last);
    expect(max - min).toBeGreaterThan(1_000);
    expect(await word(follower, 'srvr')).toMatch(/\nMode: follower\nNode count: \d+\n$/);
    expect(await word(observer, 'srvr')).toMatch(/\nMode: observer\nNode count: \d+\n$/);

    const lead = await mntr(leader);
    expect([...lead.keys()].slice(0, 3)).toEqual(['zk_version', 'zk_server_state', 'zk_peer_state']);
    expect(Object.fromEntries(['zk_server_state', 'zk_peer_state', 'zk_quorum_size'].map((k) => [k, lead.get(k)]))).toEqual({
      zk_server_state: 'leader',
      zk_peer_state: 'leading - broadcast',
      zk_quorum_size: '3',
    });
    await until(async () => (await mntr(leader)).get('zk_learners') === '3', { timeoutMs: 10_000, what: 'three learners' });
    const learners = await mntr(leader);
    expect(['zk_synced_followers', 'zk_synced_non_voting_followers', 'zk_synced_observers', 'zk_pending_syncs'].map((k) => learners.get(k))).toEqual([
      '2',
      '0',
      '1',
      '0',
    ]);
    expect(Number(learners.get('zk_leader_uptime'))).toBeGreaterThan(0);
    expect([learners.get('zk_last_proposal_size'), learners.get('zk_min_proposal_size'), learners.get('zk_max_proposal_size')]).toEqual(
      [last, min, max].map(String),
    );

    const follow = await mntr(follower);
    expect([follow.get('zk_server_state'), follow.get('zk_peer_state'), follow.get('zk_quorum_size')]).toEqual(['follower', 'following - broadcast', '3']);
    expect(follow.has('zk_learners')).toBe(false);
    expect(follow.has('zk_last_proposal_size')).toBe(false);
    const observe = await mntr(observer);
    expect([observe.get('zk_server_state'), observe.get('zk_peer_state'), observe.get('zk_quorum_size')]).toEqual(['observer', 'observing - broadcast', '3']);

    const conf = await word(observer, 'conf');
    expect(conf).toMatch(/\nserverId=4\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=\d+\nquorumPort=\d+\npeerType=1\nmembership: \n/);
    // Server lines without a client part print none, the member's own included (3.8.0).
    expect(conf).toMatch(/\nserver\.1=127\.0\.0\.1:\d+:\d+:participant\n/);
    expect(conf).toMatch(/\nserver\.4=127\.0\.0\.1:\d+:\d+:observer\nversion=0$/);
    expect(await word(leader, 'isro')).toBe('rw');
  });
});
