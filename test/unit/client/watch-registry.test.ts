import { describe, expect, it, vi } from 'vitest';
import { WatchRegistry, setWatchesRequests } from '../../../client/watch-registry.js';
import { EventType, OpCode } from '../../../protocol/opcodes.js';

const l = (name: string) => Object.assign(vi.fn(), { displayName: name });

describe('WatchRegistry.route (ZKWatchManager.materialize)', () => {
  it('NodeDataChanged and NodeCreated reach data and exist watchers, once, and consume them', () => {
    const r = new WatchRegistry();
    const data = l('data');
    const exist = l('exist');
    const child = l('child');
    r.add('data', '/a', data);
    r.add('exist', '/a', exist);
    r.add('child', '/a', child);
    expect(r.route(EventType.NodeDataChanged, '/a')).toEqual([data, exist]);
    expect(r.route(EventType.NodeCreated, '/a')).toEqual([]);
    expect(r.lists().child).toEqual(['/a']);
  });

  it('NodeChildrenChanged reaches only child watchers', () => {
    const r = new WatchRegistry();
    const data = l('data');
    const child = l('child');
    r.add('data', '/a', data);
    r.add('child', '/a', child);
    expect(r.route(EventType.NodeChildrenChanged, '/a')).toEqual([child]);
    expect(r.lists().data).toEqual(['/a']);
  });

  it('NodeDeleted reaches data, exist and child watchers', () => {
    const r = new WatchRegistry();
    const fns = [l('d'), l('e'), l('c')] as const;
    r.add('data', '/a', fns[0]);
    r.add('exist', '/a', fns[1]);
    r.add('child', '/a', fns[2]);
    expect(r.route(EventType.NodeDeleted, '/a')).toEqual([...fns]);
    expect(r.lists()).toEqual({ data: [], exist: [], child: [], persistent: [], persistentRecursive: [] });
  });

  it('a listener registered in two tables is called once', () => {
    const r = new WatchRegistry();
    const both = l('both');
    r.add('data', '/a', both);
    r.add('child', '/a', both);
    expect(r.route(EventType.NodeDeleted, '/a')).toEqual([both]);
  });

  it('persistent watchers stay and get every event type on their own path only', () => {
    const r = new WatchRegistry();
    const p = l('p');
    r.add('persistent', '/a', p);
    for (const t of [EventType.NodeCreated, EventType.NodeDataChanged, EventType.NodeChildrenChanged, EventType.NodeDeleted]) {
      expect(r.route(t, '/a')).toEqual([p]);
    }
    expect(r.route(EventType.NodeCreated, '/a/b')).toEqual([]);
    expect(r.lists().persistent).toEqual(['/a']);
  });

  it('recursive watchers get events of the path and its descendants, but never NodeChildrenChanged', () => {
    const r = new WatchRegistry();
    const rec = l('rec');
    const root = l('root');
    r.add('persistentRecursive', '/a', rec);
    r.add('persistentRecursive', '/', root);
    expect(r.route(EventType.NodeCreated, '/a/b/c')).toEqual([rec, root]);
    expect(r.route(EventType.NodeDataChanged, '/a')).toEqual([rec, root]);
    expect(r.route(EventType.NodeDeleted, '/ab')).toEqual([root]);
    expect(r.route(EventType.NodeChildrenChanged, '/a')).toEqual([]);
  });

  it('remove takes one listener or all from the given tables and names the removal event', () => {
    const r = new WatchRegistry();
    const a = l('a');
    const b = l('b');
    r.add('data', '/x', a);
    r.add('data', '/x', b);
    r.add('persistent', '/x', a);
    expect(r.has('/x', ['data'], a)).toBe(true);
    expect(r.remove('/x', ['data'], a)).toEqual([{ listener: a, eventType: EventType.DataWatchRemoved }]);
    expect(r.has('/x', ['data'], b)).toBe(false);
    expect(r.hasListener('/x', ['persistent'], a)).toBe(true);
    expect(r.remove('/x', ['data', 'persistent'])).toEqual([
      { listener: b, eventType: EventType.DataWatchRemoved },
      { listener: a, eventType: EventType.PersistentWatchRemoved },
    ]);
    expect(r.allListeners()).toEqual([]);
  });

  it('one listener, a second, the same again and a removal keep each listener once, in order', () => {
    const r = new WatchRegistry();
    const a = l('a');
    const b = l('b');
    r.add('data', '/x', a);
    r.add('data', '/x', a);
    expect(r.allListeners()).toEqual([a]);
    r.add('data', '/x', b);
    r.add('data', '/x', a);
    expect(r.allListeners()).toEqual([a, b]);
    r.remove('/x', ['data'], a);
    expect(r.hasListener('/x', ['data'], b)).toBe(true);
    expect(r.route(EventType.NodeDataChanged, '/x')).toEqual([b]);
    expect(r.lists().data).toEqual([]);
  });
});

describe('setWatchesRequests', () => {
  const empty = { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };

  it('sends nothing when there is nothing to re-register', () => {
    expect(setWatchesRequests(empty, 5n)).toEqual([]);
  });

  it('uses setWatches (101) without persistent watches and setWatches2 (105) with them', () => {
    const [plain] = setWatchesRequests({ ...empty, data: ['/a'], exist: ['/b'], child: ['/c'] }, 7n);
    expect(plain).toEqual({
      op: OpCode.setWatches,
      relativeZxid: 7n,
      dataWatches: ['/a'],
      existWatches: ['/b'],
      childWatches: ['/c'],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    });
    const [withPersistent] = setWatchesRequests({ ...empty, data: ['/a'], persistentRecursive: ['/r'] }, 7n);
    expect(withPersistent?.op).toBe(OpCode.setWatches2);
    expect(withPersistent?.persistentRecursiveWatches).toEqual(['/r']);
  });

  it('splits long lists into batches bounded by path characters, keeping every path once', () => {
    const data = Array.from({ length: 50 }, (_, i) => `/node-${String(i).padStart(4, '0')}`);
    const batches = setWatchesRequests({ ...empty, data, persistent: ['/p'] }, 1n, 100);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      const chars = [...b.dataWatches, ...b.persistentWatches].reduce((n, p) => n + p.length, 0);
      expect(chars).toBeLessThanOrEqual(100);
    }
    expect(batches.flatMap((b) => b.dataWatches)).toEqual(data);
    expect(batches.at(-1)?.op).toBe(OpCode.setWatches2);
    expect(batches[0]?.op).toBe(OpCode.setWatches);
  });
});
