/**
 * A one-line progress indicator on stderr for long tree walks (export, import, push, pull). It
 * draws only when stderr is a terminal and the work has run for a while, so scripts and short
 * runs see nothing, and it redraws at most every 100 ms.
 */

/** Redraws at most this often. */
const redrawIntervalMs = 100;
/** Work shorter than this shows no progress at all. */
const quietStartMs = 500;

/** Progress of one long operation: `exporting 1200/5000 nodes [=====     ]`. */
export class Progress {
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #startMs = performance.now();
  #lastDrawMs = 0;
  #hasDrawn = false;

  constructor(label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#stream = stream;
  }

  /** Reports `done` units of work out of `total` (unknown: undefined). */
  update(done: number, total?: number): void {
    if (this.#stream.isTTY !== true) return;
    const nowMs = performance.now();
    if (nowMs - this.#startMs < quietStartMs || nowMs - this.#lastDrawMs < redrawIntervalMs) return;
    this.#lastDrawMs = nowMs;
    this.#hasDrawn = true;
    this.#stream.write(`\r\x1b[K${this.#label} ${render(done, total)}`);
  }

  /** Clears the line, if anything was drawn. */
  finish(): void {
    if (this.#hasDrawn) this.#stream.write('\r\x1b[K');
    this.#hasDrawn = false;
  }
}

function render(done: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${done}`;
  const width = 30;
  const filled = Math.min(width, Math.round((done / total) * width));
  return `${done}/${total} [${'='.repeat(filled)}${' '.repeat(width - filled)}]`;
}
