import { afterEach, describe, expect, it } from 'vitest';
import { reapAll, type ServerHandle, startCorral, until } from '../../helpers/index.js';
import { ClientError, CreateMode, InteropClient } from '../../interop/zk-client.js';

/** Writers (one session each), concurrent lanes per writer, and the bounds of the stream. */
const writers = 4;
const lanesPerWriter = 2;
const maxWritesPerLane = 400;
const killAfterAcks = 150;

interface Ack {
  readonly path: string;
  readonly data: string;
}

/**
 * One lane: creates /crash/n-<seq> with unique data, one request at a time, until told to stop
 * or a write fails (the server died). Only writes whose reply arrived are recorded as acked.
 */
async function lane(client: InteropClient, name: string, acked: Ack[], stop: { now: boolean }): Promise<void> {
  for (let i = 0; i < maxWritesPerLane && !stop.now; i++) {
    const data = `${name}-${i}`;
    try {
      const path = await client.create('/crash/n-', data, { mode: CreateMode.persistentSequential });
      acked.push({ path, data });
    } catch (err) {
      // The kill turns in-flight writes into ConnectionLoss: unacknowledged, so nothing to check.
      if (err instanceof ClientError) return;
      throw err;
    }
  }
}

describe('crash: kill -9 mid-stream', () => {
  let server: ServerHandle | undefined;
  afterEach(async () => {
    await server?.dispose();
    await reapAll();
  });

  it('every acknowledged write survives kill -9 and restart on the same dataDir', async () => {
    server = await startCorral();
    const setup = await InteropClient.connect(server.connectString);
    await setup.create('/crash');
    await setup.close();

    const clients = await Promise.all(
      Array.from({ length: writers }, () => InteropClient.connect(server?.connectString ?? '')),
    );
    const acked: Ack[] = [];
    const stop = { now: false };
    // The lanes are not awaited: after the kill, requests queued in the client library may never
    // settle. Acks are recorded synchronously as they arrive, which is all the check needs.
    clients.forEach((client, w) => {
      for (let l = 0; l < lanesPerWriter; l++) void lane(client, `w${w}l${l}`, acked, stop);
    });
    await until(() => acked.length >= killAfterAcks, { timeoutMs: 60_000, what: `${killAfterAcks} acked writes` });

    await server.kill('SIGKILL');
    stop.now = true;
    const acknowledged = [...acked];
    // Close the old sessions before the restart, so no queued write can reach the new process.
    await Promise.all(clients.map((client) => client.close(2_000)));
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfterAcks);

    await server.restart();
    const reader = await InteropClient.connect(server.connectString);
    try {
      const missing: Ack[] = [];
      for (const ack of acknowledged) {
        const got = await reader.getData(ack.path).catch(() => null);
        if (got?.data !== ack.data) missing.push(ack);
      }
      expect(missing).toEqual([]);
      const { children } = await reader.getChildren('/crash');
      expect(children.length).toBeGreaterThanOrEqual(acknowledged.length);
      expect(new Set(acknowledged.map((a) => a.path)).size).toBe(acknowledged.length);
    } finally {
      await reader.close();
    }
  });
});
