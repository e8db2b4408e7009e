import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnTracked, type TrackedProcess } from '../../helpers/index.js';
import { type ClientAvailability, type Json, probe, runJsonClient } from './client-process.js';

/**
 * Debian's interpreter, where python3-kazoo lives; the python3 first on PATH may be a pyenv one
 * without the package.
 */
export const debianPython = '/usr/bin/python3';

/** The scenario script the kazoo suite runs. */
const kazooScript = fileURLToPath(new URL('./kazoo_scenarios.py', import.meta.url));

let cached: ClientAvailability | undefined;

/** Whether /usr/bin/python3 can import kazoo (the python3-kazoo package). */
export function kazooAvailability(): ClientAvailability {
  if (cached !== undefined) return cached;
  if (!existsSync(debianPython)) {
    cached = { ok: false, reason: `${debianPython} is missing` };
  } else {
    const result = probe(debianPython, ['-c', 'import kazoo.client, kazoo.recipe.lock']);
    cached = result.ok
      ? { ok: true, reason: '' }
      : { ok: false, reason: `python3-kazoo is not installed (${result.output.split('\n').at(-1) ?? ''})` };
  }
  return cached;
}

/** Runs one scenario of kazoo_scenarios.py against `connectString` and returns its JSON outcome. */
export function runKazoo(connectString: string, scenario: string): Promise<Json> {
  return runJsonClient(debianPython, [kazooScript, connectString, scenario], { timeoutMs: 60_000 });
}

/** Starts one scenario of kazoo_scenarios.py without waiting, for scenarios the test takes part in. */
export function startKazoo(connectString: string, scenario: string): TrackedProcess {
  return spawnTracked(debianPython, [kazooScript, connectString, scenario]);
}
