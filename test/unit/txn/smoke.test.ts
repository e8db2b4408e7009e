import { describe, expect, it } from 'vitest';
import { OpCode } from '../../../protocol/opcodes.js';
import { Harness, create, del, setData } from './harness.js';

describe('smoke', () => {
  it('creates, sets and deletes', () => {
    const h = new Harness();
    expect(h.write(create('/a', 'x')).err).toBe(0);
    expect(h.write(setData('/a', 'y')).stat?.version).toBe(1);
    const r = h.read({ op: OpCode.getData, path: '/a', watch: true });
    expect(r.err).toBe(0);
    expect(h.write(del('/a')).err).toBe(0);
    expect(h.tree.getNode('/a')).toBeUndefined();
  });
});
