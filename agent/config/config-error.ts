/** The last path segment of a file name, so messages stay short and stable across hosts. */
function basename(file: string): string {
  const trimmed = file.replace(/[/\\]+$/, '');
  const slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** Formats a key path such as `['templates', 0, 'destination']` as `templates[0].destination`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * An agent configuration the agent refuses to start with (STYLE.md §5.3), e.g.
 * `agent.yaml: templates[0].destination: required`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file as the caller named it (or `(overrides)` for values given by cli/). */
  readonly file: string;
  /** The key path at fault, e.g. `services[1].checks[0].http.url`. */
  readonly key: string;
  /** What is wrong, without the file and key. */
  readonly reason: string;

  /** Builds the error and its `file: key: reason` message from the basename of `file`. */
  constructor(file: string, key: string, reason: string) {
    super(`${basename(file)}: ${key}: ${reason}`);
    this.file = file;
    this.key = key;
    this.reason = reason;
  }
}
