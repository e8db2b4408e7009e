import type { CheckConfig } from '../config/agent-config.js';
import type { CheckSpec } from './check-runner.js';
import { commandProbe } from './command-check.js';
import { httpProbe } from './http-check.js';
import { tcpProbe } from './tcp-check.js';

/** Turns a validated check from the agent config into a spec the CheckRunner drives. */
export function checkSpecFromConfig(check: CheckConfig): CheckSpec {
  switch (check.kind) {
    case 'http':
      return {
        kind: 'probe',
        name: check.name,
        intervalMs: check.intervalMs,
        probe: httpProbe({
          url: check.url,
          method: check.method,
          timeoutMs: check.timeoutMs,
          ...(check.expectStatus === undefined ? {} : { expectStatus: check.expectStatus }),
        }),
      };
    case 'tcp':
      return { kind: 'probe', name: check.name, intervalMs: check.intervalMs, probe: tcpProbe(check) };
    case 'command':
      return { kind: 'probe', name: check.name, intervalMs: check.intervalMs, probe: commandProbe(check) };
    case 'ttl':
      return { kind: 'ttl', name: check.name, ttlMs: check.ttlMs };
  }
}
