/**
 * One seeded random run: the seed draws a fault profile (loss, delay and reordering, duplication,
 * partitions both ways, some of them resetting the connections across them, connection resets
 * between healthy members, crashes losing or tearing the unsynced tail, tick skew, small
 * in-memory logs that force SNAP), runs client writes through a safety phase with faults on, then
 * a liveness phase with faults off and every member up, after which all members must converge.
 */
import { Rng } from '../../util/rng.js';
import { SimViolation, type WriteRecord } from './checkers.js';
import { NO_FAULTS, SimCluster, type FaultProfile } from './sim-cluster.js';

/** What a random run did, for the test's summary. */
export interface RunSummary {
  readonly seed: number;
  readonly applied: number;
  readonly acked: number;
  readonly crashes: number;
  /** The highest epoch reached: how many leader changes the run went through. */
  readonly epoch: number;
  readonly delivered: ReadonlyMap<string, number>;
}

const SAFETY_STEPS = 3000;
const LIVENESS_STEPS = 6000;
const CLIENTS = 3;
const WRITE_TIMEOUT_STEPS = 300;
const FINAL_WRITE_ATTEMPTS = 3;

/** Runs one seed on a group of `voters` voters; throws SimViolation on any broken property. */
export function randomRun(seed: number, voters: number, trace?: (line: string) => void): RunSummary {
  try {
    return runSeed(seed, voters, trace);
  } catch (err) {
    if (err instanceof SimViolation) throw err;
    // A broken assertion inside a core is a violation too: give it the replay line.
    const what = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
    throw new SimViolation(`${voters} voters: ${what}`, seed);
  }
}

function runSeed(seed: number, voters: number, trace?: (line: string) => void): RunSummary {
  const rng = new Rng(seed * 7919 + voters);
  const faults: FaultProfile = {
    lossRate: rng.pick([0, 0.01, 0.05, 0.15]),
    duplicateRate: rng.pick([0, 0.02, 0.1]),
    delayMinSteps: 1,
    delayMaxSteps: rng.pick([3, 10, 40]),
    fsyncMaxSteps: rng.pick([1, 3, 12, 40]),
  };
  const observers = rng.chance(0.3) ? 1 : 0;
  const skew = rng.pick([0, 2, 4]);
  const tickSteps = Array.from({ length: voters + observers }, () => 10 + rng.int(-skew, skew));
  const logKeepCount = rng.pick([3, 20, 200]);
  const sim = new SimCluster({ seed, voters, observers, faults, tickSteps, tuning: { logKeepCount }, snapEvery: rng.int(3, 15), ...(trace === undefined ? {} : { trace }) });
  const chaos = new Chaos(sim, rng);
  const clients = Array.from({ length: CLIENTS }, (_, i) => new SimClient(sim, rng, i + 1));
  for (const client of clients) client.start();
  chaos.start();
  sim.run(SAFETY_STEPS);
  chaos.stop();
  for (const client of clients) client.stop();
  sim.faults = NO_FAULTS;
  sim.heal();
  for (const id of sim.ids) sim.restart(id);
  if (!sim.runUntil(() => sim.isQuiescent(), LIVENESS_STEPS)) throw new SimViolation(describeStuck(sim), seed);
  // A final write through every member proves each one serves, then everyone must agree.
  for (const id of sim.ids) {
    // Retry like a client after ConnectionLoss; a retried write may also land twice.
    let isAcked = false;
    for (let attempt = 0; attempt < FINAL_WRITE_ATTEMPTS && !isAcked; attempt++) {
      isAcked = sim.write(`final-${id}-${attempt}`, id, LIVENESS_STEPS / FINAL_WRITE_ATTEMPTS);
      if (!isAcked) sim.runUntil(() => sim.isQuiescent(), LIVENESS_STEPS / FINAL_WRITE_ATTEMPTS);
    }
    if (!isAcked) throw new SimViolation(`final write through member ${id} not acknowledged`, seed);
  }
  if (!sim.runUntil(() => sim.isQuiescent(), LIVENESS_STEPS)) throw new SimViolation(describeStuck(sim), seed);
  sim.checkConvergence();
  sim.checkWrites();
  return {
    seed,
    applied: sim.history.sequence.length,
    acked: sim.writes.filter((w) => w.status === 'acked').length,
    crashes: chaos.crashes,
    epoch: Math.max(...sim.ids.map((id) => sim.member(id).core?.status().epoch ?? 0)),
    delivered: sim.delivered,
  };
}

function describeStuck(sim: SimCluster): string {
  const states = sim.ids.map((id) => {
    const s = sim.member(id).core?.status();
    return s === undefined ? `${id}:down` : `${id}:${s.role}/${s.phase}/e${s.epoch}/L${s.leader}/a0x${s.appliedZxid.toString(16)}/l0x${s.lastZxid.toString(16)}`;
  });
  return `no convergence after the liveness phase: ${states.join(' ')}`;
}

/** Injects crashes, restarts and partitions at random moments. */
class Chaos {
  crashes = 0;
  #isRunning = false;

  constructor(
    readonly sim: SimCluster,
    readonly rng: Rng,
  ) {}

  start(): void {
    this.#isRunning = true;
    this.#schedule();
  }

  stop(): void {
    this.#isRunning = false;
  }

  #schedule(): void {
    this.sim.queue.at(this.sim.now + this.rng.int(50, 400), () => {
      if (!this.#isRunning) return;
      this.#act();
      this.#schedule();
    });
  }

  #crash(id: number): void {
    const sim = this.sim;
    const rng = this.rng;
    this.crashes++;
    sim.crash(id, { keptUnsyncedCount: rng.pick([0, 0, 1, 3]), isLastTorn: rng.chance(0.5) });
    sim.queue.at(sim.now + rng.int(30, 600), () => sim.restart(id));
  }

  #act(): void {
    const sim = this.sim;
    const rng = this.rng;
    const ids = sim.ids;
    const action = rng.pick(['crash', 'crash', 'powerFailure', 'partition', 'oneWay', 'reset', 'heal', 'heal']);
    if (action === 'crash') {
      this.#crash(rng.pick(ids));
    } else if (action === 'powerFailure') {
      // Several members lose power at once: what a quorum acked but never synced is gone.
      for (const id of rng.shuffle(ids).slice(0, rng.int(Math.ceil(ids.length / 2), ids.length))) this.#crash(id);
    } else if (action === 'partition') {
      const shuffled = rng.shuffle(ids);
      const cut = rng.int(1, ids.length - 1);
      sim.partition(shuffled.slice(0, cut), shuffled.slice(cut));
      // Sometimes the cut resets the connections across it (a firewall's RST), sometimes not.
      if (rng.chance(0.5)) for (const a of shuffled.slice(0, cut)) for (const b of shuffled.slice(cut)) sim.disconnect(a, b);
    } else if (action === 'oneWay') {
      const from = rng.pick(ids);
      const to = rng.pick(ids.filter((id) => id !== from));
      sim.blockOneWay(from, to);
    } else if (action === 'reset') {
      // A connection drops while the network is fine: both sides start over, nothing is lost.
      const [a, b] = rng.shuffle(ids);
      if (a !== undefined && b !== undefined) sim.disconnect(a, b);
    } else {
      sim.heal();
    }
  }
}

/** A client that writes unique values one at a time through random members. */
class SimClient {
  #count = 0;
  #isRunning = false;

  constructor(
    readonly sim: SimCluster,
    readonly rng: Rng,
    readonly id: number,
  ) {}

  start(): void {
    this.#isRunning = true;
    this.#next();
  }

  stop(): void {
    this.#isRunning = false;
  }

  #next(): void {
    this.sim.queue.at(this.sim.now + this.rng.int(5, 60), () => {
      if (!this.#isRunning) return;
      const record = this.sim.startWrite(`c${this.id}-${this.#count++}`, this.rng.pick(this.sim.ids), this.id);
      if (record.status === 'refused') {
        this.#next();
        return;
      }
      this.#awaitOutcome(record, this.sim.now + WRITE_TIMEOUT_STEPS);
    });
  }

  #awaitOutcome(record: WriteRecord, deadline: number): void {
    this.sim.queue.at(this.sim.now + 10, () => {
      if (record.status === 'pending' && this.sim.now < deadline) {
        this.#awaitOutcome(record, deadline);
        return;
      }
      this.sim.timeOut(record);
      this.#next();
    });
  }
}
