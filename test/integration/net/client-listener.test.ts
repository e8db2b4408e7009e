// The listener is shell code whose behaviour lives in how it drives real sockets, so this test
// opens loopback sockets (127.0.0.1, OS-chosen ports) against a recording stand-in replica; it
// lives in `integration` (STYLE.md §9 keeps I/O out of `unit`). It is bounded (every wait has a
// timeout) and leaves nothing open (afterEach closes the listener and every client socket).
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeConnectResponse,
  decodeReplyHeader,
  encodeConnectFrame,
  encodeRequest,
  ErrorCode,
  FrameDecoder,
  OpCode,
  type ConnectRequest,
  type ConnectResponse,
  type Request,
  type RequestHeader,
} from '../../../protocol/index.js';
import type { ConnId, Outbound } from '../../../server/replica/ready.js';
import { ClientListener, type ReplicaInput } from '../../../server/net/client-listener.js';
import { FourLetterWords, type FourLetterWordSource } from '../../../server/net/four-letter-word-handler.js';
import { parseWhitelist } from '../../../server/net/four-letter-words.js';
import { ManualClock } from '../../../util/clock.js';
import { until } from '../../helpers/until.js';

type Input =
  | { kind: 'opened'; conn: ConnId }
  | { kind: 'connect'; conn: ConnId; req: ConnectRequest }
  | { kind: 'request'; conn: ConnId; header: RequestHeader; request: Request }
  | { kind: 'badRequest'; conn: ConnId; header: RequestHeader; code: number }
  | { kind: 'closed'; conn: ConnId };

/** Records every input, as the replica would receive them. */
class RecordingReplica implements ReplicaInput {
  readonly inputs: Input[] = [];
  connectionOpened(conn: ConnId): void {
    this.inputs.push({ kind: 'opened', conn });
  }
  connectRequest(conn: ConnId, req: ConnectRequest): void {
    this.inputs.push({ kind: 'connect', conn, req });
  }
  request(conn: ConnId, header: RequestHeader, request: Request): void {
    this.inputs.push({ kind: 'request', conn, header, request });
  }
  badRequest(conn: ConnId, header: RequestHeader, code: number): void {
    this.inputs.push({ kind: 'badRequest', conn, header, code });
  }
  connectionClosed(conn: ConnId): void {
    this.inputs.push({ kind: 'closed', conn });
  }
  ofKind<K extends Input['kind']>(kind: K): Extract<Input, { kind: K }>[] {
    return this.inputs.filter((i): i is Extract<Input, { kind: K }> => i.kind === kind);
  }
}

const standaloneSource: FourLetterWordSource = {
  isServing: () => true,
  summary: () => ({ lastZxid: 0x2an, mode: 'standalone', nodeCount: 5, proposalSizes: null }),
  confText: () => 'clientPort=2181\n',
  dataWatches: () => [],
  sessionBuckets: () => [],
  ephemerals: () => [],
  digests: () => [],
  monitorValues: () => ({ watchCount: 0, ephemeralsCount: 0, approximateDataSizeBytes: 0, globalSessions: 0, localSessions: 0, authFailedCount: 0, extra: [] }),
  dirSizes: async () => ({ dataDirBytes: 0, logDirBytes: 0 }),
};

const connectRequest: ConnectRequest = { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false };
const connectResponse: ConnectResponse = { protocolVersion: 0, timeOut: 30000, sessionId: 0x1000001n, passwd: new Uint8Array(16), readOnly: false };

function getData(xid: number): Uint8Array {
  return encodeRequest({ xid, type: OpCode.getData }, { op: OpCode.getData, path: '/a', watch: false });
}

/** A raw client socket that splits what it receives into frames. */
class RawClient {
  readonly socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly frames: Uint8Array[] = [];
  text = '';
  isClosed = false;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      this.#decoder.push(chunk);
      for (let f = this.#decoder.next(); f.kind === 'frame'; f = this.#decoder.next()) this.frames.push(f.payload);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.isClosed = true;
    });
  }

  send(...frames: Uint8Array[]): void {
    this.socket.write(Buffer.concat(frames));
  }
}

let listener: ClientListener | null = null;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await listener?.close();
  listener = null;
});

async function startListener(overrides: { maxClientCnxns?: number; maxOutstandingPerConnection?: number; whitelist?: string } = {}) {
  const replica = new RecordingReplica();
  const warnings: { msg: string; reason?: string; peer?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      warnings.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  const clock = new ManualClock();
  const started = new ClientListener({
    host: '127.0.0.1',
    port: 0,
    maxClientCnxns: overrides.maxClientCnxns ?? 60,
    maxFrameBytes: 0xfffff,
    maxOutstandingPerConnection: overrides.maxOutstandingPerConnection ?? 1000,
    fourLetterWords: new FourLetterWords({ source: standaloneSource, whitelist: parseWhitelist(overrides.whitelist ?? '*'), versionText: '3.8.0-corral-test, built on 1970-01-01 00:00 UTC', clock }),
    replica,
    onInput: () => undefined,
    log: pino({ level: 'warn' }, sink),
    clock,
  });
  listener = started;
  const { port } = await started.start();
  const client = (): RawClient => {
    const c = new RawClient(port);
    clients.push(c);
    return c;
  };
  return { listener: started, replica, warnings, client, port };
}

const wait = { timeoutMs: 10_000, intervalMs: 5 };

/** Waits until the replica has seen `count` ConnectRequests and returns them. */
async function connectsOf(replica: RecordingReplica, count: number): Promise<Extract<Input, { kind: 'connect' }>[]> {
  return until(() => {
    const connects = replica.ofKind('connect');
    return connects.length === count ? connects : null;
  }, { ...wait, what: `${count} ConnectRequest(s)` });
}

describe('ClientListener over loopback sockets', () => {
  it('holds pipelined requests until the ConnectResponse is delivered, then hands them on in order', async () => {
    const { listener, replica, client } = await startListener();
    const c = client();
    c.send(encodeConnectFrame(connectRequest), getData(1), getData(2));
    const [connect] = await connectsOf(replica, 1);
    expect(replica.ofKind('request')).toHaveLength(0);
    const conn = connect!.conn;
    listener.deliver([{ conn, kind: 'connect', response: connectResponse }], []);
    await until(() => replica.ofKind('request').length === 2, { ...wait, what: 'requests' });
    expect(replica.ofKind('request').map((r) => r.header.xid)).toEqual([1, 2]);
    const replies: Outbound[] = [1, 2].map((xid) => ({ conn, kind: 'reply', header: { xid, zxid: 5n, err: ErrorCode.NoNode }, response: null }));
    listener.deliver(replies, []);
    await until(() => c.frames.length === 3, { ...wait, what: 'three frames' });
    const response = decodeConnectResponse(c.frames[0]!);
    expect(response.ok && response.value.sessionId).toBe(0x1000001n);
    expect(c.frames.slice(1).map((f) => { const h = decodeReplyHeader(f); return h.ok ? h.value.xid : null; })).toEqual([1, 2]);
  });

  it('stops reading a connection at maxOutstandingPerConnection and resumes after replies', async () => {
    const { listener, replica, client } = await startListener({ maxOutstandingPerConnection: 2 });
    const c = client();
    c.send(encodeConnectFrame(connectRequest), getData(1), getData(2), getData(3), getData(4));
    const [connect] = await connectsOf(replica, 1);
    const conn = connect!.conn;
    listener.deliver([{ conn, kind: 'connect', response: connectResponse }], []);
    await until(() => replica.ofKind('request').length === 2, wait);
    expect(listener.stats().connections()[0]?.queued).toBe(2);
    listener.deliver([{ conn, kind: 'reply', header: { xid: 1, zxid: 1n, err: 0 }, response: null }], []);
    await until(() => replica.ofKind('request').length === 3, wait);
    expect(replica.ofKind('request').map((r) => r.header.xid)).toEqual([1, 2, 3]);
  });

  it('answers a four-letter word with text and closes, without telling the replica', async () => {
    const { replica, client } = await startListener();
    const c = client();
    c.send(Buffer.from('srvr'));
    await until(() => c.isClosed, { ...wait, what: 'close after srvr' });
    expect(c.text).toMatch(/^Zookeeper version: 3\.8\.0-corral-test, built on 1970-01-01 00:00 UTC\nLatency min\/avg\/max: 0\/0\.0\/0\n/);
    expect(c.text).toContain('Zxid: 0x2a\nMode: standalone\nNode count: 5\n');
    expect(replica.inputs).toEqual([]);
  });

  it('refuses a word outside the whitelist with ZooKeeper\'s text', async () => {
    const { client } = await startListener({ whitelist: 'srvr' });
    const c = client();
    c.send(Buffer.from('stat'));
    await until(() => c.isClosed, wait);
    expect(c.text).toBe('stat is not executed because it is not in the whitelist.\n');
  });

  it('closes only the connection that sends an oversized frame, with a warn log naming the peer', async () => {
    const { replica, client, warnings } = await startListener();
    const bad = client();
    bad.send(Uint8Array.of(0x7f, 0, 0, 0));
    await until(() => bad.isClosed, wait);
    expect(warnings).toContainEqual(expect.objectContaining({ msg: 'bad frame; closing connection', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }));
    const good = client();
    good.send(encodeConnectFrame(connectRequest));
    await until(() => replica.ofKind('connect').length === 1, wait);
  });

  it('refuses connections over maxClientCnxns from one address', async () => {
    const { replica, client, warnings } = await startListener({ maxClientCnxns: 1 });
    const first = client();
    first.send(encodeConnectFrame(connectRequest));
    await until(() => replica.ofKind('connect').length === 1, wait);
    const second = client();
    await until(() => second.isClosed, { ...wait, what: 'refused connection closed' });
    expect(warnings.map((w) => w.msg)).toContain('too many connections from one address; refusing');
    expect(first.isClosed).toBe(false);
  });

  it('closes after flushing on the replica\'s request, and reports every socket close to the replica', async () => {
    const { listener, replica, client } = await startListener();
    const a = client();
    a.send(encodeConnectFrame(connectRequest));
    await until(() => replica.ofKind('connect').length === 1, wait);
    const b = client();
    b.send(encodeConnectFrame(connectRequest));
    await until(() => replica.ofKind('connect').length === 2, wait);
    const [connA, connB] = replica.ofKind('connect').map((i) => i.conn);
    const expired: ConnectResponse = { ...connectResponse, timeOut: 0, sessionId: 0n };
    listener.deliver([{ conn: connA!, kind: 'connect', response: expired }], [connA!]);
    await until(() => a.isClosed, { ...wait, what: 'replica-requested close' });
    expect(a.frames).toHaveLength(1);
    await until(() => replica.ofKind('closed').length === 1, { ...wait, what: 'connectionClosed after requested close' });
    expect(replica.ofKind('closed')[0]?.conn).toBe(connA);
    b.socket.destroy();
    await until(() => replica.ofKind('closed').length === 2, { ...wait, what: 'connectionClosed after hang-up' });
    expect(replica.ofKind('closed')[1]?.conn).toBe(connB);
  });
});

describe('ClientListener counters', () => {
  it('cons lists the asking connection with interest 0 and one received packet, like ZooKeeper', async () => {
    const { client } = await startListener();
    const c = client();
    c.send(Buffer.from('cons'));
    await until(() => c.isClosed, wait);
    expect(c.text).toMatch(/^ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)\n\n$/);
  });

  it('stat counts requests, replies and response sizes of a session', async () => {
    const { listener, replica, client } = await startListener();
    const c = client();
    c.send(encodeConnectFrame(connectRequest), getData(1));
    const [connect] = await connectsOf(replica, 1);
    const conn = connect!.conn;
    listener.deliver([{ conn, kind: 'connect', response: connectResponse }], []);
    await until(() => replica.ofKind('request').length === 1, wait);
    listener.deliver([{ conn, kind: 'reply', header: { xid: 1, zxid: 7n, err: ErrorCode.NoNode }, response: null }], []);
    await until(() => c.frames.length === 2, wait);
    const [view] = listener.stats().connections();
    expect(view).toMatchObject({ recved: 2, sent: 2, queued: 0, session: { sessionId: 0x1000001n, lastOp: 'GETD', lastCxid: 1, lastZxid: 7n, timeoutMs: 30000 } });
    expect(listener.stats().serverStats()).toMatchObject({ packetsReceived: 2, packetsSent: 2, lastResponseBytes: 16, minResponseBytes: 16, maxResponseBytes: 16 });
  });
});
