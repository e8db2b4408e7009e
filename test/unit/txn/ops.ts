/** Random write requests over a small path universe, for property tests. */
import fc from 'fast-check';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../../protocol/acl.js';
import { OpCode } from '../../../protocol/opcodes.js';
import type { Request } from '../../../protocol/records.js';

export const PATHS = ['/a', '/b', '/a/x', '/a/y', '/b/z', '/a/x/q', '/zookeeper/u'] as const;

const path = fc.constantFrom(...PATHS);
const data = fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null });
const version = fc.constantFrom(-1, 0, 1, 2);

/** One random write; sessions 1-3 so that ephemerals and closeSession interact. */
export interface RandomOp {
  readonly request: Request;
  readonly sessionId: bigint;
}

export const randomOp: fc.Arbitrary<RandomOp> = fc.record({
  sessionId: fc.constantFrom(1n, 2n, 3n),
  request: fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant(OpCode.create), path, data, acl: fc.constant(OPEN_ACL_UNSAFE), flags: fc.constantFrom(0, 0, 1, 2, 3) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant(OpCode.createContainer), path, data, acl: fc.constant(OPEN_ACL_UNSAFE), flags: fc.constant(4) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant(OpCode.delete), path, version }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant(OpCode.setData), path, data, version }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant(OpCode.setACL), path, acl: fc.constantFrom(OPEN_ACL_UNSAFE, READ_ACL_UNSAFE), version }) },
    { weight: 1, arbitrary: fc.constant({ op: OpCode.closeSession }) },
  ) as fc.Arbitrary<Request>,
});
