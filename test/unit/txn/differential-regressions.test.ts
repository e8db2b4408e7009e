import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { OpCode } from '../../../protocol/opcodes.js';
import { responseOf } from '../../../server/txn/index.js';
import { closeSessionDeleteOrder } from '../../../server/txn/java-hash-order.js';
import { Harness, create } from './harness.js';

/** Differences found by test/interop/differential against ZooKeeper 3.8.0, one test each. */
describe('differential regressions (ZooKeeper 3.8.0)', () => {
  it('a multi that fails as a whole with MarshallingError gets a bare header, no multi body', () => {
    const h = new Harness();
    h.write(create('/a'));
    // TTL flags on a plain create inside a multi: the whole multi is undecodable on 3.8.0.
    const result = h.write({
      op: OpCode.multi,
      ops: [{ op: OpCode.create, path: '/a/t', data: null, acl: OPEN_ACL_UNSAFE, flags: 5 }],
    });
    expect(result.err).toBe(ErrorCode.MarshallingError);
    expect(responseOf(OpCode.multi, result)).toBeNull();
  });

  it('deleteContainer sent by a client is BADARGUMENTS whatever the node (PrepRequestProcessor reads request.array())', () => {
    const h = new Harness();
    h.write({ op: OpCode.createContainer, path: '/c', data: null, acl: OPEN_ACL_UNSAFE, flags: 4 });
    const fromClient = h.write({ op: OpCode.deleteContainer, path: '/c' }, { sessionId: 5n });
    expect(fromClient.err).toBe(ErrorCode.BadArguments);
    expect(h.write({ op: OpCode.deleteContainer, path: '/missing' }, { sessionId: 5n }).err).toBe(ErrorCode.BadArguments);
    expect(h.tree.stat('/c')).toBeDefined();
    expect(h.write({ op: OpCode.deleteContainer, path: '/c' }, { sessionId: 0n }).err).toBe(0);
  });
});

describe('closeSession deletes ephemerals in ZooKeeper 3.8.0 order (HashSet clone iteration)', () => {
  // Expected orders printed by OpenJDK 17: new ArrayList<>((HashSet<String>) set.clone()).
  it('matches Java for a small set, a set that once held 14 paths, and a 12-path clone (32 buckets)', () => {
    expect(closeSessionDeleteOrder(['/diff7/a', '/diff7/b/c', '/diff7/c', '/diff7/b0000000001', '/diff7/a/a'], [], 5)).toEqual([
      '/diff7/b/c',
      '/diff7/c',
      '/diff7/a',
      '/diff7/b0000000001',
      '/diff7/a/a',
    ]);
    expect(closeSessionDeleteOrder(['/e/n10', '/e/n11', '/e/n12', '/e/n13', '/e/x'], [], 14)).toEqual([
      '/e/x',
      '/e/n12',
      '/e/n13',
      '/e/n10',
      '/e/n11',
    ]);
    const twelve = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'].map((n) => `/r/${n}`);
    expect(closeSessionDeleteOrder(twelve, [], 12)).toEqual(
      ['lambda', 'alpha', 'iota', 'beta', 'eps', 'delta', 'gamma', 'theta', 'eta', 'zeta', 'kappa', 'mu'].map((n) => `/r/${n}`),
    );
  });

  it('the closeSession txn lists the paths in that order, and apply fires events in it', () => {
    const h = new Harness();
    h.write(create('/diff7'));
    h.write(create('/diff7/b'));
    const session = { sessionId: 9n };
    for (const path of ['/diff7/a', '/diff7/b/c', '/diff7/c', '/diff7/b0000000001', '/diff7/a/a']) {
      if (path === '/diff7/a/a') continue; // an ephemeral cannot have children
      h.write(create(path, '', 1), session);
    }
    const closed = h.write({ op: OpCode.closeSession }, session);
    expect(closed.txn.kind === 'closeSession' && closed.txn.paths).toEqual(['/diff7/b/c', '/diff7/c', '/diff7/a', '/diff7/b0000000001']);
    expect(closed.triggers.filter((t) => t.type === 2).map((t) => t.path)).toEqual([
      '/diff7/b/c',
      '/diff7/c',
      '/diff7/a',
      '/diff7/b0000000001',
    ]);
    expect(h.tree.ephemeralPeakOf(9n)).toBe(0);
  });
});
