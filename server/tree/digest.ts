/**
 * The incremental tree digest: two independent 32-bit sums (mod 2^32) of per-node hashes over
 * path, data, ACL and the persisted stat. Adding and removing a node's hash is O(size of the
 * node), so the digest follows every mutation; replicas that applied the same txns agree.
 */
import type { Acl } from '../../protocol/records.js';

/** A 64-bit hash as two 32-bit halves. */
export interface Hash64 {
  lo: number;
  hi: number;
}

/** The persisted fields of a node that go into its hash. */
export interface HashedNode {
  /** The data's hash (hashData), cached by the node. */
  readonly dataHashLo: number;
  readonly dataHashHi: number;
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
}

const SEED_LO = 0x9747b28c;
const SEED_HI = 0x3c6ef372;
const TWO_32 = 0x1_0000_0000;

/** A murmur3-style mixing step. */
function mix(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  let x = h ^ length;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Feeds words into both halves at once, so one pass yields 64 bits. */
class Hasher {
  lo = SEED_LO;
  hi = SEED_HI;
  count = 0;

  word(k: number): void {
    this.lo = mix(this.lo, k);
    this.hi = mix(this.hi, k ^ 0x5bd1e995);
    this.count++;
  }

  safeInt(n: number): void {
    this.word(n >>> 0);
    this.word(Math.floor(n / TWO_32) | 0);
  }

  string(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  /** Bytes stored one per char (node-data.ts), four to a word. */
  latin1(b: string | null): void {
    if (b === null) {
      this.word(-1);
      return;
    }
    this.word(b.length);
    let i = 0;
    for (; i + 4 <= b.length; i += 4) {
      this.word((b.charCodeAt(i) << 24) | (b.charCodeAt(i + 1) << 16) | (b.charCodeAt(i + 2) << 8) | b.charCodeAt(i + 3));
    }
    let last = 0;
    for (; i < b.length; i++) last = (last << 8) | b.charCodeAt(i);
    this.word(last);
  }

  result(): Hash64 {
    return { lo: finish(this.lo, this.count), hi: finish(this.hi, this.count) };
  }
}

/** The hash of an ACL list; cached per interned list. */
export function hashAcl(acl: readonly Acl[]): Hash64 {
  const h = new Hasher();
  for (const entry of acl) {
    h.word(entry.perms);
    h.string(entry.id.scheme);
    h.string(entry.id.id);
  }
  return h.result();
}

/** The hash of node data (null and empty differ); nodes cache it (znode.ts). */
export function hashData(data: string | null): Hash64 {
  const h = new Hasher();
  h.latin1(data);
  return h.result();
}

/**
 * hashData of the same bytes, read from a Uint8Array: the value is identical, the loop keeps the
 * state in locals and reads each word with one DataView load. Every setData and create hashes
 * its value, so this is on the write path (a 1 KiB value is 256 words, 512 mixing steps).
 */
export function hashDataBytes(bytes: Uint8Array | null): Hash64 {
  if (bytes === null) return hashData(null);
  return hashDataView(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length);
}

/**
 * hashDataBytes of the `length` bytes at `offset` in `view`, without making a view of them (a
 * snapshot load hashes every node's data straight from the chunk it reads).
 */
export function hashDataView(view: DataView, offset: number, length: number): Hash64 {
  let lo = mix(SEED_LO, length);
  let hi = mix(SEED_HI, length ^ 0x5bd1e995);
  const end = offset + length;
  const whole = offset + (length & ~3);
  for (let i = offset; i < whole; i += 4) {
    const k = view.getInt32(i);
    lo = mix(lo, k);
    hi = mix(hi, k ^ 0x5bd1e995);
  }
  let last = 0;
  for (let i = whole; i < end; i++) last = (last << 8) | view.getUint8(i);
  lo = mix(lo, last);
  hi = mix(hi, last ^ 0x5bd1e995);
  // Words hashed: the length, one per whole word, and the tail word (Hasher.latin1).
  const count = 2 + (length >>> 2);
  return { lo: finish(lo, count), hi: finish(hi, count) };
}

/** The hash of one node: path, data hash, ACL hash and persisted stat. */
export function hashNode(path: string, node: HashedNode, aclHash: Hash64): Hash64 {
  const h = new Hasher();
  h.string(path);
  h.word(node.dataHashLo);
  h.word(node.dataHashHi);
  h.word(aclHash.lo);
  h.word(aclHash.hi);
  h.safeInt(node.czxid);
  h.safeInt(node.mzxid);
  h.safeInt(node.pzxid);
  h.safeInt(node.ctime);
  h.safeInt(node.mtime);
  h.word(node.version);
  h.word(node.cversion);
  h.word(node.aversion);
  if (node.ephemeralOwner === 0n) {
    h.word(0);
    h.word(0);
  } else {
    h.word(Number(BigInt.asUintN(32, node.ephemeralOwner)));
    h.word(Number(BigInt.asUintN(32, node.ephemeralOwner >> 32n)));
  }
  return h.result();
}

/** The running sum of node hashes. */
export class TreeDigest {
  #lo = 0;
  #hi = 0;

  /** Adds a node's hash. */
  add(hash: Hash64): void {
    this.#lo = (this.#lo + hash.lo) >>> 0;
    this.#hi = (this.#hi + hash.hi) >>> 0;
  }

  /** Removes a node's hash. */
  remove(hash: Hash64): void {
    this.#lo = (this.#lo - hash.lo) >>> 0;
    this.#hi = (this.#hi - hash.hi) >>> 0;
  }

  /** The digest as an unsigned 64-bit value. */
  value(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }
}
