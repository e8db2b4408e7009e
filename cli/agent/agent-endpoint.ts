/**
 * How `corral agent status` and `corral agent maint` reach a running agent: its local status
 * endpoint, named by `--status http://host:port`, or read from the agent's config file
 * (`--config`), or from `CORRAL_AGENT_STATUS`. Only cli/ reads the environment (STYLE.md §8).
 */
import { Flags } from '@oclif/core';
import { config as loadDotenv } from 'dotenv';
import { loadAgentConfig, readStatusAddress, statusAddressPath } from '../../agent/index.js';
import { UsageError } from '../exit-codes.js';

/** The flags that locate a running agent. */
export const endpointFlags = {
  status: Flags.string({ summary: 'The agent status endpoint, e.g. http://127.0.0.1:8500. Default: $CORRAL_AGENT_STATUS.' }),
  config: Flags.string({
    char: 'c',
    summary: 'The agent config file: the bound status address a running agent wrote (status.addressFile), else status.host and status.port.',
  }),
};

/** The base URL of the agent's status endpoint. */
export async function agentEndpoint(flags: { readonly status?: string | undefined; readonly config?: string | undefined }): Promise<string> {
  if (flags.status !== undefined) return flags.status.replace(/\/+$/, '');
  if (flags.config !== undefined) {
    const config = await loadAgentConfig({ file: flags.config });
    if (config.status === undefined) throw new UsageError(`${flags.config} has no status section; the agent serves no status endpoint`);
    // A running agent writes the address it bound (status.addressFile); that also covers port 0.
    const bound = await readStatusAddress(statusAddressPath(flags.config, config));
    if (bound !== null) return `http://${bound.host}:${bound.port}`;
    if (config.status.port === 0) {
      throw new UsageError(`${flags.config}: status.port is 0 and no running agent wrote its address; is the agent running?`);
    }
    return `http://${config.status.host}:${config.status.port}`;
  }
  loadDotenv({ quiet: true });
  const fromEnv = process.env['CORRAL_AGENT_STATUS'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.replace(/\/+$/, '');
  throw new UsageError('name the agent with --status http://host:port, --config agent.yaml or CORRAL_AGENT_STATUS');
}

/** Requests `path` from the agent; a refused connection says the agent is not running there. */
export async function callAgent(base: string, path: string, method: 'GET' | 'POST'): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`cannot reach the agent at ${base}: ${cause}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    // A non-JSON answer means something else listens on that port.
    throw new Error(`${base}${path} did not answer with JSON (HTTP ${response.status}); is it a corral agent?`);
  }
}
