/** The last path segment of a file name, without touching node:path (this folder is pure). */
function basename(file: string): string {
  const trimmed = file.replace(/[/\\]+$/, '');
  const slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** Formats a config finding as `zoo.cfg: key: reason`, the shape of both errors and warnings. */
export function configMessage(file: string, key: string, reason: string): string {
  return `${basename(file)}: ${key}: ${reason}`;
}

/**
 * A configuration the server refuses to start with (STYLE.md §5.3), e.g.
 * `zoo.cfg: tickTime: expected a positive integer, got "abc"`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file as the caller named it. */
  readonly file: string;
  /** The zoo.cfg key at fault, spelled as in zoo.cfg (or `myid`). */
  readonly key: string;
  /** What is wrong, without the file and key. */
  readonly reason: string;

  /** Builds the error and its `file: key: reason` message from the basename of `file`. */
  constructor(file: string, key: string, reason: string) {
    super(configMessage(file, key, reason));
    this.file = file;
    this.key = key;
    this.reason = reason;
  }
}
