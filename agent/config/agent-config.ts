import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** Signals an agent may send to its child; names as Node spells them. */
export const signalNames = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGKILL', 'SIGWINCH'] as const;

/** A signal name the agent accepts in its config. */
export type SignalName = (typeof signalNames)[number];

const positiveMs = z.number().int().positive();
const nonNegativeMs = z.number().int().nonnegative();
const port = z.number().int().min(1).max(65535);
const signal = z.enum(signalNames);

/**
 * A command as a shell string (run with `/bin/sh -c`) or an argv list (run directly); both
 * normalize to argv so the runner spawns one way.
 */
const command = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected a command string or a non-empty argv list',
  })
  .transform((value): readonly string[] => (typeof value === 'string' ? ['/bin/sh', '-c', value] : value));

const httpCheck = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    expectStatus: z.number().int().min(100).max(599).optional(),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    timeoutMs: positiveMs.default(5_000),
    intervalMs: positiveMs.default(10_000),
  })
  .strict();

const tcpCheck = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port,
    timeoutMs: positiveMs.default(5_000),
    intervalMs: positiveMs.default(10_000),
  })
  .strict();

const commandCheck = z
  .object({ argv: command, timeoutMs: positiveMs.default(10_000), intervalMs: positiveMs.default(10_000) })
  .strict();

const ttlCheck = z.object({ ttlMs: positiveMs }).strict();

const checkKinds = ['http', 'tcp', 'command', 'ttl'] as const;

/** One health check of a service, normalized to a tagged union. */
export type CheckConfig =
  | ({ readonly kind: 'http'; readonly name: string } & Readonly<z.output<typeof httpCheck>>)
  | ({ readonly kind: 'tcp'; readonly name: string } & Readonly<z.output<typeof tcpCheck>>)
  | ({ readonly kind: 'command'; readonly name: string } & Readonly<z.output<typeof commandCheck>>)
  | ({ readonly kind: 'ttl'; readonly name: string } & Readonly<z.output<typeof ttlCheck>>);

const checkEntry = z
  .object({
    name: z.string().min(1).optional(),
    http: httpCheck.optional(),
    tcp: tcpCheck.optional(),
    command: commandCheck.optional(),
    ttl: ttlCheck.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const present = checkKinds.filter((kind) => value[kind] !== undefined);
    if (present.length !== 1) ctx.addIssue({ code: 'custom', message: 'expected exactly one of http, tcp, command, ttl' });
  })
  .transform((value): CheckConfig => {
    const name = value.name;
    if (value.http) return { kind: 'http', name: name ?? `http ${value.http.url}`, ...value.http };
    if (value.tcp) return { kind: 'tcp', name: name ?? `tcp ${value.tcp.host}:${value.tcp.port}`, ...value.tcp };
    if (value.command) return { kind: 'command', name: name ?? `command ${value.command.argv.join(' ')}`, ...value.command };
    // superRefine guarantees exactly one kind, so ttl is the one left.
    const ttl = value.ttl ?? { ttlMs: 1 };
    return { kind: 'ttl', name: name ?? 'ttl', ...ttl };
  });

/** The schema of one service (also the whole content of a `services.d/*.yaml` file). */
export const serviceSchema = z
  .object({
    name: z.string().regex(/^[^/\s]+$/, 'expected a name without "/" or spaces'),
    id: z.string().regex(/^[^/\s]+$/, 'expected an id without "/" or spaces').optional(),
    address: z.string().min(1),
    port,
    tags: z.array(z.string()).default([]),
    metadata: z.record(z.string(), z.string()).default({}),
    checks: z.array(checkEntry).default([]),
    rise: z.number().int().positive().default(2),
    fall: z.number().int().positive().default(3),
    initial: z.enum(['healthy', 'unhealthy']).default('unhealthy'),
    onUnhealthy: z.enum(['remove', 'mark']).default('remove'),
  })
  .strict()
  .transform((value) => ({ ...value, id: value.id ?? `${value.name}-${value.address}-${value.port}` }));

/** Envconsul-style mapping of a znode subtree to environment variables. */
const envMapping = z
  .object({
    prefix: z.string().regex(/^\/.*/, 'expected an absolute znode path'),
    upcase: z.boolean().default(true),
    sanitize: z.boolean().default(true),
    namePrefix: z.string().default(''),
  })
  .strict();

const missing = z
  .union(
    [
      z.enum(['wait', 'default', 'fail']).transform((policy) => ({ policy, timeoutMs: null })),
      z.object({ policy: z.enum(['wait', 'default', 'fail']), timeoutMs: positiveMs.nullable().default(null) }).strict(),
    ],
    { error: 'expected wait, default, fail or { policy, timeoutMs }' },
  )
  .default({ policy: 'wait', timeoutMs: null });

const templateSchema = z
  .object({
    source: z.string().min(1).optional(),
    contents: z.string().optional(),
    env: envMapping.optional(),
    destination: z.string().min(1),
    vars: z.record(z.string(), z.string()).default({}),
    mode: z
      .string({ error: 'expected an octal string such as "0644"' })
      .regex(/^0?[0-7]{3,4}$/, 'expected an octal string such as "0644"')
      .transform((text) => parseInt(text, 8))
      .optional(),
    owner: z.object({ uid: z.number().int().nonnegative().optional(), gid: z.number().int().nonnegative().optional() }).strict().optional(),
    backup: z.boolean().default(false),
    wait: z
      .object({ minMs: nonNegativeMs, maxMs: positiveMs })
      .strict()
      .refine((w) => w.minMs <= w.maxMs, 'expected minMs <= maxMs')
      .optional(),
    check: command.optional(),
    checkTimeoutMs: positiveMs.default(30_000),
    allowEmpty: z.boolean().default(false),
    missing,
    command: command.optional(),
    commandTimeoutMs: positiveMs.default(30_000),
  })
  .strict()
  .superRefine((value, ctx) => {
    const sources = [value.source, value.contents, value.env].filter((s) => s !== undefined);
    if (sources.length !== 1) ctx.addIssue({ code: 'custom', message: 'expected exactly one of source, contents, env' });
  });

const execSchema = z
  .object({
    command,
    env: z
      .object({
        prefix: z.string().regex(/^\/.*/, 'expected an absolute znode path').optional(),
        upcase: z.boolean().default(true),
        sanitize: z.boolean().default(true),
        namePrefix: z.string().default(''),
        pristine: z.boolean().default(false),
        custom: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .default({ upcase: true, sanitize: true, namePrefix: '', pristine: false, custom: {} }),
    reloadSignal: signal.nullable().default(null),
    killSignal: signal.default('SIGTERM'),
    killTimeoutMs: positiveMs.default(30_000),
    splayMs: nonNegativeMs.default(0),
    restartPolicy: z.enum(['on-failure', 'always', 'never']).default('on-failure'),
    backoff: z
      .object({ minMs: positiveMs.default(1_000), maxMs: positiveMs.default(60_000), resetAfterMs: positiveMs.default(60_000) })
      .strict()
      .refine((b) => b.minMs <= b.maxMs, 'expected minMs <= maxMs')
      .default({ minMs: 1_000, maxMs: 60_000, resetAfterMs: 60_000 }),
  })
  .strict();

/** The schema of the agent config file, before `services.d/` is merged in. */
export const agentConfigSchema = z
  .object({
    server: z.string().min(1).default('127.0.0.1:2181'),
    sessionTimeoutMs: positiveMs.default(30_000),
    servicesDir: z.string().min(1).optional(),
    services: z.array(serviceSchema).default([]),
    templates: z.array(templateSchema).default([]),
    exec: execSchema.optional(),
    status: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535),
        // Where the agent writes its bound address (default: beside the config file), so that
        // `corral agent status --config` finds a port the OS chose.
        addressFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    failover: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** One service the agent registers, with defaults applied. */
export type ServiceConfig = Readonly<z.output<typeof serviceSchema>>;
/** One template (or dotenv env output) the agent renders, with defaults applied. */
export type TemplateConfig = Readonly<z.output<typeof templateSchema>>;
/** The supervised child process, with defaults applied. */
export type ExecConfig = Readonly<z.output<typeof execSchema>>;
/** Envconsul-style mapping options of a template's `env` output. */
export type EnvMappingConfig = Readonly<z.output<typeof envMapping>>;
/** The validated, frozen agent configuration. */
export type AgentConfig = Readonly<z.output<typeof agentConfigSchema>>;

/** Resolves the file paths of templates against the config file's folder. */
export function resolveTemplatePaths(templates: readonly TemplateConfig[], baseDir: string): TemplateConfig[] {
  const abs = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  return templates.map((t) => ({
    ...t,
    destination: abs(t.destination),
    ...(t.source === undefined ? {} : { source: abs(t.source) }),
  }));
}
