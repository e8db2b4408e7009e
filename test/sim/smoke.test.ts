import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim-cluster.js';

describe('smoke', () => {
  it('elects and writes', () => {
    const sim = new SimCluster({ seed: 1, voters: 3 });
    const leader = sim.waitForLeader();
    console.log('leader', leader, sim.now, sim.ids.map((id) => sim.member(id).core?.status()));
    expect(sim.write('a')).toBe(true);
    expect(sim.write('b', 1)).toBe(true);
    sim.run(200);
    console.log(sim.ids.map((id) => sim.values(id)));
    sim.checkConvergence();
    sim.checkWrites();
  });
});
