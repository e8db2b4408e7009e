import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childPath, findProtected, nameOf, protectedPrefix, sequenceOf, sortBySequence, standingOf } from '../../../client/recipes/sequence.js';

describe('sequential node helpers', () => {
  it('sequenceOf reads the 10-digit suffix, not the dash before it', () => {
    expect(sequenceOf('_c_abc-lock-0000000007')).toBe(7);
    expect(sequenceOf('lock-0000000000')).toBe(0);
    expect(sequenceOf('lock-12')).toBeUndefined();
    expect(sequenceOf('plain')).toBeUndefined();
  });

  it('sortBySequence orders by sequence whatever the uuid prefix, and drops foreign names', () => {
    const names = ['_c_zz-lock-0000000002', '_c_aa-lock-0000000010', 'other', '_c_mm-lock-0000000001', '_c_x-latch-0000000000'];
    expect(sortBySequence(names, 'lock-')).toEqual(['_c_mm-lock-0000000001', '_c_zz-lock-0000000002', '_c_aa-lock-0000000010']);
  });

  it('standingOf: first leads, others watch exactly the node before them', () => {
    const sorted = ['a-0000000001', 'b-0000000002', 'c-0000000003'];
    expect(standingOf(sorted, 'a-0000000001')).toEqual({ kind: 'first' });
    expect(standingOf(sorted, 'c-0000000003')).toEqual({ kind: 'waiting', predecessor: 'b-0000000002' });
    expect(standingOf(sorted, 'gone-0000000009')).toEqual({ kind: 'missing' });
  });

  it('every waiter has a distinct predecessor (no herd effect), for any set of contenders', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 9_999_999 }), { minLength: 1, maxLength: 30 }), (seqs) => {
        const names = seqs.map((s, i) => `_c_${i}-lock-${String(s).padStart(10, '0')}`);
        const sorted = sortBySequence(names, 'lock-');
        const watched = sorted.map((n) => standingOf(sorted, n)).filter((s) => s.kind === 'waiting').map((s) => s.predecessor);
        expect(new Set(watched).size).toBe(names.length - 1);
        expect(sorted.filter((n) => standingOf(sorted, n).kind === 'first')).toHaveLength(1);
      }),
    );
  });

  it('findProtected finds the node of one create attempt by its prefix', () => {
    const prefix = protectedPrefix('1234');
    expect(prefix).toBe('_c_1234-');
    expect(findProtected(['_c_9-lock-0000000001', '_c_1234-lock-0000000002'], prefix)).toBe('_c_1234-lock-0000000002');
    expect(findProtected(['_c_9-lock-0000000001'], prefix)).toBeUndefined();
  });

  it('childPath and nameOf handle the root', () => {
    expect(childPath('/', 'a')).toBe('/a');
    expect(childPath('/a', 'b')).toBe('/a/b');
    expect(nameOf('/a/b')).toBe('b');
  });
});
