import { dirname } from 'node:path';
import type { z } from 'zod';
import {
  type AgentConfig,
  agentConfigSchema,
  resolveTemplatePaths,
  type ServiceConfig,
  serviceSchema,
} from './agent-config.js';
import { ConfigError, formatKeyPath } from './config-error.js';

/** Settings given by cli/ (from flags, env vars and `.env`) that win over the file's values. */
export type AgentConfigOverrides = Readonly<Record<string, unknown>>;

/** One extra service document, e.g. the parsed content of `services.d/web.yaml`. */
export interface ExtraService {
  /** The file it came from, for error messages. */
  readonly file: string;
  /** The parsed YAML value. */
  readonly value: unknown;
}

/** Inputs of {@link parseAgentConfig}. */
export interface ParseAgentConfigOptions {
  /** The config file name, for error messages and as the base of relative paths. */
  readonly file: string;
  /** Values that replace the file's (objects merge key by key, arrays and scalars replace). */
  readonly overrides?: AgentConfigOverrides;
  /** Services from `services.d/`, appended after the file's own. */
  readonly extraServices?: readonly ExtraService[];
}

/** The pseudo file name that errors in overridden keys carry. */
export const overridesFile = '(overrides)';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `over` into `base`: objects key by key, anything else replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let at = value;
  for (const part of path) {
    if (typeof at !== 'object' || at === null || !(String(part) in at)) return false;
    at = (at as Record<string, unknown>)[String(part)];
  }
  return true;
}

/** Words for one zod issue: a missing key is `required`, an unknown one is `unknown key`. */
function reasonOf(issue: z.core.$ZodIssue): { path: PropertyKey[]; reason: string } {
  if (issue.code === 'invalid_type' && issue.input === undefined) return { path: issue.path, reason: 'required' };
  if (issue.code === 'unrecognized_keys') {
    return { path: [...issue.path, issue.keys[0] ?? '?'], reason: 'unknown key' };
  }
  return { path: issue.path, reason: issue.message };
}

/** Parses `input` with `schema` or throws the first issue as a ConfigError naming file and key. */
function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  file: string,
  overrides?: AgentConfigOverrides,
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (first === undefined) throw new ConfigError(file, '(root)', 'invalid');
  const { path, reason } = reasonOf(first);
  const source = overrides !== undefined && path.length > 0 && hasPath(overrides, path) ? overridesFile : file;
  throw new ConfigError(source, formatKeyPath(path), reason);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function checkUnique(
  values: readonly { value: string; file: string; key: string }[],
  what: string,
): void {
  const seen = new Set<string>();
  for (const { value, file, key } of values) {
    if (seen.has(value)) throw new ConfigError(file, key, `duplicate ${what} "${value}"`);
    seen.add(value);
  }
}

/**
 * Validates a parsed agent config document (plus overrides and `services.d/` documents) into a
 * frozen {@link AgentConfig}; throws a {@link ConfigError} naming the file, key path and reason.
 */
export function parseAgentConfig(input: unknown, options: ParseAgentConfigOptions): AgentConfig {
  const document = input === null || input === undefined ? {} : input;
  if (!isPlainObject(document)) throw new ConfigError(options.file, '(root)', 'expected a mapping');
  const merged = deepMerge(document, options.overrides ?? {});
  const parsed = parseOrThrow(agentConfigSchema, merged, options.file, options.overrides);
  const keyed = parsed.services.map((service, i) => ({ service, file: options.file, key: `services[${i}].id` }));
  for (const extra of options.extraServices ?? []) {
    const service: ServiceConfig = parseOrThrow(serviceSchema, extra.value ?? {}, extra.file);
    keyed.push({ service, file: extra.file, key: 'id' });
  }
  checkUnique(keyed.map((k) => ({ value: k.service.id, file: k.file, key: k.key })), 'service id');
  const templates = resolveTemplatePaths(parsed.templates, dirname(options.file));
  checkUnique(
    templates.map((t, i) => ({ value: t.destination, file: options.file, key: `templates[${i}].destination` })),
    'destination',
  );
  return deepFreeze({ ...parsed, services: keyed.map((k) => k.service), templates });
}
