/**
 * The replica core driven directly, without sockets or files: reply order per connection,
 * watch events before later replies, durability before replies, and the session rules of
 * reference §2.3.
 */
import { describe, expect, it } from 'vitest';
import { EventType, OpCode, type ConnectRequest, type Request } from '../../../protocol/index.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { Replica } from '../../../server/replica/replica.js';
import type { Outbound } from '../../../server/replica/ready.js';
import { sessionPassword } from '../../../server/session/index.js';
import { now, testReplica } from './replica-fixture.js';


function replica(): Replica {
  return testReplica();
}

const connect = (sessionId = 0n, passwd: Uint8Array | null = new Uint8Array(16)): ConnectRequest => ({
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 30_000,
  sessionId,
  passwd,
  readOnly: false,
});

/** Takes the replica's output and makes everything it asked to persist durable. */
function drain(r: Replica): Outbound[] {
  const out: Outbound[] = [];
  for (let round = 0; round < 10; round++) {
    const rd = r.ready();
    r.advance();
    out.push(...rd.out);
    const last = rd.persist.at(-1);
    if (last === undefined) break;
    r.persisted(last.zxid);
  }
  return out;
}

function open(r: Replica, conn: number): bigint {
  r.connectionOpened(conn, { remoteAddress: '127.0.0.1', remotePort: 40_000 + conn });
  r.connectRequest(conn, connect(), now);
  const response = drain(r).find((o) => o.kind === 'connect' && o.conn === conn);
  if (response?.kind !== 'connect') throw new Error('no connect response');
  return response.response.sessionId;
}

const data = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (path: string, flags = 0): Request => ({ op: OpCode.create, path, data: data('x'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags });

describe('replica', () => {
  it('answers a write only after its txn is durable', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 1, type: OpCode.create }, create('/a'), now);
    const rd = r.ready();
    r.advance();
    expect(rd.out).toEqual([]);
    expect(rd.persist.map((entry) => entry.zxid)).toEqual([2n]);
    r.persisted(2n);
    const afterSync = drain(r);
    expect(afterSync).toEqual([
      { conn: 1, kind: 'reply', header: { xid: 1, zxid: 2n, err: 0 }, response: { kind: 'create', path: '/a' } },
    ]);
  });

  it('a read does not overtake an earlier write of the same connection', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 1, type: OpCode.create }, create('/a'), now);
    r.request(1, { xid: 2, type: OpCode.exists }, { op: OpCode.exists, path: '/a', watch: false }, now);
    const out = drain(r).filter((o) => o.kind === 'reply');
    expect(out.map((o) => (o.kind === 'reply' ? [o.header.xid, o.header.err] : null))).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('sends a watch event before the reply to the write that fired it (reference §7.4)', () => {
    const r = replica();
    open(r, 1);
    open(r, 2);
    r.request(2, { xid: 1, type: OpCode.exists }, { op: OpCode.exists, path: '/w', watch: true }, now);
    drain(r);
    r.request(2, { xid: 2, type: OpCode.create }, create('/w'), now);
    const out = drain(r).filter((o) => o.conn === 2);
    expect(out.map((o) => o.kind)).toEqual(['event', 'reply']);
    expect(out[0]).toEqual({ conn: 2, kind: 'event', event: { type: EventType.NodeCreated, state: 3, path: '/w' } });
  });

  it('reattaching with a wrong password closes the live connection and the attempt (§2.3 step 7)', () => {
    const r = replica();
    const sessionId = open(r, 1);
    r.connectionOpened(2, { remoteAddress: '127.0.0.1', remotePort: 2 });
    r.connectRequest(2, connect(sessionId, new Uint8Array(16)), now);
    const rd = r.ready();
    r.advance();
    expect(rd.closes).toEqual([1, 2]);
    expect(rd.out).toEqual([
      { conn: 2, kind: 'connect', response: { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false } },
    ]);
  });

  it('reattaching with the right password keeps the session', () => {
    const r = replica();
    const sessionId = open(r, 1);
    r.connectionClosed(1);
    r.connectionOpened(2, { remoteAddress: '127.0.0.1', remotePort: 2 });
    r.connectRequest(2, connect(sessionId, sessionPassword(sessionId)), now);
    const out = drain(r);
    expect(out[0]?.kind === 'connect' && out[0].response.sessionId).toBe(sessionId);
  });

  it('closes without a reply a client that has seen a newer zxid than the server (§2.3 step 3)', () => {
    const r = replica();
    r.connectionOpened(1, { remoteAddress: '127.0.0.1', remotePort: 1 });
    r.connectRequest(1, { ...connect(), lastZxidSeen: 99n }, now);
    const rd = r.ready();
    expect(rd.out).toEqual([]);
    expect(rd.closes).toEqual([1]);
  });

  it('closeSession removes ephemerals, replies, then closes the connection', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 1, type: OpCode.create }, create('/e', 1), now);
    drain(r);
    expect(r.tree.ephemeralCount).toBe(1);
    r.request(1, { xid: 2, type: OpCode.closeSession }, { op: OpCode.closeSession }, now);
    const out = drain(r);
    expect(out.at(-1)).toMatchObject({ conn: 1, kind: 'reply', header: { xid: 2, err: 0 } });
    expect(r.tree.ephemeralCount).toBe(0);
  });

  it('expires a session after its timeout on the given clock and deletes its ephemerals', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 1, type: OpCode.create }, create('/e', 1), now);
    drain(r);
    r.tick({ nowMs: now.nowMs + 20_000, wallMs: now.wallMs + 20_000 });
    drain(r);
    expect(r.tree.ephemeralCount).toBe(1);
    r.tick({ nowMs: now.nowMs + 34_000, wallMs: now.wallMs + 34_000 });
    drain(r);
    expect(r.tree.ephemeralCount).toBe(0);
    expect(r.sessions.size).toBe(0);
  });

  it('answers an unknown opcode with zxid -1 and Unimplemented, then closes', () => {
    const r = replica();
    open(r, 1);
    r.badRequest(1, { xid: 5, type: 99 }, ErrorCode.Unimplemented, now);
    const rd = r.ready();
    expect(rd.out).toEqual([{ conn: 1, kind: 'reply', header: { xid: 5, zxid: -1n, err: ErrorCode.Unimplemented }, response: null }]);
    expect(rd.closes).toEqual([1]);
  });

  it('an undecodable write is an error txn: MARSHALLINGERROR at a new zxid, after the earlier write, connection kept (PrepRequestProcessor)', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 1, type: OpCode.create }, create('/a'), now);
    r.badRequest(1, { xid: 2, type: OpCode.multi }, ErrorCode.MarshallingError, now);
    const rd = r.ready();
    expect(rd.out).toEqual([]);
    expect(rd.persist.map((entry) => entry.zxid)).toEqual([2n, 3n]);
    const out = drain(r);
    expect(out.map((o) => (o.kind === 'reply' ? [o.header.xid, o.header.zxid, o.header.err, o.response] : o.kind))).toEqual([
      [1, 2n, 0, { kind: 'create', path: '/a' }],
      [2, 3n, ErrorCode.MarshallingError, null],
    ]);
    expect(r.ready().closes).toEqual([]);
    expect(r.lastAppliedZxid).toBe(3n);
  });

  it('an undecodable read is answered at the last zxid without a txn', () => {
    const r = replica();
    open(r, 1);
    r.badRequest(1, { xid: 4, type: OpCode.getData }, ErrorCode.MarshallingError, now);
    const rd = r.ready();
    expect(rd.persist).toEqual([]);
    expect(rd.out).toEqual([{ conn: 1, kind: 'reply', header: { xid: 4, zxid: 1n, err: ErrorCode.MarshallingError }, response: null }]);
  });

  it('a multiRead of write ops answers MARSHALLINGERROR with an empty MultiResponse (FinalRequestProcessor)', () => {
    const r = replica();
    open(r, 1);
    r.request(1, { xid: 3, type: OpCode.multiRead }, { op: OpCode.multiRead, ops: [{ op: OpCode.check, path: '/a', version: -1 }] }, now);
    const rd = r.ready();
    expect(rd.persist).toEqual([]);
    expect(rd.out).toEqual([
      { conn: 1, kind: 'reply', header: { xid: 3, zxid: 1n, err: ErrorCode.MarshallingError }, response: { kind: 'multi', results: [] } },
    ]);
  });
});
