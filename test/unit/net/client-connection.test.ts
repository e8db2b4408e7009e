import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeConnectFrame, encodeRequest, ErrorCode, OpCode, type ConnectRequest } from '../../../protocol/index.js';
import { ClientConnection, type ConnectionEvent } from '../../../server/net/client-connection.js';
import { ConnectionLimiter } from '../../../server/net/connection-limiter.js';

const connectRequest: ConnectRequest = {
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 30000,
  sessionId: 0n,
  passwd: new Uint8Array(16),
  readOnly: false,
};

function getData(xid: number, path = '/a'): Uint8Array {
  return encodeRequest({ xid, type: OpCode.getData }, { op: OpCode.getData, path, watch: false });
}

function ping(): Uint8Array {
  return encodeRequest({ xid: -2, type: OpCode.ping }, { op: OpCode.ping });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** Drains every event the connection yields now. */
function drain(conn: ClientConnection, nowMs = 0): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  for (let e = conn.next(nowMs); e !== null; e = conn.next(nowMs)) events.push(e);
  return events;
}

function newConnection(maxOutstanding = 1000): ClientConnection {
  return new ClientConnection({ maxFrameBytes: 0xfffff, maxOutstanding });
}

describe('ClientConnection: the ConnectResponse gate (reference §2.3 step 5)', () => {
  it('hands on nothing after a ConnectRequest until its response is delivered, then the buffered frames in order', () => {
    const conn = newConnection();
    conn.push(concat(encodeConnectFrame(connectRequest), getData(1), getData(2, '/b')));
    const first = drain(conn);
    expect(first.map((e) => e.kind)).toEqual(['connect']);
    expect(conn.isReadable).toBe(false);
    expect(conn.connectResponseDelivered()).toEqual({ receivedMs: 0 });
    const rest = drain(conn);
    expect(rest.map((e) => (e.kind === 'request' ? e.header.xid : e.kind))).toEqual([1, 2]);
  });

  it('reassembles frames split at every byte', () => {
    const conn = newConnection();
    const bytes = concat(encodeConnectFrame(connectRequest), getData(7));
    const events: ConnectionEvent[] = [];
    for (const byte of bytes) {
      conn.push(Uint8Array.of(byte));
      events.push(...drain(conn));
      if (events.length === 1 && conn.isReadable === false) conn.connectResponseDelivered();
    }
    expect(events.map((e) => e.kind)).toEqual(['connect', 'request']);
  });
});

describe('ClientConnection: outstanding-request backpressure', () => {
  it('stops at maxOutstanding positive-xid requests and resumes when a reply goes out', () => {
    const conn = newConnection(2);
    conn.push(concat(encodeConnectFrame(connectRequest), getData(1), getData(2), getData(3)));
    drain(conn);
    conn.connectResponseDelivered();
    expect(drain(conn)).toHaveLength(2);
    expect(conn.outstanding).toBe(2);
    expect(conn.isReadable).toBe(false);
    expect(conn.replyDelivered(1)).toMatchObject({ xid: 1, op: OpCode.getData });
    expect(conn.isReadable).toBe(true);
    const resumed = drain(conn);
    expect(resumed.map((e) => (e.kind === 'request' ? e.header.xid : e.kind))).toEqual([3]);
  });

  it('does not count pings (xid <= 0) toward the limit but still matches their replies', () => {
    const conn = newConnection(1);
    conn.push(concat(encodeConnectFrame(connectRequest), ping(), ping(), getData(1)));
    drain(conn);
    conn.connectResponseDelivered();
    expect(drain(conn)).toHaveLength(3);
    expect(conn.outstanding).toBe(1);
    expect(conn.replyDelivered(-2)).toMatchObject({ xid: -2, op: OpCode.ping });
    expect(conn.outstanding).toBe(1);
  });

  it('records the receive time so the listener can measure latency', () => {
    const conn = newConnection();
    conn.push(encodeConnectFrame(connectRequest));
    drain(conn, 5);
    expect(conn.connectResponseDelivered()).toEqual({ receivedMs: 5 });
    conn.push(getData(9));
    drain(conn, 12);
    expect(conn.replyDelivered(9)?.receivedMs).toBe(12);
    expect(conn.replyDelivered(9)).toBeNull();
  });
});

describe('ClientConnection: bad input closes only this connection', () => {
  it('reports an oversized frame length as a protocol error', () => {
    const conn = newConnection();
    conn.push(Uint8Array.of(0x7f, 0, 0, 0));
    expect(drain(conn)).toEqual([{ kind: 'protocolError', reason: expect.any(String) }]);
    expect(conn.isReadable).toBe(false);
  });

  it('reports an undecodable ConnectRequest as a protocol error', () => {
    const conn = newConnection();
    conn.push(Uint8Array.of(0, 0, 0, 3, 1, 2, 3));
    const events = drain(conn);
    expect(events).toHaveLength(1);
    expect(events[0]?.kind).toBe('protocolError');
  });

  it('turns an unknown opcode into badRequest(Unimplemented) and hands on nothing after it', () => {
    const conn = newConnection();
    const unknown = Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 99);
    conn.push(concat(encodeConnectFrame(connectRequest), unknown, getData(2)));
    drain(conn);
    conn.connectResponseDelivered();
    const events = drain(conn);
    expect(events).toEqual([{ kind: 'badRequest', header: { xid: 1, type: 99 }, code: ErrorCode.Unimplemented, reason: expect.any(String) }]);
  });

  it('turns an undecodable body into badRequest(MarshallingError) and keeps going', () => {
    const conn = newConnection();
    const truncatedGetData = Uint8Array.of(0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, OpCode.getData, 0, 0);
    conn.push(concat(encodeConnectFrame(connectRequest), truncatedGetData, getData(2)));
    drain(conn);
    conn.connectResponseDelivered();
    const events = drain(conn);
    expect(events.map((e) => e.kind)).toEqual(['badRequest', 'request']);
    expect(events[0]).toMatchObject({ code: ErrorCode.MarshallingError });
  });

  it('never throws on arbitrary, arbitrarily split input', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const conn = newConnection();
        for (const chunk of chunks) {
          conn.push(chunk);
          drain(conn);
          conn.connectResponseDelivered();
        }
      }),
    );
  });
});

describe('ClientConnection: four-letter words (reference §9.1)', () => {
  it('recognises a word in the first 4 bytes even when they arrive one by one', () => {
    const conn = newConnection();
    for (const byte of new TextEncoder().encode('ruok')) {
      expect(conn.next(0)).toBeNull();
      conn.push(Uint8Array.of(byte));
    }
    expect(drain(conn)).toEqual([{ kind: 'fourLetterWord', word: 'ruok', mask: null }]);
  });

  it('waits for the 8-byte mask after stmk', () => {
    const conn = newConnection();
    conn.push(new TextEncoder().encode('stmk'));
    expect(conn.next(0)).toBeNull();
    conn.push(Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 0x32));
    expect(drain(conn)).toEqual([{ kind: 'fourLetterWord', word: 'stmk', mask: 306n }]);
  });

  it('closes on the telnet interrupt sequence', () => {
    const conn = newConnection();
    conn.push(Uint8Array.of(0xff, 0xf4, 0xff, 0xfd));
    expect(drain(conn)).toEqual([{ kind: 'telnetClose' }]);
  });

  it('treats a word after the ConnectRequest as ordinary frame bytes', () => {
    const conn = newConnection();
    conn.push(encodeConnectFrame(connectRequest));
    drain(conn);
    conn.connectResponseDelivered();
    conn.push(new TextEncoder().encode('ruok'));
    expect(drain(conn).map((e) => e.kind)).toEqual(['protocolError']);
  });
});

describe('ConnectionLimiter (maxClientCnxns)', () => {
  it('refuses the connection over the limit per address and frees slots on release', () => {
    const limiter = new ConnectionLimiter({ maxClientCnxns: 2 });
    expect(limiter.tryAcquire('127.0.0.1')).toBe(true);
    expect(limiter.tryAcquire('::ffff:127.0.0.1')).toBe(true);
    expect(limiter.tryAcquire('127.0.0.1')).toBe(false);
    expect(limiter.tryAcquire('127.0.0.2')).toBe(true);
    limiter.release('127.0.0.1');
    expect(limiter.countOf('127.0.0.1')).toBe(1);
    expect(limiter.tryAcquire('127.0.0.1')).toBe(true);
  });

  it('treats 0 as unlimited', () => {
    const limiter = new ConnectionLimiter({ maxClientCnxns: 0 });
    for (let i = 0; i < 500; i++) expect(limiter.tryAcquire('10.0.0.1')).toBe(true);
  });
});
