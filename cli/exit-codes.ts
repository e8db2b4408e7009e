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
  /** Bad flags or arguments, or a local file or folder named by one that cannot be read or written. */
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
  override readonly name: string = 'UsageError';
}

/**
 * A local file or folder the user named could not be read or written (missing, not permitted,
 * a folder where a file was expected). A usage error: the argument names something unusable.
 */
export class LocalFileError extends UsageError {
  override readonly name = 'LocalFileError';
  constructor(
    readonly path: string,
    readonly errno: string,
    message: string,
  ) {
    super(message);
  }
}

const errnoReasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'the file is busy',
  EIO: 'input/output error',
  EXDEV: 'the rename crosses file systems',
};

/** Whether `err` is a node:fs failure (an errno code from the set above). */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && Object.hasOwn(errnoReasons, code);
}

/** A hidden temp file of writeFileAtomic (`.<name>.corral-<pid>-<n>.tmp`): its target's path. */
function targetOfTempFile(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const match = /^\.(.+)\.corral-\d+-\d+\.tmp$/.exec(path.slice(slash + 1));
  return match === null ? undefined : `${path.slice(0, slash + 1)}${match[1] ?? ''}`;
}

/**
 * Re-words a node:fs failure while reading or writing `path` (the user's own name for the file
 * or folder) as a LocalFileError naming it; any other error is returned unchanged. A file inside
 * a named folder (push, pull) is added in parentheses; temp files are named by their target.
 */
export function asLocalFileError(err: unknown, action: 'read' | 'write', path: string): unknown {
  if (!isFileSystemError(err)) return err;
  const failed = typeof err.path === 'string' ? (targetOfTempFile(err.path) ?? err.path) : path;
  // Writing a file whose folder is missing fails with ENOENT on the file itself.
  const reason = err.code === 'ENOENT' && action === 'write' ? 'its folder does not exist' : (errnoReasons[err.code] ?? err.code);
  const inside = failed === path ? '' : ` (${failed})`;
  return new LocalFileError(failed, err.code, `cannot ${action} ${path}${inside}: ${reason} (${err.code})`);
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
