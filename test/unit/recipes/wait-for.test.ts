import { describe, expect, it } from 'vitest';
import { Emitter } from '../../../client/recipes/emitter.js';
import { RecipeAbortedError, RecipeTimeoutError } from '../../../client/recipes/errors.js';
import { failed, ok, waitFor } from '../../../client/recipes/managed-client.js';
import { silentLogger } from '../../../util/logger.js';

describe('waitFor and Emitter', () => {
  it('resolves with the first outcome and releases the subscription', async () => {
    let released = 0;
    let settle: ((o: ReturnType<typeof ok<number>>) => void) | undefined;
    const p = waitFor<number>('x', {}, (s) => {
      settle = s;
      return () => released++;
    });
    settle?.(ok(1));
    settle?.(failed(new Error('late')));
    await expect(p).resolves.toBe(1);
    expect(released).toBe(1);
  });

  it('rejects with RecipeTimeoutError after timeoutMs, and RecipeAbortedError on abort', async () => {
    await expect(waitFor('x', { timeoutMs: 1 }, () => () => undefined)).rejects.toBeInstanceOf(RecipeTimeoutError);
    const controller = new AbortController();
    const p = waitFor('x', { signal: controller.signal }, () => () => undefined);
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(RecipeAbortedError);
    await expect(waitFor('x', { signal: controller.signal }, () => () => undefined)).rejects.toMatchObject({ code: 'aborted' });
  });

  it('a throwing listener does not stop the others, and unsubscribe works', () => {
    const events = new Emitter<{ e: [n: number] }>(silentLogger());
    const seen: number[] = [];
    events.on('e', () => {
      throw new Error('boom');
    });
    const off = events.on('e', (n) => seen.push(n));
    events.emit('e', 1);
    off();
    events.emit('e', 2);
    expect(seen).toEqual([1]);
  });
});
