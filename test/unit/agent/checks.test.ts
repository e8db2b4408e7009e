import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckEvent, CheckRunner, type CheckResult, applyResult, checkSpecFromConfig } from '../../../agent/checks/index.js';
import { parseAgentConfig } from '../../../agent/config/index.js';
import { ManualScheduler } from '../../../agent/render/index.js';

/** Lets resolved probe promises run their continuations (no time passes). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A probe that returns scripted results in order (the last one repeats). */
function scripted(results: boolean[]): { probe: () => Promise<CheckResult>; calls: () => number } {
  let calls = 0;
  return {
    probe: () => {
      const ok = results[Math.min(calls, results.length - 1)] ?? false;
      calls += 1;
      return Promise.resolve({ ok, output: ok ? 'pass' : 'fail' });
    },
    calls: () => calls,
  };
}

describe('rise/fall thresholds', () => {
  it('flips only after rise passes or fall failures in a row', () => {
    const t = { rise: 2, fall: 3 };
    let s = { healthy: false, streak: 0 };
    s = applyResult(s, true, t);
    expect(s).toEqual({ healthy: false, streak: 1 });
    s = applyResult(s, false, t);
    expect(s).toEqual({ healthy: false, streak: 0 });
    s = applyResult(applyResult(s, true, t), true, t);
    expect(s).toEqual({ healthy: true, streak: 0 });
    s = applyResult(applyResult(applyResult(s, false, t), false, t), true, t);
    expect(s.healthy).toBe(true);
    s = applyResult(applyResult(applyResult(s, false, t), false, t), false, t);
    expect(s.healthy).toBe(false);
  });

  it('health equals "the last run of equal results reached its threshold" (model check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.array(fc.boolean(), { maxLength: 40 }), (rise, fall, initial, results) => {
        let state = { healthy: initial, streak: 0 };
        let model = initial;
        let run = 0;
        let last: boolean | null = null;
        for (const ok of results) {
          run = ok === last ? run + 1 : 1;
          last = ok;
          if (ok !== model && run >= (model ? fall : rise)) {
            model = ok;
          }
          state = applyResult(state, ok, { rise, fall });
          expect(state.healthy).toBe(model);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('CheckRunner', () => {
  it('runs a probe at start and then every intervalMs after the last run, flipping with rise/fall', async () => {
    const scheduler = new ManualScheduler();
    const p = scripted([true, true, false, false, false]);
    const events: CheckEvent[] = [];
    const runner = new CheckRunner({ checks: [{ kind: 'probe', name: 'http', intervalMs: 1000, probe: p.probe }], rise: 2, fall: 3, initialHealthy: false, scheduler });
    runner.on((e) => events.push(e));
    runner.start();
    runner.start();
    await flush();
    expect(p.calls()).toBe(1);
    expect(runner.isHealthy).toBe(false);
    scheduler.advance(1000);
    await flush();
    expect(p.calls()).toBe(2);
    expect(runner.isHealthy).toBe(true);
    for (let i = 0; i < 3; i++) {
      scheduler.advance(1000);
      await flush();
    }
    expect(runner.isHealthy).toBe(false);
    expect(events.filter((e) => e.type === 'healthChanged')).toEqual([
      { type: 'healthChanged', healthy: true },
      { type: 'healthChanged', healthy: false },
    ]);
    expect(runner.statuses()).toEqual([{ name: 'http', healthy: false, lastOutput: 'fail' }]);
    runner.close();
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('the service is healthy only when every check is', async () => {
    const scheduler = new ManualScheduler();
    const a = scripted([true]);
    const b = scripted([false, true]);
    const runner = new CheckRunner({
      checks: [
        { kind: 'probe', name: 'a', intervalMs: 100, probe: a.probe },
        { kind: 'probe', name: 'b', intervalMs: 100, probe: b.probe },
      ],
      rise: 1,
      fall: 1,
      initialHealthy: false,
      scheduler,
    });
    runner.start();
    await flush();
    expect(runner.statuses().map((s) => s.healthy)).toEqual([true, false]);
    expect(runner.isHealthy).toBe(false);
    scheduler.advance(100);
    await flush();
    expect(runner.isHealthy).toBe(true);
    runner.close();
  });

  it('a service without checks is healthy', () => {
    const runner = new CheckRunner({ checks: [], rise: 2, fall: 3, initialHealthy: false, scheduler: new ManualScheduler() });
    expect(runner.isHealthy).toBe(true);
  });

  it('TTL: reports keep it healthy; silence for ttlMs counts as a failure every ttlMs', () => {
    const scheduler = new ManualScheduler();
    const runner = new CheckRunner({ checks: [{ kind: 'ttl', name: 'app', ttlMs: 1000 }], rise: 1, fall: 2, initialHealthy: false, scheduler });
    runner.start();
    runner.reportTtl('app', true);
    expect(runner.isHealthy).toBe(true);
    scheduler.advance(900);
    runner.reportTtl('app', true);
    scheduler.advance(1900);
    expect(runner.isHealthy).toBe(true);
    scheduler.advance(100);
    expect(runner.isHealthy).toBe(false);
    expect(runner.statuses()[0]?.lastOutput).toBe('ttl expired after 1000 ms');
    runner.reportTtl('app', true, 'back');
    expect(runner.isHealthy).toBe(true);
    expect(() => runner.reportTtl('nope', true)).toThrow(RangeError);
    runner.close();
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('a probe that rejects counts as a failure', async () => {
    const scheduler = new ManualScheduler();
    const runner = new CheckRunner({
      checks: [{ kind: 'probe', name: 'x', intervalMs: 10, probe: () => Promise.reject(new Error('boom')) }],
      rise: 1,
      fall: 1,
      initialHealthy: true,
      scheduler,
    });
    runner.start();
    await flush();
    expect(runner.isHealthy).toBe(false);
    expect(runner.statuses()[0]?.lastOutput).toBe('boom');
    runner.close();
  });

  it('checkSpecFromConfig maps every configured kind', () => {
    const config = parseAgentConfig(
      {
        services: [
          {
            name: 's',
            address: 'h',
            port: 1,
            checks: [{ http: { url: 'http://127.0.0.1:1/' } }, { tcp: { port: 1 } }, { command: { argv: ['true'] } }, { ttl: { ttlMs: 5 } }],
          },
        ],
      },
      { file: 'agent.yaml' },
    );
    const specs = (config.services[0]?.checks ?? []).map(checkSpecFromConfig);
    expect(specs.map((s) => s.kind)).toEqual(['probe', 'probe', 'probe', 'ttl']);
    expect(specs.map((s) => s.name)).toEqual(['http http://127.0.0.1:1/', 'tcp 127.0.0.1:1', 'command true', 'ttl']);
  });
});
