import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, exitCodeOf, forwardSignals } from '../../../agent/supervise/index.js';

describe('supervise pure parts', () => {
  it('backoff doubles from minMs and caps at maxMs', () => {
    const backoff = { minMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelayMs(a, backoff))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('exit codes: a code passes through, a signal death is 128 + its number', () => {
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, 'SIGKILL')).toBe(137);
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143);
  });

  it('forwardSignals passes the chosen signals on until removed', () => {
    const source = new EventEmitter();
    const got: string[] = [];
    const remove = forwardSignals(source, { signal: (s) => got.push(s) }, ['SIGHUP', 'SIGUSR1']);
    source.emit('SIGHUP');
    source.emit('SIGUSR2');
    source.emit('SIGUSR1');
    remove();
    source.emit('SIGHUP');
    expect(got).toEqual(['SIGHUP', 'SIGUSR1']);
    expect(source.listenerCount('SIGHUP')).toBe(0);
  });
});
