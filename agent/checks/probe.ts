/** The outcome of one check run. */
export interface CheckResult {
  /** True when the check passed. */
  readonly ok: boolean;
  /** A short human-readable note (status line, error, command output). */
  readonly output: string;
}

/** One active check: runs once and resolves with its result (it never rejects). */
export type Probe = () => Promise<CheckResult>;

/** Runs `probe`, turning a rejection into a failed result, so a buggy probe cannot stop the loop. */
export async function runProbe(probe: Probe): Promise<CheckResult> {
  try {
    return await probe();
  } catch (err) {
    return { ok: false, output: err instanceof Error ? err.message : String(err) };
  }
}
