import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { AgentConfig } from '../config/index.js';
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
  const dir = dirname(resolve(configFile));
  const chosen = config.status?.addressFile;
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
