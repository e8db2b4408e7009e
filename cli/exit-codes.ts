/**
 * The CLI's exit codes (STYLE.md §5), and the mapping from a failure to its code. Documented in
 * the README; scripts branch on these numbers, so they never change meaning.
 */
import { ErrorCode, ZkError } from '../protocol/index.js';

/** Exit codes of every `corral` command. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** A ZooKeeper outcome such as NoNode or BadVersion. */
  ZooKeeperError: 1,
  /** Bad flags or arguments. */
  Usage: 2,
  /** The connection or the session was lost. */
  ConnectionLost: 3,
  /** The configuration is invalid. */
  InvalidConfig: 4,
  /** Stopped by SIGINT (128 + 2, as shells report it). */
  Interrupted: 130,
} as const;

/** One of the exit code values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A configuration error as server/config and agent/config raise it: `<file>: <key>: <reason>`. */
export interface ConfigErrorLike {
  readonly file: string;
  readonly key: string;
  readonly reason: string;
}

/**
 * Recognises a ConfigError by its shape rather than its class, so that the CLI maps the config
 * errors of both the server and the agent without importing either module's internals.
 */
export function isConfigError(err: unknown): err is Error & ConfigErrorLike {
  if (!(err instanceof Error) || err.name !== 'ConfigError') return false;
  const fields = err as unknown as Record<string, unknown>;
  return typeof fields['file'] === 'string' && typeof fields['key'] === 'string' && typeof fields['reason'] === 'string';
}

/** Error codes that mean the connection or session is gone rather than a failed operation. */
const connectionLostCodes: ReadonlySet<number> = new Set([
  ErrorCode.ConnectionLoss,
  ErrorCode.SessionExpired,
  ErrorCode.SessionMoved,
  ErrorCode.OperationTimeout,
  ErrorCode.RequestTimeout,
]);

/** Raised by a command that was interrupted by SIGINT or SIGTERM before it finished. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** Raised for bad flags or arguments that oclif's parser cannot catch. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The exit code for a failure. */
export function exitCodeOf(err: unknown): ExitCode {
  if (isConfigError(err)) return ExitCode.InvalidConfig;
  if (err instanceof ZkError) return connectionLostCodes.has(err.code) ? ExitCode.ConnectionLost : ExitCode.ZooKeeperError;
  if (err instanceof InterruptedError) return ExitCode.Interrupted;
  if (err instanceof UsageError || isOclifParseError(err)) return ExitCode.Usage;
  return ExitCode.ZooKeeperError;
}

/** oclif marks its flag and argument parse errors with `oclif.exit = 2`. */
function isOclifParseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const oclif = (err as unknown as { oclif?: { exit?: unknown } }).oclif;
  return oclif?.exit === ExitCode.Usage;
}
