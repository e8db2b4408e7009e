/**
 * The `failover` section of the agent config, validated with zod: which group this member joins,
 * how its app's health is checked (the same check shapes as a service's), how the app is moved
 * between roles (commands with `{{token}}`, or signals to the supervised app), and how a previous
 * active is fenced. agent/config keeps the section opaque; the runner parses it here, so a
 * mistake still refuses the whole config with `file: failover.key: reason`.
 */
import { z } from 'zod';
import { ConfigError, formatKeyPath, serviceSchema, signalNames } from '../config/index.js';
import { defaultFailoverRoot } from './group-layout.js';

const positiveMs = z.number().int().positive();

// The service schema's own check, rise and fall fields, so both sections accept the same shapes.
const serviceFields = serviceSchema.in.shape;

const fencingMethod = z.union(
  [
    z.object({ command: z.string().min(1), timeoutMs: positiveMs.default(10_000) }).strict(),
    z.object({ stopApp: z.literal(true) }).strict(),
  ],
  { error: 'expected { command, timeoutMs } or { stopApp: true }' },
);

const signalsSchema = z
  .object({ active: z.enum(signalNames), standby: z.enum(signalNames) })
  .strict();

/** The schema of the `failover` section. */
export const failoverConfigSchema = z
  .object({
    group: z.string().regex(/^[^/\s]+$/, 'expected a group name without "/" or spaces'),
    id: z.string().regex(/^[^/\s]+$/, 'expected a member id without "/" or spaces'),
    address: z.string().min(1),
    root: z.string().regex(/^\/.+[^/]$/, 'expected an absolute znode path').default(defaultFailoverRoot),
    checks: serviceFields.checks,
    rise: serviceFields.rise,
    fall: serviceFields.fall,
    toActive: z.string().min(1).optional(),
    toStandby: z.string().min(1).optional(),
    signals: signalsSchema.optional(),
    transitionTimeoutMs: positiveMs.default(10_000),
    fencing: z.array(fencingMethod).default([]),
    preferred: z.string().min(1).nullable().default(null),
    failback: z.boolean().default(false),
    retryMs: positiveMs.default(2_000),
  })
  .strict()
  .superRefine((value, ctx) => {
    const hasCommands = value.toActive !== undefined || value.toStandby !== undefined;
    if (hasCommands && (value.toActive === undefined || value.toStandby === undefined)) {
      ctx.addIssue({ code: 'custom', path: [value.toActive === undefined ? 'toActive' : 'toStandby'], message: 'required with the other transition command' });
    }
    if (hasCommands === (value.signals !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected either toActive/toStandby commands or signals' });
    }
    if (value.checks.length === 0) ctx.addIssue({ code: 'custom', path: ['checks'], message: 'expected at least one health check' });
  });

/** The validated `failover` section, with defaults applied. */
export type FailoverConfig = Readonly<z.output<typeof failoverConfigSchema>>;

/** One fencing method: a shell command, or stopping the app this agent supervises. */
export type FencingMethodConfig = FailoverConfig['fencing'][number];

/**
 * Validates the raw `failover` section (undefined means no failover) into a frozen
 * FailoverConfig; throws a ConfigError naming `file` and the key, e.g. `failover.fencing[0]`.
 */
export function parseFailoverConfig(raw: unknown, file: string): FailoverConfig | null {
  if (raw === undefined) return null;
  const result = failoverConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return Object.freeze(result.data);
  const issue = result.error.issues[0];
  if (issue === undefined) throw new ConfigError(file, 'failover', 'invalid');
  const isMissing = issue.code === 'invalid_type' && issue.input === undefined;
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? '?'] : issue.path;
  const reason = isMissing ? 'required' : issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
  throw new ConfigError(file, formatKeyPath(['failover', ...path]), reason);
}

/**
 * The warning for a transition that may outlast the session, or null. A ZooKeeper client sees a
 * silent server only after about two thirds of the session timeout; the app's toStandby then
 * has the last third before the server may expire the session and another member may win. A
 * `transitionTimeoutMs` beyond that leaves the "standby before expiry" rule to fencing alone.
 */
export function transitionTimeoutWarning(config: Pick<FailoverConfig, 'transitionTimeoutMs'>, sessionTimeoutMs: number): string | null {
  const boundMs = Math.floor(sessionTimeoutMs / 3);
  if (config.transitionTimeoutMs <= boundMs) return null;
  return (
    `failover.transitionTimeoutMs (${config.transitionTimeoutMs} ms) exceeds a third of the session timeout ` +
    `(${sessionTimeoutMs} ms / 3 = ${boundMs} ms): a slow toStandby may still run when the session expires, ` +
    'and only fencing then keeps two actives apart'
  );
}
