import { type Clock, ManualClock, systemClock } from '../../util/index.js';

/** A pending timer that can be cancelled; cancelling twice or after it fired does nothing. */
export interface Timer {
  /** Stops the timer from firing. */
  cancel(): void;
}

/** A clock that can also run callbacks later; injected so the agent's timing is testable. */
export interface Scheduler extends Clock {
  /** Runs `fn` once after `delayMs` milliseconds. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** The real scheduler (setTimeout and the system clock), for the agent's shell. */
export const systemScheduler: Scheduler = {
  nowMs: () => systemClock.nowMs(),
  wallMs: () => systemClock.wallMs(),
  setTimer(delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};

interface PendingTimer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A scheduler whose time moves only through `advance`, firing due timers in order; for tests. */
export class ManualScheduler extends ManualClock implements Scheduler {
  #timers = new Set<PendingTimer>();
  #seq = 0;

  /** Schedules `fn` at now + `delayMs` in manual time. */
  setTimer(delayMs: number, fn: () => void): Timer {
    const timer: PendingTimer = { dueMs: this.nowMs() + Math.max(0, delayMs), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  /** How many timers are waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `deltaMs`, firing every timer that falls due on the way, in order. */
  override advance(deltaMs: number): void {
    const targetMs = this.nowMs() + deltaMs;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.dueMs > targetMs) break;
      this.#timers.delete(next);
      super.advance(next.dueMs - this.nowMs());
      next.fn();
    }
    super.advance(targetMs - this.nowMs());
  }

  #earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
