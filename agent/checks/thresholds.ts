/** Rise/fall thresholds: consecutive results needed to flip health, as in HAProxy. */
export interface Thresholds {
  /** Consecutive passes that make an unhealthy check healthy. */
  readonly rise: number;
  /** Consecutive failures that make a healthy check unhealthy. */
  readonly fall: number;
}

/** A check's health and how many results in a row have disagreed with it. */
export interface ThresholdState {
  readonly healthy: boolean;
  readonly streak: number;
}

/** Folds one result into the state: a disagreeing streak of rise/fall results flips health. */
export function applyResult(state: ThresholdState, ok: boolean, thresholds: Thresholds): ThresholdState {
  if (ok === state.healthy) return { healthy: state.healthy, streak: 0 };
  const streak = state.streak + 1;
  const needed = state.healthy ? thresholds.fall : thresholds.rise;
  return streak >= needed ? { healthy: ok, streak: 0 } : { healthy: state.healthy, streak };
}
