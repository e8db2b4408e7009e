/**
 * Node data as the tree keeps it: the bytes as a latin1 string, one char per byte. A V8
 * one-byte string costs about 16 bytes plus its length, where a Uint8Array with its ArrayBuffer
 * and backing store costs about 250 bytes more; at a million znodes that is the difference
 * between fitting under ZooKeeper's heap or not. Null stays null (null and empty differ on
 * the wire).
 */
import { Buffer } from 'node:buffer';

/** Stored form of node data. */
export type StoredData = string | null;

/** Copies bytes into the stored form. */
export function storeData(bytes: Uint8Array | null): StoredData {
  if (bytes === null) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** A fresh Uint8Array with the stored bytes. */
export function loadData(stored: StoredData): Uint8Array | null {
  if (stored === null) return null;
  const out = new Uint8Array(stored.length);
  Buffer.from(out.buffer, 0, out.length).write(stored, 0, 'latin1');
  return out;
}
