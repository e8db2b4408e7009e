/**
 * The outcome of decoding bytes from outside: a value, or the ZooKeeper error code the server
 * answers with and a reason for the log (STYLE.md §5.2: decoders return, never throw).
 */
import { ErrorCode } from './errors.js';
import { DecodeError } from './jute.js';

/** A decoded value, or the error code and reason why the bytes could not be decoded. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result. */
export function fail<T>(code: ErrorCode, reason: string): Result<T> {
  return { ok: false, code, reason };
}

/**
 * Runs a decoder and turns a DecodeError into a MarshallingError result; any other exception
 * is a bug in the codec and propagates.
 */
export function decodeWith<T>(decode: () => T): Result<T> {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, code: ErrorCode.MarshallingError, reason: err.message };
    throw err;
  }
}
