import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPassword, sessionPassword } from '../../../server/session/index.js';

const observedId = 0x010000370ca40000n;
const observedPasswd = Uint8Array.from([
  0x1e, 0x71, 0x65, 0xe1, 0x53, 0x4f, 0x0f, 0x34, 0x2c, 0x24, 0x4e, 0xae, 0x54, 0x37, 0xf7, 0x81,
]);

describe('sessionPassword', () => {
  it('matches the password ZooKeeper 3.8.0 gave session 0x010000370ca40000 (reference §2.2)', () => {
    expect(sessionPassword(observedId)).toEqual(observedPasswd);
  });

  it('gives the same password for the signed and unsigned form of an id', () => {
    const unsigned = 0x8100000000000005n;
    expect(sessionPassword(BigInt.asIntN(64, unsigned))).toEqual(sessionPassword(unsigned));
  });

  it('differs between neighbouring session ids', () => {
    expect(sessionPassword(observedId + 1n)).not.toEqual(sessionPassword(observedId));
  });
});

describe('checkPassword', () => {
  it('accepts the derived password', () => {
    expect(checkPassword(observedId, observedPasswd)).toBe(true);
  });

  it('rejects session id 0 even with its derived password (ZooKeeperServer.checkPasswd)', () => {
    expect(checkPassword(0n, sessionPassword(0n))).toBe(false);
  });

  it('rejects a null, short, long or altered password', () => {
    expect(checkPassword(observedId, null)).toBe(false);
    expect(checkPassword(observedId, observedPasswd.subarray(0, 15))).toBe(false);
    expect(checkPassword(observedId, Uint8Array.from([...observedPasswd, 0]))).toBe(false);
    const altered = Uint8Array.from(observedPasswd);
    altered[7] = (altered[7] ?? 0) ^ 1;
    expect(checkPassword(observedId, altered)).toBe(false);
  });

  it('accepts exactly the derived password for any non-zero id', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (id) => {
        fc.pre(id !== 0n);
        const passwd = sessionPassword(id);
        expect(passwd).toHaveLength(16);
        expect(checkPassword(id, passwd)).toBe(true);
        expect(checkPassword(id ^ 1n, passwd)).toBe(false);
      }),
    );
  });
});
