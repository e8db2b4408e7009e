/**
 * The agent's `failover` section: both ways of moving the app (commands, signals), the refusal
 * of half-set commands and unknown keys (naming the key), and the warning when a transition may
 * outlast the session.
 */
import { describe, expect, it } from 'vitest';
import { failoverConfigSchema, parseFailoverConfig, transitionTimeoutWarning } from '../../../agent/failover/failover-config.js';
import { ConfigError } from '../../../util/config-error.js';

const file = '/etc/corral/agent.yaml';
const base = {
  group: 'namenode-ha',
  id: 'nn1',
  address: '127.0.0.1:9870',
  checks: [{ http: { url: 'http://127.0.0.1:9870/health', intervalMs: 1000, timeoutMs: 500 } }],
};

function errorOf(raw: unknown): ConfigError {
  try {
    parseFailoverConfig(raw, file);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('failoverConfigSchema', () => {
  it('accepts toActive/toStandby commands, with defaults applied', () => {
    const config = failoverConfigSchema.parse({ ...base, toActive: 'haadmin active {{token}}', toStandby: 'haadmin standby' });
    expect(config.toActive).toBe('haadmin active {{token}}');
    expect(config.signals).toBeUndefined();
    expect(config.transitionTimeoutMs).toBe(10_000);
    expect(config.fencing).toEqual([]);
    expect(config.failback).toBe(false);
  });

  it('accepts signals to the supervised app instead of commands', () => {
    const config = failoverConfigSchema.parse({ ...base, signals: { active: 'SIGUSR1', standby: 'SIGUSR2' }, fencing: [{ stopApp: true }] });
    expect(config.signals).toEqual({ active: 'SIGUSR1', standby: 'SIGUSR2' });
    expect(config.toActive).toBeUndefined();
  });

  it('refuses commands and signals together, and neither', () => {
    expect(failoverConfigSchema.safeParse({ ...base, toActive: 'a', toStandby: 'b', signals: { active: 'SIGUSR1', standby: 'SIGUSR2' } }).success).toBe(false);
    expect(errorOf(base).reason).toBe('expected either toActive/toStandby commands or signals');
  });

  it('refuses a half-set pair of commands, naming the missing one', () => {
    const onlyActive = errorOf({ ...base, toActive: 'haadmin active' });
    expect(onlyActive.key).toBe('failover.toStandby');
    expect(onlyActive.reason).toBe('required with the other transition command');
    expect(errorOf({ ...base, toStandby: 'haadmin standby' }).key).toBe('failover.toActive');
  });

  it('refuses an unknown key and names it', () => {
    const error = errorOf({ ...base, toActive: 'a', toStandby: 'b', transitionTimeout: 5000 });
    expect(error.key).toBe('failover.transitionTimeout');
    expect(error.reason).toBe('unknown key');
    expect(error.message).toContain('agent.yaml: failover.transitionTimeout: unknown key');
  });
});

describe('transitionTimeoutWarning', () => {
  it('is silent while the transition fits in the last third of the session timeout', () => {
    expect(transitionTimeoutWarning({ transitionTimeoutMs: 10_000 }, 30_000)).toBeNull();
    expect(transitionTimeoutWarning({ transitionTimeoutMs: 1_000 }, 4_000)).toBeNull();
  });

  it('warns, with both numbers, once the transition could outlast the session', () => {
    const warning = transitionTimeoutWarning({ transitionTimeoutMs: 10_000 }, 20_000);
    expect(warning).toContain('transitionTimeoutMs (10000 ms)');
    expect(warning).toContain('20000 ms / 3 = 6666 ms');
    // The default transition timeout against a short session.
    const defaults = failoverConfigSchema.parse({ ...base, signals: { active: 'SIGUSR1', standby: 'SIGUSR2' } });
    expect(transitionTimeoutWarning(defaults, 4_000)).not.toBeNull();
  });
});
