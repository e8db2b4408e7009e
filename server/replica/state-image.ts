/**
 * The whole applied state as one byte image, for a leader's SNAP sync to a learner: the session
 * table, the tree's snapshot chunks, and the tree digest to check after loading. Pure; it
 * serializes the tree in one go, so it is for state that fits a message (see the note in the
 * issue log: large trees should stream).
 */
import { JuteReader, JuteWriter } from '../../protocol/index.js';
import { assert } from '../../util/assert.js';
import { TreeLoader, type DataTree } from '../tree/index.js';
import { decodeSessionMeta, encodeSessionMeta, type StoredSession } from './session-meta.js';

const CHUNK_NODES = 10_000;

/** Encodes sessions and tree (as of `zxid`) into one image. */
export function encodeStateImage(sessions: readonly StoredSession[], tree: DataTree, zxid: bigint): Uint8Array {
  const w = new JuteWriter(1 << 16);
  w.writeBuffer(encodeSessionMeta(sessions));
  // In one go, not through startSnapshot: a sliced disk snapshot may be open at the same time.
  const image = tree.snapshotNow(CHUNK_NODES);
  assert(image.zxid === zxid, `the image is of the last applied zxid ${zxid}`);
  w.writeLong(BigInt.asIntN(64, image.digest));
  for (const chunk of image.chunks) w.writeBuffer(chunk);
  w.writeBuffer(null);
  return w.toBytes();
}

/** The parts of an image as a snapshot file stores them (no tree is built). */
export function splitStateImage(bytes: Uint8Array): { meta: Uint8Array; digest: bigint; chunks: Uint8Array[] } {
  const r = new JuteReader(bytes, { maxFieldBytes: bytes.length });
  const meta = r.readBuffer() ?? new Uint8Array(0);
  const digest = BigInt.asUintN(64, r.readLong());
  const chunks: Uint8Array[] = [];
  for (let chunk = r.readBuffer(); chunk !== null; chunk = r.readBuffer()) chunks.push(chunk);
  return { meta, digest, chunks };
}

/** Decodes an image made by encodeStateImage; the transport's framing vouches for the bytes. */
export function decodeStateImage(bytes: Uint8Array): { sessions: StoredSession[]; tree: DataTree } {
  const { meta, digest, chunks } = splitStateImage(bytes);
  const sessions = decodeSessionMeta(meta);
  const loader = new TreeLoader();
  for (const chunk of chunks) loader.load(chunk);
  const tree = loader.finish();
  assert(tree.digest() === digest, 'tree digest matches the leader image after loading');
  return { sessions, tree };
}
