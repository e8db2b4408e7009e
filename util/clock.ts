/** A source of time: monotonic milliseconds for timeouts and wall milliseconds for stamps. */
export interface Clock {
  /** Monotonic whole milliseconds; only differences mean anything. */
  nowMs(): number;
  /** Wall-clock milliseconds since the Unix epoch. */
  wallMs(): number;
}

/** The real clock, for shells only (STYLE.md §6). */
export const systemClock: Clock = {
  nowMs: () => Math.floor(performance.now()),
  wallMs: () => Date.now(),
};

/** A clock that moves only when told to; for tests and the simulation. */
export class ManualClock implements Clock {
  #nowMs: number;
  #wallOffsetMs: number;

  constructor(startMs = 0, wallStartMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
    this.#wallOffsetMs = wallStartMs - startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  wallMs(): number {
    return this.#nowMs + this.#wallOffsetMs;
  }

  /** Moves time forward by `deltaMs`. */
  advance(deltaMs: number): void {
    this.#nowMs += deltaMs;
  }
}
