/**
 * Read-only mode (zoo.cfg `readonlymode.enabled=true`, reference §2.3 and §9) on a 3-member
 * Corral ensemble that loses its quorum, checked against what a ZooKeeper 3.8.0 ensemble does
 * without local sessions: a session made while read-write re-attaches read-only (ConnectResponse
 * readOnly=1), reads work, writes and sync answer NOTREADONLY; a new session is refused with
 * NOTREADONLY and xid 0; a client that did not ask for read-only is closed; `isro` says `ro` and
 * `srvr` prints the READ-ONLY line. When the quorum returns, read-only clients are dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ConnectionEvent, ManagedClient, ZkClient, type SessionState } from '../../../client/index.js';
import { OpCode, encodeRequest } from '../../../protocol/index.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { ensemblePerTest, fourLetterWord, until, type ServerHandle } from '../../helpers/index.js';
import { frame, RawConnection } from '../../interop/raw-socket.js';

const fx = ensemblePerTest();
const raws: RawConnection[] = [];
const clients: ZkClient[] = [];

afterEach(() => {
  for (const raw of raws.splice(0)) raw.destroy();
  for (const client of clients.splice(0)) client.destroy();
});

/** A ConnectRequest frame with the readOnly byte set as given (reference §2.1). */
function connectFrame(options: { sessionId: bigint; passwd: Buffer; readOnly: boolean }): Buffer {
  const payload = Buffer.alloc(45);
  payload.writeBigInt64BE(0n, 4);
  payload.writeInt32BE(10_000, 12);
  payload.writeBigInt64BE(options.sessionId, 16);
  payload.writeInt32BE(16, 24);
  options.passwd.copy(payload, 28, 0, 16);
  payload.writeUInt8(options.readOnly ? 1 : 0, 44);
  return frame(payload);
}

async function rawConnect(m: ServerHandle, options: { sessionId: bigint; passwd: Buffer; readOnly: boolean }): Promise<RawConnection> {
  const raw = await RawConnection.open(m.host, m.port);
  raws.push(raw);
  raw.send(connectFrame(options));
  return raw;
}

const word = (m: ServerHandle, cmd: string): Promise<string> => fourLetterWord(m.host, m.port, cmd, { timeoutMs: 2_000 }).catch(() => '');

describe('read-only mode of an ensemble member', () => {
  it('serves reads to read-only sessions while the quorum is gone, answers writes NOTREADONLY, and drops them when it returns', async () => {
    const ensemble = await fx.start(3, { 'readonlymode.enabled': 'true' });
    const leader = await ensemble.leader();
    const lonelyIndex = [0, 1, 2].find((i) => i !== leader) as number;
    const lonely = ensemble.members[lonelyIndex] as ServerHandle;
    // A member still joining counts as without quorum and may already be read-only.
    await until(async () => (await word(lonely, 'isro')) === 'rw', { timeoutMs: 30_000, what: 'the member to join the quorum' });
    const first = await rawConnect(lonely, { sessionId: 0n, passwd: Buffer.alloc(16), readOnly: true });
    const made = await first.readConnectReply();
    expect(made.readOnly).toBe(false);
    first.send(Buffer.from(encodeRequest({ xid: 1, type: OpCode.create }, { op: OpCode.create, path: '/ro', data: new TextEncoder().encode('kept'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 })));
    expect((await first.readReply()).err).toBe(ErrorCode.Ok);
    first.destroy();

    for (const i of [0, 1, 2].filter((index) => index !== lonelyIndex)) await ensemble.members[i]?.kill('SIGKILL');
    await until(async () => (await word(lonely, 'isro')) === 'ro', { timeoutMs: 30_000, what: 'the lonely member to turn read-only' });
    const srvr = await word(lonely, 'srvr');
    expect(srvr).toContain('\nREAD-ONLY mode; serving only read-only clients\n');
    expect(srvr).toContain('\nMode: read-only\n');
    expect(await word(lonely, 'mntr')).toMatch(/^zk_version\t.*\nzk_server_state\tread-only\n/);
    expect(await word(lonely, 'mntr')).not.toContain('zk_peer_state');

    // A session made while read-write re-attaches read-only and reads.
    const ro = await rawConnect(lonely, { sessionId: made.sessionId, passwd: made.passwd, readOnly: true });
    const attached = await ro.readConnectReply();
    expect([attached.sessionId, attached.readOnly, attached.sizeBytes]).toEqual([made.sessionId, true, 37]);
    ro.send(Buffer.from(encodeRequest({ xid: 2, type: OpCode.getData }, { op: OpCode.getData, path: '/ro', watch: false })));
    const read = await ro.readReply();
    expect(read.err).toBe(ErrorCode.Ok);
    expect(read.body.subarray(4, 8).toString()).toBe('kept');
    ro.send(Buffer.from(encodeRequest({ xid: 3, type: OpCode.setData }, { op: OpCode.setData, path: '/ro', data: null, version: -1 })));
    const write = await ro.readReply();
    expect([write.xid, write.err, write.zxid]).toEqual([3, ErrorCode.NotReadOnly, read.zxid]);
    ro.send(Buffer.from(encodeRequest({ xid: 4, type: OpCode.sync }, { op: OpCode.sync, path: '/' })));
    expect((await ro.readReply()).err).toBe(ErrorCode.NotReadOnly);

    // A new session cannot be made read-only (ReadOnlyRequestProcessor refuses createSession).
    const fresh = await rawConnect(lonely, { sessionId: 0n, passwd: Buffer.alloc(16), readOnly: true });
    const refused = await fresh.readReply();
    expect([refused.xid, refused.err, refused.body.length]).toEqual([0, ErrorCode.NotReadOnly, 0]);
    expect(await fresh.waitClosed()).toBe(true);
    // A client that does not accept read-only is closed without a reply.
    const rw = await rawConnect(lonely, { sessionId: made.sessionId, passwd: made.passwd, readOnly: false });
    expect(await rw.readFrame()).toBeNull();

    // The quorum returns: read-only clients are dropped to look for a read-write server.
    await ensemble.members[leader]?.restart();
    expect(await ro.waitClosed(30_000)).toBe(true);
    await until(async () => (await word(lonely, 'isro')) === 'rw', { timeoutMs: 30_000, what: 'the member to serve read-write again' });
  });

  it('a ZkClient with canBeReadOnly turns connectedReadOnly without the quorum, reads, fails writes with NotReadOnly, and is connected again when it returns', async () => {
    const ensemble = await fx.start(3, { 'readonlymode.enabled': 'true' });
    const leader = await ensemble.leader();
    const lonelyIndex = [0, 1, 2].find((i) => i !== leader) as number;
    const lonely = ensemble.members[lonelyIndex] as ServerHandle;
    await until(async () => (await word(lonely, 'isro')) === 'rw', { timeoutMs: 30_000, what: 'the member to join the quorum' });
    const connectString = ensemble.members.map((m) => `${m.host}:${m.port}`).join(',');
    const client = new ZkClient(connectString, { canBeReadOnly: true, sessionTimeoutMs: 30_000, backoffMsMax: 500 });
    clients.push(client);
    const states: SessionState[] = [];
    client.onState((state) => states.push(state));
    await client.connect({ timeoutMs: 20_000 });
    expect(client.state).toBe('connected');
    await client.create('/ro-client', 'kept');
    const sessionId = client.sessionId;
    // Recipes see read-only as suspended (their writes would fail), and read-write again as reconnected.
    const managed = ManagedClient.wrap(client);
    const events: ConnectionEvent[] = [];
    managed.onConnection((event) => events.push(event));

    for (const i of [0, 1, 2].filter((index) => index !== lonelyIndex)) await ensemble.members[i]?.kill('SIGKILL');
    await until(() => client.state === 'connectedReadOnly', { timeoutMs: 30_000, what: 'the client to attach read-only' });
    expect(states).toContain('disconnected');
    expect(client.sessionId).toBe(sessionId);
    expect(new TextDecoder().decode((await client.getData('/ro-client')).data ?? new Uint8Array())).toBe('kept');
    expect(await client.getChildren('/')).toContain('ro-client');
    await expect(client.setData('/ro-client', 'lost')).rejects.toMatchObject({ code: ErrorCode.NotReadOnly, path: '/ro-client' });
    await expect(client.create('/ro-new')).rejects.toMatchObject({ code: ErrorCode.NotReadOnly });
    // Suspended once when the connection dropped, and again when it came back read-only.
    expect(events).toEqual(['suspended', 'suspended']);
    expect(managed.isConnected).toBe(false);

    // The quorum returns: the member drops read-only clients and the client reconnects read-write.
    await ensemble.members[leader]?.restart();
    await until(() => client.state === 'connected', { timeoutMs: 60_000, what: 'the client to be read-write again' });
    expect(client.sessionId).toBe(sessionId);
    expect(states.slice(states.indexOf('connectedReadOnly'))).toContain('connected');
    expect(events.slice(-1)).toEqual(['reconnected']);
    expect(events).toContain('suspended');
    expect(managed.isConnected).toBe(true);
    await client.setData('/ro-client', 'written');
    expect(new TextDecoder().decode((await client.getData('/ro-client')).data ?? new Uint8Array())).toBe('written');
  });
});
