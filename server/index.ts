/**
 * The coordination server: a pure replica core (tree, txns, sessions, watches) driven by a thin
 * shell (sockets, files, clock). `runServer` reads zoo.cfg and myid and serves until stopped.
 * The server never imports the client, and nothing here reads process.env.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/logger.js';
import { parseProperties, parseZooCfg, ConfigError, type ServerConfig } from './config/index.js';
import { startServer, type ServerHandle } from './main.js';

export { ConfigError, parseZooCfg, juteMaxBufferFromJvmFlags, type ServerConfig } from './config/index.js';
export { startServer, corralVersion, type ServerHandle, type ServerOptions } from './main.js';
export { StorageCorruptError } from './storage/index.js';

/** Options of runServer. */
export interface RunServerOptions {
  readonly configPath: string;
  readonly logger: Logger;
  /** The `jute.maxbuffer` system property's value, when set (see juteMaxBufferFromJvmFlags). */
  readonly juteMaxBuffer?: number;
}

/** Reads the config (and `<dataDir>/myid` when present), recovers state and starts serving. */
export async function runServer(options: RunServerOptions): Promise<ServerHandle> {
  const { config, configText } = await loadConfig(options.configPath, options.logger, options.juteMaxBuffer);
  return startServer({ config, configText, log: options.logger });
}

/** Parses zoo.cfg with the myid file of its dataDir (ZooKeeper reads it there). */
export async function loadConfig(
  configPath: string,
  log: Logger,
  juteMaxBuffer?: number,
): Promise<{ config: ServerConfig; configText: string }> {
  const configText = await readFile(configPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(configPath, '(file)', `cannot read: ${error.code ?? error.message}`);
  });
  const dataDir = parseProperties(configText, configPath).findLast((entry) => entry.key === 'dataDir')?.value;
  const myidText =
    dataDir === undefined
      ? null
      : await readFile(join(dataDir, 'myid'), 'utf8').catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        });
  const { config, warnings } = parseZooCfg(configText, { file: configPath, myidText, ...(juteMaxBuffer === undefined ? {} : { juteMaxBuffer }) });
  for (const warning of warnings) log.warn({ file: configPath, warning }, 'zoo.cfg warning');
  return { config, configText };
}
