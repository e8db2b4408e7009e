/**
 * The agent's settings from outside its config file: `--server`, else `ZOOKEEPER_CONNECT` from
 * the environment or a `.env` file in the working directory. Only cli/ reads them (STYLE.md §8).
 */
import { config as loadDotenv } from 'dotenv';

/** Overrides of the agent config from the flag and the environment (empty when neither is set). */
export function agentOverrides(serverFlag: string | undefined): Record<string, unknown> {
  if (serverFlag !== undefined && serverFlag !== '') return { server: serverFlag };
  loadDotenv({ quiet: true });
  const fromEnv = process.env['ZOOKEEPER_CONNECT'];
  return fromEnv !== undefined && fromEnv !== '' ? { server: fromEnv } : {};
}
