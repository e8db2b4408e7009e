import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../../client/request-queue.js';
import { OpCode } from '../../../protocol/opcodes.js';

const sync = (path: string) => ({ op: OpCode.sync, path }) as const;

describe('RequestQueue', () => {
  it('gives increasing xids from 1 in send order and matches replies in that order', () => {
    const q = new RequestQueue<string>({ maxWaiting: 10 });
    q.enqueue(sync('/a'), 'a', Infinity);
    q.enqueue(sync('/b'), 'b', Infinity);
    const sent = q.takeWaiting();
    expect(sent.map((e) => [e.xid, e.context])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(q.matchReply(2)).toEqual({ kind: 'unexpected', expectedXid: 1 });
    const first = q.matchReply(1);
    expect(first.kind === 'matched' && first.entry.context).toBe('a');
    expect(q.outstandingCount).toBe(1);
  });

  it('puts re-registration ahead of waiting requests', () => {
    const q = new RequestQueue<string>({ maxWaiting: 10 });
    q.enqueue(sync('/user'), 'user', Infinity);
    q.enqueueFirst(sync('/watches'), 'watches');
    expect(q.takeWaiting().map((e) => e.context)).toEqual(['watches', 'user']);
  });

  it('refuses requests beyond the waiting bound', () => {
    const q = new RequestQueue<number>({ maxWaiting: 2 });
    expect(q.enqueue(sync('/'), 1, Infinity)).toBeDefined();
    expect(q.enqueue(sync('/'), 2, Infinity)).toBeDefined();
    expect(q.enqueue(sync('/'), 3, Infinity)).toBeUndefined();
  });

  it('hands back overdue waiting requests and keeps the others in order', () => {
    const q = new RequestQueue<string>({ maxWaiting: 10 });
    q.enqueue(sync('/'), 'late', 100);
    q.enqueue(sync('/'), 'ok', 300);
    q.enqueue(sync('/'), 'late2', 200);
    expect(q.takeOverdue(200).map((e) => e.context)).toEqual(['late', 'late2']);
    expect(q.takeAllWaiting().map((e) => e.context)).toEqual(['ok']);
  });

  it('takeOutstanding empties the in-flight FIFO (they fail with ConnectionLoss)', () => {
    const q = new RequestQueue<string>({ maxWaiting: 10 });
    q.enqueue(sync('/'), 'a', Infinity);
    q.takeWaiting();
    expect(q.takeOutstanding().map((e) => e.context)).toEqual(['a']);
    expect(q.matchReply(1)).toEqual({ kind: 'unexpected', expectedXid: undefined });
  });
});
