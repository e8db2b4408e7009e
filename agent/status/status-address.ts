import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { type AgentConfig, ConfigError, parseYamlDocument } from '../config/index.js';
import { atomicWrite } from '../render/index.js';

/** What a running agent writes about its status endpoint. */
export interface StatusAddress {
  readonly host: string;
  readonly port: number;
  /** The agent's process id, so that a stale file can be told apart. */
  readonly pid: number;
}

const statusAddressSchema = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), pid: z.number().int() });

/**
 * The file where the agent of `configFile` writes its bound status address: `status.addressFile`
 * (relative to the config file's folder), else `.<config file name>.status.json` beside it.
 */
export function statusAddressPath(configFile: string, config: Pick<AgentConfig, 'status'>): string {
  return addressPathFor(configFile, config.status?.addressFile);
}

function addressPathFor(configFile: string, chosen: string | undefined): string {
  const dir = dirname(resolve(configFile));
  if (chosen === undefined) return join(dir, `.${basename(configFile)}.status.json`);
  return isAbsolute(chosen) ? chosen : resolve(dir, chosen);
}

/** Writes the bound address atomically (a reader never sees half a file). */
export async function writeStatusAddress(path: string, address: StatusAddress): Promise<void> {
  await atomicWrite({ path, content: `${JSON.stringify(address)}\n`, mode: 0o644 });
}

/** Reads an address file; null when it is missing or not one the agent wrote. */
export async function readStatusAddress(path: string): Promise<StatusAddress | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: someone else's file, treated as no address.
    return null;
  }
  const result = statusAddressSchema.safeParse(parsed);
  return result.success ? result.data : null;
}

/** Removes the address file if it still names this process (a newer agent may have replaced it). */
export async function removeStatusAddress(path: string, pid: number): Promise<void> {
  const current = await readStatusAddress(path);
  if (current?.pid === pid) await rm(path, { force: true });
}

/** Where {@link locateStatusEndpoint} found a running agent's status endpoint. */
export type StatusLocation =
  | { readonly found: true; readonly host: string; readonly port: number; readonly from: 'addressFile' | 'config' }
  | { readonly found: false; readonly reason: string };

const statusSectionSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
  addressFile: z.string().min(1).optional(),
});

/**
 * Finds the status endpoint of the agent of `configFile` reading only what locating needs: the
 * `status` section of the YAML file (nothing else of it is validated, and services.d is not
 * read), then the address file the running agent wrote, else `status.host` and `status.port`.
 * So `corral agent status --config` still reaches an agent whose config was since broken (the
 * agent keeps running on its last good config and reports the error). A file that is not YAML
 * at all still finds an agent through the default address file.
 */
export async function locateStatusEndpoint(configFile: string): Promise<StatusLocation> {
  let document: unknown;
  try {
    document = parseYamlDocument(await readFile(configFile, 'utf8'), configFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const bound = await readStatusAddress(statusAddressPath(configFile, {}));
    if (bound !== null) return { found: true, host: bound.host, port: bound.port, from: 'addressFile' };
    throw err;
  }
  const raw = typeof document === 'object' && document !== null && 'status' in document ? document.status : undefined;
  if (raw === undefined || raw === null) return { found: false, reason: `${configFile} has no status section; the agent serves no status endpoint` };
  const parsed = statusSectionSchema.safeParse(raw);
  const status = parsed.success ? parsed.data : null;
  const addressFile = status?.addressFile;
  const bound = await readStatusAddress(addressPathFor(configFile, addressFile));
  if (bound !== null) return { found: true, host: bound.host, port: bound.port, from: 'addressFile' };
  if (status === null) return { found: false, reason: `${configFile}: status: ${parsed.error?.issues[0]?.message ?? 'invalid'}, and no running agent wrote its address` };
  if (status.port === 0) return { found: false, reason: `${configFile}: status.port is 0 and no running agent wrote its address; is the agent running?` };
  return { found: true, host: status.host, port: status.port, from: 'config' };
}
