import { describe, expect, it } from 'vitest';
import { ZkClient } from '../../../client/client.js';
import { createRequest, isTransactionError, readResults, transactionOutcome } from '../../../client/ops.js';
import { ErrorCode, OpCode, NoNodeError, OPEN_ACL_UNSAFE } from '../../../protocol/index.js';
import type { Stat } from '../../../protocol/index.js';

const stat: Stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0n,
  mtime: 0n,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 1n,
};

describe('createRequest', () => {
  it('uses the plain opcode for ordinary modes, createContainer for containers, createTTL for TTL', () => {
    expect(createRequest('/a', 'x', { mode: 'ephemeralSequential' }, OpCode.create)).toEqual({
      op: OpCode.create,
      path: '/a',
      data: new TextEncoder().encode('x'),
      acl: OPEN_ACL_UNSAFE,
      flags: 3,
    });
    expect(createRequest('/a', null, { mode: 'container' }, OpCode.create2)).toMatchObject({ op: OpCode.createContainer, flags: 4 });
    expect(createRequest('/a', null, { mode: 'persistentSequentialWithTtl', ttlMs: 5 }, OpCode.create)).toMatchObject({
      op: OpCode.createTTL,
      flags: 6,
      ttl: 5n,
    });
  });

  it("a ZkClient under a chroot names the caller's path, not the chrooted one, in BadArguments", async () => {
    // Never connected: the options are refused before anything is sent.
    const client = new ZkClient('127.0.0.1:1/app');
    await expect(client.create('/a', null, { mode: 'persistentWithTtl' })).rejects.toMatchObject({ code: ErrorCode.BadArguments, path: '/a' });
    await expect(client.create2('/b', null, { ttlMs: 5 })).rejects.toMatchObject({ code: ErrorCode.BadArguments, path: '/b' });
    expect(() => client.transaction().create('/c', null, { ttlMs: 5 })).toThrow(expect.objectContaining({ code: ErrorCode.BadArguments, path: '/c' }));
    client.destroy();
  });

  it('refuses a TTL mode without ttlMs and ttlMs without a TTL mode', () => {
    expect(() => createRequest('/a', null, { mode: 'persistentWithTtl' }, OpCode.create)).toThrow(
      expect.objectContaining({ code: ErrorCode.BadArguments }),
    );
    expect(() => createRequest('/a', null, { ttlMs: 1 }, OpCode.create)).toThrow(
      expect.objectContaining({ code: ErrorCode.BadArguments }),
    );
  });
});

describe('transactionOutcome', () => {
  const strip = (p: string): string => p.replace(/^\/root/, '') || '/';

  it('maps results and strips the chroot from created paths', () => {
    const outcome = transactionOutcome(
      [{ kind: 'create', path: '/root/a' }, { kind: 'create2', path: '/root/b', stat }, { kind: 'setData', stat }, { kind: 'check' }, { kind: 'delete' }],
      ['/a', '/b', '/a', '/a', '/a'],
      ['create /a', 'create /b', 'setData /a', 'check /a', 'delete /a'],
      strip,
    );
    expect(outcome).toEqual({
      ok: true,
      results: [
        { type: 'create', path: '/a', stat: undefined },
        { type: 'create', path: '/b', stat },
        { type: 'setData', stat },
        { type: 'check' },
        { type: 'delete' },
      ],
    });
  });

  it('rejects with the typed error of the first non-zero op, naming it', () => {
    const outcome = transactionOutcome(
      [
        { kind: 'error', err: 0 },
        { kind: 'error', err: ErrorCode.NoNode },
        { kind: 'error', err: ErrorCode.RuntimeInconsistency },
      ],
      ['/a', '/missing', '/c'],
      ['create /a', 'delete /missing', 'setData /c'],
      strip,
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(NoNodeError);
    expect(outcome.error.path).toBe('/missing');
    expect(outcome.error.opIndex).toBe(1);
    expect(outcome.error.opErrors).toEqual([0, ErrorCode.NoNode, ErrorCode.RuntimeInconsistency]);
    expect(outcome.error.message).toContain('delete /missing');
    expect(isTransactionError(outcome.error)).toBe(true);
    expect(isTransactionError(new NoNodeError(ErrorCode.NoNode, '/x'))).toBe(false);
  });
});

describe('readResults', () => {
  it('keeps successes and turns error entries into typed errors with the op path', () => {
    const results = readResults(
      [{ kind: 'getChildren', children: ['x'] }, { kind: 'error', err: ErrorCode.NoNode }],
      ['/a', '/b'],
    );
    expect(results[0]).toEqual({ type: 'getChildren', children: ['x'] });
    expect(results[1]?.type === 'error' && [results[1].error.code, results[1].error.path]).toEqual([ErrorCode.NoNode, '/b']);
  });
});
