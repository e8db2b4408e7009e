import { describe, expect, it } from 'vitest';
import { EventType } from '../../protocol/opcodes.js';
import { until } from '../helpers/index.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';
import { CreateMode, type InteropClient, type WatchEvent } from './zk-client.js';

/** Waits until `client` has seen `count` events, then returns all of them. */
async function eventsAfter(client: InteropClient, count: number): Promise<WatchEvent[]> {
  await until(() => client.events.length >= count, { timeoutMs: 10_000, what: `${count} watch events` });
  return [...client.events];
}

/**
 * Fires a fresh one-shot watch on `barrierPath` and waits for its event. Notifications on one
 * connection arrive in zxid order, so once the barrier event is in, any event that an earlier
 * change could have fired is in as well: this is how "no further event" is checked without sleeps.
 */
async function barrier(watcher: InteropClient, writer: InteropClient, barrierPath: string): Promise<WatchEvent[]> {
  await watcher.exists(barrierPath, { watch: true });
  await writer.create(barrierPath);
  await until(() => watcher.events.some((e) => e.path === barrierPath), { timeoutMs: 10_000, what: 'barrier event' });
  return watcher.events.filter((e) => e.path !== barrierPath);
}

describe.each(ensembleTargets)('$label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'watches'), () => {
    const fx = useServer(target);

    it('exists watch on a missing node fires NodeCreated once (one-shot)', async () => {
      const watcher = await fx.connect();
      const writer = await fx.connect();
      expect(await watcher.exists('/w1', { watch: true })).toBeNull();
      await writer.create('/w1', 'a');
      expect(await eventsAfter(watcher, 1)).toEqual([{ type: EventType.NodeCreated, path: '/w1', via: 'exists' }]);
      await writer.setData('/w1', 'b');
      expect(await barrier(watcher, writer, '/w1-barrier')).toEqual([
        { type: EventType.NodeCreated, path: '/w1', via: 'exists' },
      ]);
    });

    it('getData watch fires NodeDataChanged, then a new one fires NodeDeleted', async () => {
      const watcher = await fx.connect();
      const writer = await fx.connect();
      await writer.create('/w2', 'a');
      await watcher.catchUp();
      await watcher.getData('/w2', { watch: true });
      await writer.setData('/w2', 'b');
      await writer.setData('/w2', 'c');
      await eventsAfter(watcher, 1);
      await watcher.getData('/w2', { watch: true });
      await writer.remove('/w2');
      expect(await barrier(watcher, writer, '/w2-barrier')).toEqual([
        { type: EventType.NodeDataChanged, path: '/w2', via: 'getData' },
        { type: EventType.NodeDeleted, path: '/w2', via: 'getData' },
      ]);
    });

    it('getChildren watch fires NodeChildrenChanged on the parent once; data changes do not fire it', async () => {
      const watcher = await fx.connect();
      const writer = await fx.connect();
      await writer.create('/w3');
      await watcher.catchUp();
      await watcher.getChildren('/w3', { watch: true });
      await writer.setData('/w3', 'data change');
      await writer.create('/w3/a');
      await writer.create('/w3/b');
      expect(await barrier(watcher, writer, '/w3-barrier')).toEqual([
        { type: EventType.NodeChildrenChanged, path: '/w3', via: 'getChildren' },
      ]);
    });

    it('getData on a missing node fails NoNode and sets no watch', async () => {
      const watcher = await fx.connect();
      const writer = await fx.connect();
      await expect(watcher.getData('/w4', { watch: true })).rejects.toMatchObject({ code: -101 });
      await writer.create('/w4');
      expect(await barrier(watcher, writer, '/w4-barrier')).toEqual([]);
    });

    it('closing a session deletes its ephemerals and tells their watchers, node event first', async () => {
      const owner = await fx.connect();
      const watcher = await fx.connect();
      await owner.create('/w5');
      await owner.create('/w5/e', 'x', { mode: CreateMode.ephemeral });
      await watcher.catchUp();
      await watcher.exists('/w5/e', { watch: true });
      await watcher.getChildren('/w5', { watch: true });
      await owner.close();
      expect(await eventsAfter(watcher, 2)).toEqual([
        { type: EventType.NodeDeleted, path: '/w5/e', via: 'exists' },
        { type: EventType.NodeChildrenChanged, path: '/w5', via: 'getChildren' },
      ]);
      expect(await watcher.exists('/w5/e')).toBeNull();
    });

    it('events from several writes arrive in the order of the writes', async () => {
      const watcher = await fx.connect();
      const writer = await fx.connect();
      for (const p of ['/w6a', '/w6b', '/w6c']) await writer.create(p);
      await watcher.catchUp();
      for (const p of ['/w6c', '/w6a', '/w6b']) await watcher.getData(p, { watch: true });
      await writer.setData('/w6b', '1');
      await writer.remove('/w6c');
      await writer.setData('/w6a', '1');
      expect(await eventsAfter(watcher, 3)).toEqual([
        { type: EventType.NodeDataChanged, path: '/w6b', via: 'getData' },
        { type: EventType.NodeDeleted, path: '/w6c', via: 'getData' },
        { type: EventType.NodeDataChanged, path: '/w6a', via: 'getData' },
      ]);
    });
  });
});
