/**
 * The standalone server as a real process: snapshots and recovery, session expiry on the
 * server's clock, container and TTL reaping, and refusing to start on a corrupt log.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ZkClient, type WatchedEvent } from '../../../client/index.js';
import { ErrorCode, EventType, OpCode } from '../../../protocol/index.js';
import { RawConnection, requestFrame } from '../../interop/raw-socket.js';
import { purge } from '../../../server/storage/purge.js';
import { corralBin, reapAll, startCorral, until, type ServerHandle } from '../../helpers/index.js';

const clients: ZkClient[] = [];
const servers: ServerHandle[] = [];

async function connect(server: ServerHandle, sessionTimeoutMs = 20_000): Promise<ZkClient> {
  const client = new ZkClient(server.connectString, { sessionTimeoutMs });
  clients.push(client);
  await client.connect({ timeoutMs: 10_000 });
  return client;
}

async function corral(cfg: Record<string, string | number> = {}): Promise<ServerHandle> {
  const server = await startCorral({ cfg });
  servers.push(server);
  return server;
}

const text = (data: Uint8Array | null): string => new TextDecoder().decode(data ?? new Uint8Array());

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.dispose();
});

afterAll(async () => {
  await reapAll();
});

describe('standalone server process', () => {
  it('snapshots every snapCount txns and recovers snapshot plus log on restart', async () => {
    const savedLogLevel = process.env.CORRAL_LOG;
    process.env.CORRAL_LOG = 'info'; // for the "snapshot taken" line
    const server = await corral({ snapCount: 20 }).finally(() => {
      if (savedLogLevel === undefined) delete process.env.CORRAL_LOG;
      else process.env.CORRAL_LOG = savedLogLevel;
    });
    const client = await connect(server);
    await client.create('/snap');
    for (let i = 0; i < 150; i++) await client.create(`/snap/n${i}`, new TextEncoder().encode(`v${i}`));
    await client.setData('/snap/n7', new TextEncoder().encode('changed'));
    const snapshotDir = join(server.dataDir, 'version-2');
    await until(() => readdirSync(snapshotDir).some((name) => /^snapshot\.[0-9a-f]+$/.test(name)), {
      timeoutMs: 10_000,
      what: 'a snapshot file',
    });
    // Each snapshot reports the server's own worst event-loop delay while it was written.
    await until(() => server.stderr.includes('"msg":"snapshot taken"'), { timeoutMs: 10_000, what: 'a "snapshot taken" line' });
    const taken = server.stderr.split('\n').find((line) => line.includes('"msg":"snapshot taken"')) ?? '';
    const fields = JSON.parse(taken) as { maxEventLoopDelayMs?: unknown; nodes?: unknown };
    expect(fields.maxEventLoopDelayMs).toBeTypeOf('number');
    expect(fields.nodes).toBeGreaterThan(0);
    client.destroy();
    await server.stop();
    await server.restart();
    const after = await connect(server);
    const children = await after.getChildren('/snap');
    expect(children).toHaveLength(150);
    expect(text((await after.getData('/snap/n149')).data)).toBe('v149');
    const changed = await after.getData('/snap/n7');
    expect(text(changed.data)).toBe('changed');
    expect(changed.stat.version).toBe(1);
  });

  it('expires a silent session on the server clock: its ephemerals go and watchers are told', async () => {
    const server = await corral({ tickTime: 500 });
    const owner = await connect(server, 2_000);
    await owner.create('/eph', null, { mode: 'ephemeral' });
    const watcher = await connect(server);
    const events: WatchedEvent[] = [];
    expect(await watcher.exists('/eph', { watch: (event) => events.push(event) })).not.toBeNull();
    owner.destroy(); // no closeSession: only expiry can remove the node
    await until(() => events.length > 0, { timeoutMs: 10_000, what: 'NodeDeleted for the ephemeral' });
    expect(events[0]?.type).toBe(EventType.NodeDeleted);
    expect(await watcher.exists('/eph')).toBeNull();
  });

  it('reaps an emptied container and an expired TTL node', async () => {
    const server = await corral({ extendedTypesEnabled: 'true', 'znode.container.checkIntervalMs': 200 });
    const client = await connect(server);
    await client.create('/box', null, { mode: 'container' });
    await client.create('/box/item');
    await client.create('/short', null, { mode: 'persistentWithTtl', ttlMs: 300 });
    await client.delete('/box/item');
    await until(async () => (await client.exists('/box')) === null, { timeoutMs: 10_000, what: 'container reaped' });
    await until(async () => (await client.exists('/short')) === null, { timeoutMs: 10_000, what: 'TTL node reaped' });
  });

  it('refuses to start on a log corrupted before its last record, and changes nothing', async () => {
    const server = await corral();
    const client = await connect(server);
    for (let i = 0; i < 20; i++) await client.create(`/c${i}`, new TextEncoder().encode('x'.repeat(64)));
    client.destroy();
    await server.stop();
    const logDir = join(server.dataDir, 'version-2');
    const logName = readdirSync(logDir).find((name) => name.startsWith('log.'));
    expect(logName).toBeDefined();
    const logPath = join(logDir, logName as string);
    const bytes = readFileSync(logPath);
    bytes[200] = (bytes[200] ?? 0) ^ 0xff; // inside an early record, with valid records after it
    writeFileSync(logPath, bytes);
    const result = spawnSync(process.execPath, [corralBin, 'server', '--config', server.configPath], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/corrupt/i);
    expect(readFileSync(logPath).equals(bytes)).toBe(true);
  });

  it('refuses to start when the log does not continue the newest valid snapshot, and changes nothing', async () => {
    const server = await corral({ snapCount: 20 });
    const client = await connect(server);
    for (let i = 0; i < 120; i++) await client.create(`/p${i}`, new TextEncoder().encode(`v${i}`));
    client.destroy();
    await server.stop();
    const dir = join(server.dataDir, 'version-2');
    // What autopurge leaves: the newest 3 snapshots and the logs from the oldest of them on.
    const purged = await purge(server.dataDir, server.dataDir, 3);
    expect(purged.deletedLogs.length).toBeGreaterThan(0);
    const snapshotNames = readdirSync(dir).filter((name) => /^snapshot\.[0-9a-f]+$/.test(name));
    expect(snapshotNames.length).toBeGreaterThan(0);
    for (const name of snapshotNames) {
      const bytes = readFileSync(join(dir, name));
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff; // breaks the trailer checksum
      writeFileSync(join(dir, name), bytes);
    }
    // A torn tail as well: it must not be truncated either, since the server refuses to start.
    cutLastLogRecord(dir);
    const before = new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
    const result = spawnSync(process.execPath, [corralBin, 'server', '--config', server.configPath], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/corrupt data, refusing to start.*log\.[0-9a-f]+.*no valid snapshot.*txns in between are missing/);
    expect(result.stderr).toContain(snapshotNames[0]);
    const after = readdirSync(dir);
    expect(after.sort()).toEqual([...before.keys()].sort());
    for (const name of after) expect(readFileSync(join(dir, name)).equals(before.get(name) as Buffer)).toBe(true);
  });

  it('autopurges once at start when autopurge.purgeInterval is set', async () => {
    const first = await corral({ snapCount: 20 });
    const client = await connect(first);
    for (let i = 0; i < 120; i++) await client.create(`/a${i}`);
    client.destroy();
    await first.stop();
    const dir = join(first.dataDir, 'version-2');
    const snapshotsIn = (): string[] => readdirSync(dir).filter((name) => /^snapshot\.[0-9a-f]+$/.test(name));
    const byZxid = (names: string[]): string[] => [...names].sort((a, b) => (BigInt(`0x${a.slice(9)}`) < BigInt(`0x${b.slice(9)}`) ? -1 : 1));
    const before = byZxid(snapshotsIn());
    expect(before.length).toBeGreaterThan(3);
    const stale = before.slice(0, -3);
    const second = await startCorral({ dataDir: first.dataDir, cfg: { 'autopurge.purgeInterval': 1, 'autopurge.snapRetainCount': 3 } });
    servers.unshift(second); // stopped before `first` removes the shared dataDir
    await until(() => stale.every((name) => !snapshotsIn().includes(name)), { timeoutMs: 10_000, what: 'the stale snapshots purged' });
    for (const name of before.slice(-3)) expect(snapshotsIn()).toContain(name);
  });

  it('takes jute.maxbuffer from -Djute.maxbuffer in SERVER_JVMFLAGS, as zkServer.sh passes it', async () => {
    const data = new Uint8Array(3 * 1024 * 1024).fill(0x61); // over the default frame and field limits
    const saved = process.env.SERVER_JVMFLAGS;
    process.env.SERVER_JVMFLAGS = '-Xmx512m -Djute.maxbuffer=4194304';
    const raised = await corral().finally(() => {
      if (saved === undefined) delete process.env.SERVER_JVMFLAGS;
      else process.env.SERVER_JVMFLAGS = saved;
    });
    const client = await connect(raised);
    await client.create('/big', data);
    expect((await client.exists('/big'))?.dataLength).toBe(data.length);

    const standard = await corral();
    const refused = await connect(standard);
    await expect(refused.create('/big', data)).rejects.toMatchObject({ code: ErrorCode.ConnectionLoss });
    const checker = await connect(standard);
    expect(await checker.exists('/big')).toBeNull();
  });

  it('answers reconfig with ReconfigDisabled (-123), as ZooKeeper does without reconfigEnabled', async () => {
    const server = await corral();
    const { conn } = await RawConnection.session(server.host, server.port);
    try {
      const ustring = (text: string): Buffer => {
        const bytes = Buffer.from(text, 'utf8');
        const length = Buffer.alloc(4);
        length.writeInt32BE(bytes.length);
        return Buffer.concat([length, bytes]);
      };
      const nullString = Buffer.from([0xff, 0xff, 0xff, 0xff]);
      const configId = Buffer.alloc(8);
      configId.writeBigInt64BE(-1n);
      const body = Buffer.concat([ustring('server.2=127.0.0.1:2888:3888;2181'), nullString, nullString, configId]);
      conn.send(requestFrame(1, OpCode.reconfig, body));
      const reply = await conn.readReply();
      expect(reply.xid).toBe(1);
      expect(reply.err).toBe(-123);
      expect(ErrorCode.ReconfigDisabled).toBe(-123);
    } finally {
      conn.destroy();
    }
  });

  it('with globalOutstandingLimit=1, pipelined bursts from several sessions are all answered, in order', async () => {
    const server = await corral({ globalOutstandingLimit: 1 });
    const sessions = await Promise.all([0, 1, 2].map(() => connect(server)));
    const burst = async (client: ZkClient, s: number): Promise<string[]> =>
      Promise.all(Array.from({ length: 200 }, (_, i) => client.create(`/g${s}-${i}`)));
    const created = await Promise.all(sessions.map((client, s) => burst(client, s)));
    created.forEach((paths, s) => expect(paths).toEqual(Array.from({ length: 200 }, (_, i) => `/g${s}-${i}`)));
    expect((await sessions[0]?.getChildren('/'))?.length).toBe(601); // + /zookeeper
  });

  it('truncates a torn final log record with a warn line and serves everything before it', async () => {
    const server = await corral();
    const client = await connect(server);
    for (let i = 0; i < 10; i++) await client.create(`/t${i}`, new TextEncoder().encode('x'.repeat(100)));
    client.destroy();
    await server.kill('SIGKILL');
    const dir = join(server.dataDir, 'version-2');
    cutLastLogRecord(dir); // a write cut short inside the last record (the create of /t9)
    await server.restart();
    expect(server.stderr).toMatch(/truncating torn final log record/);
    const after = await connect(server);
    const children = (await after.getChildren('/')).filter((name) => name.startsWith('t')).sort();
    expect(children).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
  });
});

/**
 * Cuts the newest log file in `versionDir` 5 bytes into its last record, as a write torn by a
 * crash. Walks the records (server/storage/file-log.ts: 16-byte header, then length u32, crc u32,
 * zxid u64, payload) to the end of the last one; zero padding follows it.
 */
function cutLastLogRecord(versionDir: string): void {
  const logName = readdirSync(versionDir).filter((name) => name.startsWith('log.')).sort((a, b) => (BigInt(`0x${a.slice(4)}`) < BigInt(`0x${b.slice(4)}`) ? -1 : 1)).at(-1) as string;
  const logPath = join(versionDir, logName);
  const bytes = readFileSync(logPath);
  let end = 16;
  while (end + 16 <= bytes.length && bytes.readBigUInt64BE(end + 8) !== 0n) end += 16 + bytes.readUInt32BE(end);
  expect(end).toBeGreaterThan(16);
  truncateSync(logPath, end - 5);
}
