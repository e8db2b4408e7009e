/**
 * Service instances in Apache Curator's service discovery layout (curator-x-discovery
 * ServiceInstance as written by JsonInstanceSerializer): one JSON document per znode
 * `<basePath>/<name>/<id>`, with the fields name, id, address, port, sslPort, payload,
 * registrationTimeUTC, serviceType and uriSpec in that order, nulls written out, and `enabled`
 * only when set (Curator's compatible mode leaves it out). Pure: no I/O.
 */
import { z } from 'zod';
import { InvalidInstanceError } from './errors.js';
import { childPath } from './sequence.js';

/** Curator's ServiceType; registrations made here are DYNAMIC (ephemeral). */
export type ServiceType = 'DYNAMIC' | 'STATIC' | 'PERMANENT' | 'DYNAMIC_SEQUENTIAL';

/** One part of a Curator UriSpec: literal text or a `{variable}`. */
export interface UriSpecPart {
  readonly value: string;
  readonly variable: boolean;
}

/** Curator's UriSpec as it appears in JSON. */
export interface UriSpec {
  readonly parts: readonly UriSpecPart[];
}

/** A JSON value (the payload is stored as given; Java readers may expect an `@class` key in objects). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One registered instance of a service, field for field as Curator serializes it. */
export interface ServiceInstance {
  readonly name: string;
  readonly id: string;
  readonly address: string | null;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: JsonValue;
  /** Wall-clock milliseconds since the epoch (Java's System.currentTimeMillis). */
  readonly registrationTimeUTC: number;
  readonly serviceType: ServiceType;
  readonly uriSpec: UriSpec | null;
  /** Curator 4+ writes `enabled`; undefined leaves the field out. */
  readonly enabled?: boolean;
}

/** The fields a caller chooses when making an instance; the rest get Curator's defaults. */
export interface ServiceInstanceFields {
  readonly name: string;
  readonly id?: string;
  readonly address?: string | null;
  readonly port?: number | null;
  readonly sslPort?: number | null;
  readonly payload?: JsonValue;
  readonly uriSpec?: UriSpec | null;
  readonly enabled?: boolean;
}

/** Makes a DYNAMIC instance, with a random id unless given, stamped at `wallMs`. */
export function makeServiceInstance(fields: ServiceInstanceFields, stamp: { readonly wallMs: number; readonly id: string }): ServiceInstance {
  const base = {
    name: fields.name,
    id: fields.id ?? stamp.id,
    address: fields.address ?? null,
    port: fields.port ?? null,
    sslPort: fields.sslPort ?? null,
    payload: fields.payload ?? null,
    registrationTimeUTC: stamp.wallMs,
    serviceType: 'DYNAMIC' as const,
    uriSpec: fields.uriSpec ?? null,
  };
  return fields.enabled === undefined ? base : { ...base, enabled: fields.enabled };
}

/** The znode of an instance: `<basePath>/<name>/<id>`. */
export function instancePath(basePath: string, name: string, id: string): string {
  return childPath(servicePath(basePath, name), id);
}

/** The znode whose children are a service's instances: `<basePath>/<name>`. */
export function servicePath(basePath: string, name: string): string {
  return childPath(basePath, name);
}

/** The instance as Curator's JSON bytes, keys in Curator's order. */
export function encodeServiceInstance(instance: ServiceInstance): Uint8Array {
  const ordered: Record<string, unknown> = {
    name: instance.name,
    id: instance.id,
    address: instance.address,
    port: instance.port,
    sslPort: instance.sslPort,
    payload: instance.payload,
    registrationTimeUTC: instance.registrationTimeUTC,
    serviceType: instance.serviceType,
    uriSpec: instance.uriSpec,
  };
  if (instance.enabled !== undefined) ordered['enabled'] = instance.enabled;
  return new TextEncoder().encode(JSON.stringify(ordered));
}

// Whatever JSON.parse gave is a JSON value already. Passed through as it is, not rebuilt by a
// zod record, which loses an own "__proto__" key (valid JSON, and kept by Curator's Jackson).
const jsonValue = z.custom<JsonValue>(() => true);

// Missing fields take the defaults of Curator's no-argument ServiceInstance constructor; unknown
// fields are ignored, as JsonInstanceSerializer does (FAIL_ON_UNKNOWN_PROPERTIES off).
const instanceSchema = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  address: z.string().nullable().default(null),
  port: z.number().int().nullable().default(null),
  sslPort: z.number().int().nullable().default(null),
  payload: jsonValue.default(null),
  registrationTimeUTC: z.number().int().default(0),
  serviceType: z.enum(['DYNAMIC', 'STATIC', 'PERMANENT', 'DYNAMIC_SEQUENTIAL']).default('DYNAMIC'),
  uriSpec: z
    .object({ parts: z.array(z.object({ value: z.string(), variable: z.boolean() })) })
    .nullable()
    .default(null),
  enabled: z.boolean().optional(),
});

/** Parses a znode's data as a Curator ServiceInstance; throws InvalidInstanceError naming `path`. */
export function parseServiceInstance(path: string, data: Uint8Array | null): ServiceInstance {
  if (data === null || data.length === 0) throw new InvalidInstanceError(path, 'no data');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (err) {
    throw new InvalidInstanceError(path, err instanceof Error ? err.message : 'not JSON');
  }
  const parsed = instanceSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInstanceError(path, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { enabled, ...rest } = parsed.data;
  return enabled === undefined ? rest : { ...rest, enabled };
}
