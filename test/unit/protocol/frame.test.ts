// FrameDecoder: reassembly across arbitrary splits, the length bounds, and four-letter words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, fourLetterWordOf, type FrameResult } from '../../../protocol/index.js';
import { bytes } from './helpers.js';

/** Frames `payload` with its i32 length prefix. */
function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits `stream` at the given cut points (any order, any values). */
function split(stream: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, stream.length]) {
    pieces.push(stream.subarray(from, point));
    from = point;
  }
  return pieces;
}

/** Feeds `pieces` one by one, draining after each, until an error; returns everything seen. */
function drain(decoder: FrameDecoder, pieces: readonly Uint8Array[]): FrameResult[] {
  const seen: FrameResult[] = [];
  for (const piece of pieces) {
    decoder.push(piece);
    for (let r = decoder.next(); r.kind !== 'need-more'; r = decoder.next()) {
      seen.push(r.kind === 'frame' ? { kind: 'frame', payload: Uint8Array.from(r.payload) } : r);
      if (r.kind === 'error') return seen;
    }
  }
  return seen;
}

describe('FrameDecoder', () => {
  it('reassembles any split of any sequence of frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, cuts) => {
          const decoder = new FrameDecoder();
          const seen = drain(decoder, split(concat(payloads.map(frame)), cuts));
          expect(seen).toEqual(payloads.map((payload) => ({ kind: 'frame', payload })));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary bytes, and the outcome does not depend on the split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 10 }), (stream, cuts) => {
        const options = { maxFrameBytes: 64 };
        const whole = drain(new FrameDecoder(options), [stream]);
        const pieces = drain(new FrameDecoder(options), split(stream, cuts));
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns a view, not a copy, when a frame lies within one chunk', () => {
    const chunk = concat([frame(bytes('01 02')), frame(bytes('03'))]);
    const decoder = new FrameDecoder();
    decoder.push(chunk);
    const first = decoder.next();
    expect(first.kind).toBe('frame');
    if (first.kind === 'frame') expect(first.payload.buffer).toBe(chunk.buffer);
  });

  it('a zero-length frame yields an empty payload', () => {
    const decoder = new FrameDecoder();
    decoder.push(bytes('00 00 00 00'));
    expect(decoder.next()).toEqual({ kind: 'frame', payload: new Uint8Array(0) });
  });

  it('a negative length is an error, and the error is sticky', () => {
    const decoder = new FrameDecoder();
    decoder.push(bytes('FF FF FF FF 00'));
    expect(decoder.next().kind).toBe('error');
    decoder.push(frame(bytes('01')));
    expect(decoder.next().kind).toBe('error');
  });

  it('a length over jute.maxbuffer (0xFFFFF) is an error; exactly 0xFFFFF is not (observed 0x7F000000 -> close)', () => {
    const over = new FrameDecoder();
    over.push(bytes('00 10 00 00'));
    expect(over.next().kind).toBe('error');
    const huge = new FrameDecoder();
    huge.push(bytes('7F 00 00 00'));
    expect(huge.next().kind).toBe('error');
    const limit = new FrameDecoder();
    limit.push(bytes('00 0F FF FF 00'));
    expect(limit.next()).toEqual({ kind: 'need-more' });
  });

  it('maxFrameBytes is configurable', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 2 });
    decoder.push(frame(bytes('01 02')));
    expect(decoder.next().kind).toBe('frame');
    decoder.push(frame(bytes('01 02 03')));
    expect(decoder.next().kind).toBe('error');
  });

  it('peek returns the first bytes across chunks without consuming them', () => {
    const decoder = new FrameDecoder();
    decoder.push(bytes('00 00'));
    expect(decoder.peek(4)).toBeNull();
    decoder.push(bytes('00 01 7F'));
    expect(decoder.peek(4)).toEqual(bytes('00 00 00 01'));
    expect(decoder.next()).toEqual({ kind: 'frame', payload: bytes('7F') });
  });
});

describe('fourLetterWordOf', () => {
  const words = ['ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'envi', 'wchs', 'wchc', 'wchp', 'dump', 'isro', 'crst', 'srst', 'dirs', 'gtmk', 'stmk', 'hash'];

  it.each(words)('recognises %s', (word) => {
    expect(fourLetterWordOf(new TextEncoder().encode(word))).toBe(word);
  });

  it('recognises the telnet close sequence 0xFFF4FFFD', () => {
    expect(fourLetterWordOf(bytes('FF F4 FF FD'))).toBe('telnetClose');
  });

  it('treats anything else, including unknown words and short input, as not a command', () => {
    expect(fourLetterWordOf(bytes('00 00 00 2D'))).toBeNull();
    expect(fourLetterWordOf(new TextEncoder().encode('RUOK'))).toBeNull();
    expect(fourLetterWordOf(new TextEncoder().encode('abcd'))).toBeNull();
    expect(fourLetterWordOf(new TextEncoder().encode('ruo'))).toBeNull();
  });

  it('looks only at the first four bytes', () => {
    expect(fourLetterWordOf(new TextEncoder().encode('stmk\0\0\0\0\0\0\0\x01'))).toBe('stmk');
  });
});
