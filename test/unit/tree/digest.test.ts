/** The data hash read from bytes must equal the hash of the stored (latin1) form. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashData, hashDataBytes } from '../../../server/tree/digest.js';
import { storeData } from '../../../server/tree/node-data.js';

describe('hashDataBytes', () => {
  it('equals hashData of the stored form for any bytes, any offset, and null', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 7 }), (bytes, offset) => {
        const backing = new Uint8Array(offset + bytes.length);
        backing.set(bytes, offset);
        const view = backing.subarray(offset);
        expect(hashDataBytes(view)).toEqual(hashData(storeData(view)));
      }),
    );
    expect(hashDataBytes(null)).toEqual(hashData(null));
    expect(hashDataBytes(new Uint8Array(0))).not.toEqual(hashData(null));
  });
});
