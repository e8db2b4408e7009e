/**
 * Binary encoding of consensus messages for the peer transport, in jute primitives: an i32 type
 * tag, then the fields in declaration order. The transport adds its own framing. Decoding checks
 * every field and returns a result; it never throws on bad input (STYLE.md §5.2).
 */
import { assertNever } from '../../util/assert.js';
import { DecodeError, JuteReader, JuteWriter } from '../../protocol/jute.js';
import type { ConsensusMessage, LogEntry, PeerState, SnapshotImage, SyncMode, Vote } from './messages.js';

/** The outcome of decoding a consensus message: the message, or why the bytes are invalid. */
export type DecodedMessage =
  | { readonly ok: true; readonly message: ConsensusMessage }
  | { readonly ok: false; readonly reason: string };

const TYPE_TAGS: Readonly<Record<ConsensusMessage['type'], number>> = {
  vote: 1,
  learnerInfo: 2,
  leaderInfo: 3,
  ackEpoch: 4,
  sync: 5,
  ackNewLeader: 6,
  upToDate: 7,
  proposal: 8,
  ack: 9,
  commit: 10,
  inform: 11,
  ping: 12,
  request: 13,
  syncRequest: 14,
  syncReply: 15,
};
const TYPES_BY_TAG = new Map(Object.entries(TYPE_TAGS).map(([type, tag]) => [tag, type as ConsensusMessage['type']]));
const PEER_STATES: readonly PeerState[] = ['looking', 'following', 'leading', 'observing'];
const SYNC_MODES: readonly SyncMode[] = ['diff', 'trunc', 'snap'];

/** Encodes a message into fresh bytes. */
export function encodeMessage(message: ConsensusMessage): Uint8Array {
  const w = new JuteWriter(64);
  w.writeInt(TYPE_TAGS[message.type]);
  writeBody(w, message);
  return w.toBytes();
}

function writeBody(w: JuteWriter, m: ConsensusMessage): void {
  switch (m.type) {
    case 'vote':
      w.writeLong(BigInt(m.round));
      w.writeInt(PEER_STATES.indexOf(m.state));
      writeVote(w, m.vote);
      return;
    case 'learnerInfo':
      writeInts(w, m.session, m.acceptedEpoch, m.acceptedLeader);
      w.writeBool(m.isObserver);
      return;
    case 'leaderInfo':
      writeInts(w, m.session, m.epoch);
      return;
    case 'ackEpoch':
      writeInts(w, m.session, m.epoch, m.currentEpoch);
      w.writeLong(m.lastZxid);
      return;
    case 'sync':
      writeSync(w, m);
      return;
    case 'ackNewLeader':
      writeInts(w, m.session, m.epoch);
      w.writeLong(m.zxid);
      return;
    case 'upToDate':
      writeInts(w, m.session, m.epoch);
      w.writeLong(m.commitZxid);
      return;
    case 'proposal':
      writeInts(w, m.epoch);
      w.writeLong(m.prevZxid);
      writeEntry(w, m.entry);
      return;
    case 'ack':
      writeInts(w, m.session, m.epoch);
      w.writeLong(m.zxid);
      w.writeBuffer(m.data);
      return;
    case 'commit':
      writeInts(w, m.epoch);
      w.writeLong(m.zxid);
      return;
    case 'inform':
      writeInts(w, m.epoch);
      w.writeLong(m.prevZxid);
      w.writeVector(m.entries, writeEntry);
      w.writeLong(m.commitZxid);
      return;
    case 'ping':
      writeInts(w, m.session, m.epoch);
      w.writeLong(m.commitZxid);
      return;
    case 'request':
      w.writeBuffer(m.origin);
      w.writeBuffer(m.data);
      return;
    case 'syncRequest':
      w.writeBuffer(m.origin);
      return;
    case 'syncReply':
      writeInts(w, m.epoch);
      w.writeBuffer(m.origin);
      w.writeLong(m.zxid);
      return;
    default:
      assertNever(m, 'consensus message');
  }
}

function writeSync(w: JuteWriter, m: Extract<ConsensusMessage, { type: 'sync' }>): void {
  writeInts(w, m.session, m.epoch, SYNC_MODES.indexOf(m.mode));
  w.writeLong(m.truncateAfter);
  w.writeBool(m.snapshot !== null);
  if (m.snapshot !== null) {
    w.writeLong(m.snapshot.zxid);
    w.writeBuffer(m.snapshot.data);
  }
  w.writeVector(m.entries, writeEntry);
  w.writeLong(m.commitZxid);
}

function writeInts(w: JuteWriter, ...values: number[]): void {
  for (const value of values) w.writeInt(value);
}

function writeVote(w: JuteWriter, vote: Vote): void {
  w.writeInt(vote.leader);
  w.writeLong(vote.zxid);
  w.writeInt(vote.epoch);
}

function writeEntry(w: JuteWriter, entry: LogEntry): void {
  w.writeLong(entry.zxid);
  w.writeBuffer(entry.data);
}

/** Decodes one message; any malformed input, trailing bytes included, gives a failed result. */
export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  try {
    // Sync messages carry whole snapshots, so no per-field limit beyond the frame itself.
    const r = new JuteReader(bytes, { maxFieldBytes: bytes.length });
    const type = TYPES_BY_TAG.get(r.readInt());
    if (type === undefined) return { ok: false, reason: 'unknown consensus message type' };
    const message = readBody(r, type);
    if (r.remaining !== 0) return { ok: false, reason: `${r.remaining} trailing bytes` };
    return { ok: true, message };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: err.message };
    throw err;
  }
}

function readBody(r: JuteReader, type: ConsensusMessage['type']): ConsensusMessage {
  switch (type) {
    case 'vote':
      return { type, round: readRound(r), state: readEnum(r, PEER_STATES), vote: readVote(r) };
    case 'learnerInfo':
      return { type, session: r.readInt(), acceptedEpoch: readEpoch(r), acceptedLeader: r.readInt(), isObserver: r.readBool() };
    case 'leaderInfo':
      return { type, session: r.readInt(), epoch: readEpoch(r) };
    case 'ackEpoch':
      return { type, session: r.readInt(), epoch: readEpoch(r), currentEpoch: readEpoch(r), lastZxid: readZxid(r) };
    case 'sync':
      return readSync(r);
    case 'ackNewLeader':
      return { type, session: r.readInt(), epoch: readEpoch(r), zxid: readZxid(r) };
    case 'upToDate':
      return { type, session: r.readInt(), epoch: readEpoch(r), commitZxid: readZxid(r) };
    case 'proposal':
      return { type, epoch: readEpoch(r), prevZxid: readZxid(r), entry: readEntry(r) };
    case 'ack':
      return { type, session: r.readInt(), epoch: readEpoch(r), zxid: readZxid(r), data: r.readBufferCopy() };
    case 'commit':
      return { type, epoch: readEpoch(r), zxid: readZxid(r) };
    case 'inform':
      return { type, epoch: readEpoch(r), prevZxid: readZxid(r), entries: r.readVector(12, readEntry), commitZxid: readZxid(r) };
    case 'ping':
      return { type, session: r.readInt(), epoch: readEpoch(r), commitZxid: readZxid(r) };
    case 'request':
      return { type, origin: readBytes(r), data: readBytes(r) };
    case 'syncRequest':
      return { type, origin: readBytes(r) };
    case 'syncReply':
      return { type, epoch: readEpoch(r), origin: readBytes(r), zxid: readZxid(r) };
    default:
      return assertNever(type, 'consensus message type');
  }
}

function readSync(r: JuteReader): ConsensusMessage {
  const session = r.readInt();
  const epoch = readEpoch(r);
  const mode = readEnum(r, SYNC_MODES);
  const truncateAfter = readZxid(r);
  const snapshot: SnapshotImage | null = r.readBool() ? { zxid: readZxid(r), data: readBytes(r) } : null;
  const entries = r.readVector(12, readEntry);
  return { type: 'sync', session, epoch, mode, truncateAfter, snapshot, entries, commitZxid: readZxid(r) };
}

function readVote(r: JuteReader): Vote {
  return { leader: r.readInt(), zxid: readZxid(r), epoch: readEpoch(r) };
}

function readEntry(r: JuteReader): LogEntry {
  return { zxid: readZxid(r), data: readBytes(r) };
}

function readBytes(r: JuteReader): Uint8Array {
  const bytes = r.readBufferCopy();
  if (bytes === null) throw new DecodeError('null buffer where bytes are required');
  return bytes;
}

function readZxid(r: JuteReader): bigint {
  const zxid = r.readLong();
  if (zxid < 0n) throw new DecodeError('negative zxid');
  return zxid;
}

function readEpoch(r: JuteReader): number {
  const epoch = r.readInt();
  if (epoch < 0) throw new DecodeError('negative epoch');
  return epoch;
}

function readRound(r: JuteReader): number {
  const round = r.readLong();
  if (round < 0n || round > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('election round out of range');
  return Number(round);
}

function readEnum<T>(r: JuteReader, values: readonly T[]): T {
  const value = values[r.readInt()];
  if (value === undefined) throw new DecodeError('enum value out of range');
  return value;
}
