/**
 * How `corral agent status` and `corral agent maint` reach a running agent: its local status
 * endpoint, named by `--status http://host:port`, or read from the agent's config file
 * (`--config`), or from `CORRAL_AGENT_STATUS`. Only cli/ reads the environment (STYLE.md §8).
 */
import { Flags } from '@oclif/core';
import { config as loadDotenv } from 'dotenv';
import { locateStatusEndpoint } from '../../agent/index.js';
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
    // Only the status section and the address file: a config broken since the agent started must
    // not hide the running agent (which keeps its last good config and reports the error).
    const location = await locateStatusEndpoint(flags.config);
    if (!location.found) throw new UsageError(location.reason);
    return `http://${location.host}:${location.port}`;
  }
  loadDotenv({ quiet: true });
  const fromEnv = process.env['CORRAL_AGENT_STATUS'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.replace(/\/+$/, '');
  throw new UsageError('name the agent with --status http://host:port, --config agent.yaml or CORRAL_AGENT_STATUS');
}

/** Requests `path` from the agent; a refused connection says the agent is not running there. */
export async function callAgent(
  base: string,
  path: string,
  method: 'GET' | 'POST' | 'PUT',
  body?: string,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(10_000), ...(body === undefined ? {} : { body }) });
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
