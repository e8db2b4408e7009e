/** ZooKeeperServer's fixed secret mixed into every password seed (reference §2.4). */
const superSecret = 0xb3415c00n;
const multiplier = 0x5deece66dn;
const addend = 0xbn;

/** Bytes in a session password. */
export const sessionPasswordBytes = 16;

/**
 * The 16-byte password of a session: the first bytes of Java's `new Random(id ^ 0xB3415C00)`,
 * as ZooKeeperServer.generatePasswd makes them, so any server can check a password from the id
 * alone (reference §2.4).
 */
export function sessionPassword(sessionId: bigint): Uint8Array {
  const out = new Uint8Array(sessionPasswordBytes);
  // java.util.Random's constructor scrambles the seed with the multiplier.
  let seed = BigInt.asUintN(48, sessionId ^ superSecret ^ multiplier);
  let i = 0;
  while (i < out.length) {
    seed = BigInt.asUintN(48, seed * multiplier + addend);
    let r = Number(BigInt.asIntN(32, seed >> 16n));
    // Random.nextBytes emits the int low byte first, up to 4 bytes per int.
    for (let n = Math.min(out.length - i, 4); n > 0; n--) {
      out[i++] = r & 0xff;
      r >>= 8;
    }
  }
  return out;
}

/** True when `sessionId` is not 0 and `passwd` is exactly its derived password (ZooKeeperServer.checkPasswd). */
export function checkPassword(sessionId: bigint, passwd: Uint8Array | null): boolean {
  if (sessionId === 0n || passwd === null) return false;
  const expected = sessionPassword(sessionId);
  if (passwd.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= (passwd[i] ?? 0) ^ (expected[i] ?? 0);
  return diff === 0;
}
