/**
 * Safety checkers for the simulation: every member's applied history is a prefix of one global
 * sequence; no acknowledged write is lost; writes are linearizable (an acknowledged write
 * precedes, in the global order, every write invoked after its acknowledgement).
 */

/** A safety or liveness property failed; the message ends with the line that replays the run. */
export class SimViolation extends Error {
  override readonly name = 'SimViolation';

  constructor(what: string, seed: number) {
    super(`${what}\nreplay: CORRAL_SEED=${seed} npx vitest run --project sim`);
  }
}

/** One client write and what became of it. */
export interface WriteRecord {
  readonly value: string;
  readonly client: number;
  /** The member the client sent it to, and that member's incarnation then. */
  readonly member: number;
  readonly incarnation: number;
  readonly invokeAt: number;
  ackAt: number | null;
  status: 'pending' | 'acked' | 'refused' | 'timedOut';
}

interface AppliedEntry {
  readonly zxid: bigint;
  readonly value: string;
}

/** The one sequence every member's applied history must be a prefix of. */
export class HistoryChecker {
  readonly #sequence: AppliedEntry[] = [];

  /** The global sequence of applied txns so far. */
  get sequence(): readonly AppliedEntry[] {
    return this.#sequence;
  }

  /** Checks the last entry a member just applied against the global sequence. */
  checkApplied(member: number, applied: readonly AppliedEntry[], seed: number): void {
    const index = applied.length - 1;
    const entry = applied[index];
    if (entry === undefined) return;
    this.#checkAt(member, index, entry, seed);
  }

  /** Checks a member's whole applied history (after it loaded a snapshot). */
  checkPrefix(member: number, applied: readonly AppliedEntry[], seed: number): void {
    applied.forEach((entry, index) => this.#checkAt(member, index, entry, seed));
  }

  #checkAt(member: number, index: number, entry: AppliedEntry, seed: number): void {
    const known = this.#sequence[index];
    if (known === undefined) {
      if (index !== this.#sequence.length) throw new SimViolation(`member ${member} applied position ${index} past the sequence`, seed);
      this.#sequence.push(entry);
      return;
    }
    if (known.zxid !== entry.zxid || known.value !== entry.value) {
      const what = `member ${member} applied ${entry.value}@0x${entry.zxid.toString(16)} at position ${index}, where the sequence has ${known.value}@0x${known.zxid.toString(16)}`;
      throw new SimViolation(what, seed);
    }
  }

  /** No acknowledged write lost, nothing applied that no client wrote, real-time order kept. */
  checkWrites(writes: readonly WriteRecord[], seed: number): void {
    const firstIndex = new Map<string, number>();
    this.#sequence.forEach((entry, index) => {
      if (!firstIndex.has(entry.value)) firstIndex.set(entry.value, index);
    });
    const invoked = new Set(writes.map((w) => w.value));
    for (const value of firstIndex.keys()) {
      if (!invoked.has(value)) throw new SimViolation(`applied ${value}, which no client wrote`, seed);
    }
    const acked = writes.filter((w) => w.status === 'acked');
    for (const write of acked) {
      if (!firstIndex.has(write.value)) throw new SimViolation(`acknowledged write ${write.value} was lost`, seed);
    }
    // Sweep writes by invocation time, knowing the latest position of any write acked before it.
    const byAck = [...acked].sort((a, b) => (a.ackAt ?? 0) - (b.ackAt ?? 0));
    const byInvoke = [...writes].filter((w) => firstIndex.has(w.value)).sort((a, b) => a.invokeAt - b.invokeAt);
    let next = 0;
    let latest: { value: string; index: number } | null = null;
    for (const write of byInvoke) {
      while (next < byAck.length && ((byAck[next] as WriteRecord).ackAt ?? 0) < write.invokeAt) {
        const done = byAck[next] as WriteRecord;
        const index = firstIndex.get(done.value) ?? -1;
        if (latest === null || index > latest.index) latest = { value: done.value, index };
        next++;
      }
      const index = firstIndex.get(write.value) ?? -1;
      if (latest !== null && index < latest.index) {
        throw new SimViolation(`write ${write.value} was invoked after ${latest.value} was acknowledged but is ordered before it`, seed);
      }
    }
  }
}
