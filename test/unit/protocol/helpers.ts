// Shared helpers of the protocol tests: hex parsing, and byte arrays compared by content so
// that a Buffer equals a Uint8Array holding the same bytes.
import { Buffer } from 'node:buffer';
import { expect } from 'vitest';

/** Equal when both are byte arrays with the same content, whatever their class. */
function byteArraysEqual(a: unknown, b: unknown): boolean | undefined {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return undefined;
}

expect.addEqualityTesters([byteArraysEqual]);

/** Parses "00 0A ff | 01" into bytes, ignoring spaces and bars. */
export function bytes(text: string): Uint8Array {
  const digits = text.replace(/[^0-9a-fA-F]/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The value of a result that must be ok. */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.value;
}
