import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionTable } from '../../../server/session/index.js';

describe('SessionTable', () => {
  it('puts a session in the bucket after now + timeout (ExpiryQueue.roundToNextInterval)', () => {
    const table = new SessionTable({ tickMs: 2000 });
    table.add(1n, 30_000, 1000);
    table.add(2n, 30_000, 0);
    expect([...table.buckets()]).toEqual([[32_000, [1n, 2n]]]);
  });

  it('expires a session only once its bucket deadline has passed, and marks it closing', () => {
    const table = new SessionTable({ tickMs: 2000 });
    table.add(1n, 4000, 0);
    expect(table.expired(5999)).toEqual([]);
    expect(table.expired(6000)).toEqual([1n]);
    expect(table.get(1n)).toEqual({ sessionId: 1n, timeoutMs: 4000, closing: true });
    expect(table.size).toBe(1);
    expect(table.expired(100_000)).toEqual([]);
  });

  it('touch moves the deadline and can renegotiate the timeout', () => {
    const table = new SessionTable({ tickMs: 1000 });
    table.add(7n, 3000, 0);
    expect(table.touch(7n, undefined, 2500)).toBe(true);
    expect(table.expired(4000)).toEqual([]);
    expect(table.touch(7n, 10_000, 2500)).toBe(true);
    expect(table.get(7n)?.timeoutMs).toBe(10_000);
    expect(table.expired(12_999)).toEqual([]);
    expect(table.expired(13_000)).toEqual([7n]);
  });

  it('touch fails for unknown and closing sessions and does not revive them', () => {
    const table = new SessionTable({ tickMs: 1000 });
    expect(table.touch(9n, undefined, 0)).toBe(false);
    table.add(9n, 2000, 0);
    table.setClosing(9n);
    expect(table.isClosing(9n)).toBe(true);
    expect(table.touch(9n, 2000, 500)).toBe(false);
    expect(table.expired(60_000)).toEqual([]);
  });

  it('remove forgets the session and its bucket', () => {
    const table = new SessionTable({ tickMs: 1000 });
    table.add(1n, 2000, 0);
    expect(table.remove(1n)).toBe(true);
    expect(table.remove(1n)).toBe(false);
    expect(table.get(1n)).toBeUndefined();
    expect(table.buckets().size).toBe(0);
    expect(table.isClosing(1n)).toBe(false);
  });

  it('add of a known session refreshes its deadline and returns false', () => {
    const table = new SessionTable({ tickMs: 1000 });
    expect(table.add(1n, 2000, 0)).toBe(true);
    expect(table.add(1n, 2000, 5000)).toBe(false);
    expect(table.expired(6000)).toEqual([]);
    expect(table.size).toBe(1);
  });

  it('returns expired sessions oldest bucket first', () => {
    const table = new SessionTable({ tickMs: 1000 });
    table.add(3n, 5000, 0);
    table.add(1n, 2000, 0);
    table.add(2n, 2000, 100);
    expect(table.expired(10_000)).toEqual([1n, 2n, 3n]);
  });

  it('treats the signed and unsigned form of a session id as the same session', () => {
    const table = new SessionTable({ tickMs: 1000 });
    const unsigned = 0xc800000000000001n;
    table.add(unsigned, 2000, 0);
    expect(table.touch(BigInt.asIntN(64, unsigned), undefined, 0)).toBe(true);
    expect(table.get(unsigned)?.sessionId).toBe(BigInt.asIntN(64, unsigned));
  });

  it('serializes sessions with their timeouts for snapshots', () => {
    const table = new SessionTable({ tickMs: 1000 });
    table.add(1n, 2000, 0);
    table.add(2n, 9000, 0);
    expect(table.sessions()).toEqual([
      { sessionId: 1n, timeoutMs: 2000 },
      { sessionId: 2n, timeoutMs: 9000 },
    ]);
  });

  it('refuses a non-positive tick', () => {
    expect(() => new SessionTable({ tickMs: 0 })).toThrow(/tickMs/);
  });
});

type Step = { readonly kind: 'touch' | 'poll'; readonly session: number; readonly advanceMs: number };

describe('SessionTable expiry (property)', () => {
  it('never expires a session before its timeout and always by timeout + tickMs', () => {
    const scenario = fc.record({
      tickMs: fc.integer({ min: 1, max: 3000 }),
      timeouts: fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 5 }),
      steps: fc.array(
        fc.record({
          kind: fc.constantFrom<Step['kind']>('touch', 'poll'),
          session: fc.nat(4),
          advanceMs: fc.nat(5000),
        }),
        { maxLength: 60 },
      ),
    });
    fc.assert(
      fc.property(scenario, ({ tickMs, timeouts, steps }) => {
        const table = new SessionTable({ tickMs });
        let now = 0;
        const lastTouch = new Map<bigint, number>();
        const timeoutOf = (id: bigint): number => timeouts[Number(id) % timeouts.length] ?? 1;
        timeouts.forEach((t, i) => {
          table.add(BigInt(i), t, now);
          lastTouch.set(BigInt(i), now);
        });
        const expiredAt = new Map<bigint, number>();
        const check = (): void => {
          for (const id of table.expired(now)) {
            expect(now - (lastTouch.get(id) ?? 0)).toBeGreaterThanOrEqual(timeoutOf(id));
            expiredAt.set(id, now);
          }
          for (const [id, touched] of lastTouch) {
            if (!expiredAt.has(id) && now >= touched + timeoutOf(id) + tickMs) {
              throw new Error(`session ${id} still live at ${now}, touched at ${touched}`);
            }
          }
        };
        for (const step of steps) {
          now += step.advanceMs;
          const id = BigInt(step.session % timeouts.length);
          if (step.kind === 'touch') {
            check();
            if (table.touch(id, undefined, now)) lastTouch.set(id, now);
            else expect(expiredAt.has(id)).toBe(true);
          }
          check();
        }
      }),
    );
  });
});
