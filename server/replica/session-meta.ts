/**
 * The session table as stored beside the tree in a snapshot: a count, then (sessionId, timeout)
 * pairs, as ZooKeeper's FileSnap writes sessionsWithTimeouts. Pure.
 */
import { JuteReader, JuteWriter } from '../../protocol/jute.js';

/** One stored session. */
export interface StoredSession {
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

/** Encodes the sessions for a snapshot's meta section. */
export function encodeSessionMeta(sessions: readonly StoredSession[]): Uint8Array {
  const writer = new JuteWriter(8 + sessions.length * 12);
  writer.writeInt(sessions.length);
  for (const s of sessions) {
    writer.writeLong(s.sessionId);
    writer.writeInt(s.timeoutMs);
  }
  return writer.finish();
}

/** Decodes a snapshot's meta section; the snapshot's checksums already vouch for the bytes. */
export function decodeSessionMeta(bytes: Uint8Array): StoredSession[] {
  const reader = new JuteReader(bytes);
  const count = reader.readInt();
  const sessions: StoredSession[] = [];
  for (let i = 0; i < count; i++) {
    const sessionId = reader.readLong();
    sessions.push({ sessionId, timeoutMs: reader.readInt() });
  }
  return sessions;
}
