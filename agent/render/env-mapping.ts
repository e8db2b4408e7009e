import type { TreeEntry } from './data-source.js';

/** How znode keys become environment variable names, after envconsul. */
export interface EnvNameOptions {
  /** Uppercase the name (default true). */
  readonly upcase?: boolean;
  /** Replace every character other than A-Z, a-z, 0-9 and `_` with `_` (default true). */
  readonly sanitize?: boolean;
  /** Text put in front of every name, e.g. `APP_`. */
  readonly namePrefix?: string;
}

/** Turns a key relative to the prefix (`db/host-name`) into a variable name (`DB_HOST_NAME`). */
export function mangleEnvName(key: string, options: EnvNameOptions = {}): string {
  let name = `${options.namePrefix ?? ''}${key}`;
  if (options.sanitize ?? true) name = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (options.upcase ?? true) name = name.toUpperCase();
  return name;
}

/**
 * Maps a subtree's entries to environment variables (prefix already stripped: keys are relative).
 * Entries are taken in key order, so when two keys mangle to one name the later key wins, every time.
 */
export function mapTreeToEnv(entries: readonly TreeEntry[], options: EnvNameOptions = {}): Record<string, string> {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const env: Record<string, string> = {};
  for (const entry of sorted) {
    const name = mangleEnvName(entry.key, options);
    if (name !== '') env[name] = entry.value;
  }
  return env;
}

/** Inputs of {@link buildExecEnv}. */
export interface ExecEnvOptions {
  /** The agent's own environment (cli/ passes process.env). */
  readonly base: Readonly<Record<string, string | undefined>>;
  /** Start from nothing instead of `base` (envconsul's `pristine`). */
  readonly pristine: boolean;
  /** Variables mapped from the znode subtree (see {@link mapTreeToEnv}). */
  readonly fromTree: Readonly<Record<string, string>>;
  /** Fixed variables from the config, which win over everything. */
  readonly custom: Readonly<Record<string, string>>;
}

/** The supervised child's environment: base (unless pristine), then the subtree, then custom values. */
export function buildExecEnv(options: ExecEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (!options.pristine) {
    for (const [name, value] of Object.entries(options.base)) if (value !== undefined) env[name] = value;
  }
  return Object.assign(env, options.fromTree, options.custom);
}
