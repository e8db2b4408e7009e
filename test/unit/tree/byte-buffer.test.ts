import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../server/tree/index.js';

describe('ByteWriter / ByteReader', () => {
  it('keeps every field intact across buffer growth', () => {
    const out = new ByteWriter(1);
    const blob = new Uint8Array(300).map((_, i) => i & 0xff);
    for (let i = 0; i < 50; i++) {
      out.u8(i);
      out.i32(-i | 0);
      out.u32(i * 1000);
      out.f64(Number.MAX_SAFE_INTEGER - i);
      out.i64(-(1n << 62n) + BigInt(i));
      out.string(`path/${i}/ü`);
      out.buffer(i % 3 === 0 ? null : blob);
    }
    const reader = new ByteReader(out.toBytes(), (reason) => new Error(reason));
    for (let i = 0; i < 50; i++) {
      expect(reader.u8()).toBe(i);
      expect(reader.i32()).toBe(-i | 0);
      expect(reader.u32()).toBe(i * 1000);
      expect(reader.safeInt()).toBe(Number.MAX_SAFE_INTEGER - i);
      expect(reader.i64()).toBe(-(1n << 62n) + BigInt(i));
      expect(reader.string()).toBe(`path/${i}/ü`);
      expect(reader.buffer()).toEqual(i % 3 === 0 ? null : blob);
    }
    expect(reader.remaining).toBe(0);
  });
});
