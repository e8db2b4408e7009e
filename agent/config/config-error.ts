/** Agent config errors: the shared util/ ConfigError (`agent.yaml: key.path: reason`) and its key-path format. */
export { ConfigError } from '../../util/config-error.js';

/** Formats a key path such as `['templates', 0, 'destination']` as `templates[0].destination`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
