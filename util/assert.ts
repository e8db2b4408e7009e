/** Thrown when an internal invariant is broken: a bug, never bad input (STYLE.md §5.5). */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Throws an AssertionError when `condition` is false; stays on in production. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch that a discriminated-union switch can never reach. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}
