/**
 * One summary metric of ZooKeeper's metrics registry (AvgMinMaxCounter), as `mntr` prints it:
 * `avg_<name>` (a double), `min_<name>`, `max_<name>`, `cnt_<name>`, `sum_<name>`; all 0 before
 * the first sample.
 */
import type { MonitorValue } from './four-letter-words.js';

/** Count, sum, min and max of the values recorded (whole milliseconds, as ZooKeeper records). */
export class AvgMinMaxCounter {
  readonly #name: string;
  #count = 0;
  #sum = 0;
  #min = 0;
  #max = 0;

  constructor(name: string) {
    this.#name = name;
  }

  /** Records one value, truncated to an integer as ZooKeeper's long-valued counters hold it. */
  record(value: number): void {
    const whole = Math.max(0, Math.trunc(value));
    this.#min = this.#count === 0 ? whole : Math.min(this.#min, whole);
    this.#max = this.#count === 0 ? whole : Math.max(this.#max, whole);
    this.#count += 1;
    this.#sum += whole;
  }

  /** The five mntr entries, without the `zk_` prefix; the avg is marked to print as a double. */
  entries(): (readonly [string, MonitorValue])[] {
    return [
      [`avg_${this.#name}`, { double: this.#count === 0 ? 0 : this.#sum / this.#count }],
      [`min_${this.#name}`, this.#min],
      [`max_${this.#name}`, this.#max],
      [`cnt_${this.#name}`, this.#count],
      [`sum_${this.#name}`, this.#sum],
    ];
  }
}
