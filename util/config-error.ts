/**
 * The error a component refuses to start with when its configuration is bad (STYLE.md §5.3):
 * `file: key: reason`, e.g. `zoo.cfg: tickTime: expected a positive integer, got "abc"` or
 * `agent.yaml: templates[0].destination: required`. Shared by server/config and agent/config,
 * which may not import each other; the CLI maps it to the invalid-config exit code.
 */

/** The last path segment of a file name, without node:path (callers' folders are pure). */
function basename(file: string): string {
  const trimmed = file.replace(/[/\\]+$/, '');
  const slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** Formats a config finding as `file: key: reason` (basename of `file`), for errors and warnings. */
export function configMessage(file: string, key: string, reason: string): string {
  return `${basename(file)}: ${key}: ${reason}`;
}

/** A configuration refused at start, with the file, the key at fault and the reason. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file as the caller named it. */
  readonly file: string;
  /** The key at fault, spelled as in the file (a zoo.cfg key, `myid`, or a YAML key path). */
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
