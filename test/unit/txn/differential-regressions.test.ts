import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../protocol/acl.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { OpCode } from '../../../protocol/opcodes.js';
import { responseOf } from '../../../server/txn/index.js';
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
