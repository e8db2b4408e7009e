import { describe, expect, it } from 'vitest';
import { EventStream, EventStreamOverflowError } from '../../../client/event-stream.js';

describe('EventStream', () => {
  it('delivers queued and later values in order, then ends', async () => {
    const s = new EventStream<number>({ maxQueued: 10 });
    s.push(1);
    const pending = s.next();
    s.push(2);
    s.end();
    s.push(3);
    expect(await pending).toEqual({ value: 1, done: false });
    const rest: number[] = [];
    for await (const v of s) rest.push(v);
    expect(rest).toEqual([2]);
  });

  it('a waiting reader gets the next pushed value', async () => {
    const s = new EventStream<string>({ maxQueued: 1 });
    const next = s.next();
    s.push('a');
    expect(await next).toEqual({ value: 'a', done: false });
  });

  it('fails the reader with an overflow error once the bound is passed', async () => {
    const s = new EventStream<number>({ maxQueued: 2 });
    s.push(1);
    s.push(2);
    s.push(3);
    expect(await s.next()).toEqual({ value: 1, done: false });
    expect(await s.next()).toEqual({ value: 2, done: false });
    await expect(s.next()).rejects.toBeInstanceOf(EventStreamOverflowError);
  });

  it('break runs the cleanup once', async () => {
    let cleanups = 0;
    const s = new EventStream<number>({
      maxQueued: 5,
      onReturn: () => {
        cleanups++;
        return Promise.resolve();
      },
    });
    s.push(1);
    s.push(2);
    for await (const v of s) if (v === 1) break;
    await s.return();
    expect(cleanups).toBe(1);
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });
});
