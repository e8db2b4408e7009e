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

  it('reads ASCII, multi-byte and long strings alike, refuses invalid UTF-8, and views buffers in place', () => {
    const out = new ByteWriter(1);
    const texts = ['/a/b', '', '/ü/日本', `/${'x'.repeat(300)}`, `/${'é'.repeat(200)}`];
    for (const text of texts) out.string(text);
    out.buffer(Uint8Array.of(1, 2, 3));
    const bytes = out.toBytes();
    const reader = new ByteReader(bytes, (reason) => new Error(reason));
    for (const text of texts) expect(reader.string()).toBe(text);
    const view = reader.bufferView();
    expect(view).toEqual(Uint8Array.of(1, 2, 3));
    expect(view?.buffer).toBe(bytes.buffer);
    // 0xff never appears in UTF-8: refused whether the string is short or long.
    for (const length of [3, 300]) {
      const bad = new Uint8Array(4 + length).fill(0x61);
      new DataView(bad.buffer).setUint32(0, length);
      bad[4 + length - 1] = 0xff;
      expect(() => new ByteReader(bad, (reason) => new Error(reason)).string()).toThrow(/invalid UTF-8/);
    }
  });
});
