import { describe, expect, it } from 'vitest';
import { ManualScheduler, Quiescence } from '../../../agent/render/index.js';

function setup(minMs: number, maxMs: number) {
  const scheduler = new ManualScheduler();
  const fired: number[] = [];
  const q = new Quiescence({ minMs, maxMs, scheduler, onFire: () => fired.push(scheduler.nowMs()) });
  return { scheduler, fired, q };
}

describe('Quiescence (wait {minMs, maxMs})', () => {
  it('fires once minMs after a single change', () => {
    const { scheduler, fired, q } = setup(100, 1000);
    q.trigger();
    scheduler.advance(99);
    expect(fired).toEqual([]);
    scheduler.advance(1);
    expect(fired).toEqual([100]);
    expect(scheduler.pendingTimers).toBe(0);
  });

  it('a burst of changes gives one fire after the burst is quiet', () => {
    const { scheduler, fired, q } = setup(100, 1000);
    for (let i = 0; i < 5; i++) {
      q.trigger();
      scheduler.advance(50);
    }
    scheduler.advance(1000);
    expect(fired).toEqual([300]);
  });

  it('a never-ending burst still fires at maxMs after it began', () => {
    const { scheduler, fired, q } = setup(100, 250);
    for (let i = 0; i < 10; i++) {
      q.trigger();
      scheduler.advance(60);
    }
    expect(fired[0]).toBe(250);
  });

  it('cancel drops a pending burst', () => {
    const { scheduler, fired, q } = setup(100, 1000);
    q.trigger();
    expect(q.isPending).toBe(true);
    q.cancel();
    scheduler.advance(5000);
    expect(fired).toEqual([]);
  });

  it('refuses minMs above maxMs', () => {
    expect(() => setup(10, 5)).toThrow(RangeError);
  });
});

describe('ManualScheduler', () => {
  it('fires timers in due order, each at its own time, and never a cancelled one', () => {
    const s = new ManualScheduler();
    const seen: string[] = [];
    s.setTimer(30, () => seen.push(`c@${s.nowMs()}`));
    s.setTimer(10, () => {
      seen.push(`a@${s.nowMs()}`);
      s.setTimer(5, () => seen.push(`d@${s.nowMs()}`));
    });
    s.setTimer(20, () => seen.push(`b@${s.nowMs()}`)).cancel();
    s.advance(100);
    expect(seen).toEqual(['a@10', 'd@15', 'c@30']);
    expect(s.nowMs()).toBe(100);
  });
});
