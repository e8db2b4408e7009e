/** Options for {@link until}: the overall bound and the pause between polls. */
export interface UntilOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Pause between two polls, in milliseconds (default 50). */
  readonly intervalMs?: number;
  /** Words for the timeout error, so a failing test says what it waited for. */
  readonly what?: string;
}

/**
 * Polls `cond` until it returns a truthy value and returns that value; throws once `timeoutMs`
 * has passed. A condition that throws is treated as "not yet" until the deadline, and the last
 * error is named in the timeout message.
 */
export async function until<T>(
  cond: () => T | Promise<T>,
  options: UntilOptions,
): Promise<NonNullable<T>> {
  const intervalMs = options.intervalMs ?? 50;
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await cond();
      if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') {
        return value;
      }
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const what = options.what ?? 'condition';
  const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
}
