import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventType, WatcherType } from '../../../protocol/opcodes.js';
import { WatchManager, type SupportedWatcherType, type WatchMode } from '../../../server/watch/index.js';

// A deliberately naive model of ZooKeeper 3.8.0's two watch tables: a flat list of entries,
// scanned in full for every operation.
type Table = 'data' | 'child';
interface Entry {
  readonly conn: number;
  readonly path: string;
  readonly table: Table;
  readonly mode: WatchMode;
}

class NaiveWatches {
  entries: Entry[] = [];
  // Connections that ever had a data watch and have not closed: what wchs counts.
  dataConns = new Set<number>();

  add(conn: number, path: string, tables: readonly Table[], mode: WatchMode): void {
    for (const table of tables) {
      this.entries = this.entries.filter((e) => !(e.conn === conn && e.path === path && e.table === table));
      this.entries.push({ conn, path, table, mode });
      if (table === 'data') this.dataConns.add(conn);
    }
  }

  trigger(path: string, type: EventType): number[] {
    const tables: Table[] =
      type === EventType.NodeDeleted ? ['data', 'child'] : type === EventType.NodeChildrenChanged ? ['child'] : ['data'];
    const fired = new Set<number>();
    const kept: Entry[] = [];
    for (const e of this.entries) {
      let fires = false;
      if (tables.includes(e.table)) {
        if (e.path === path) fires = e.mode !== 'persistentRecursive' || type !== EventType.NodeChildrenChanged;
        else if (isAncestor(e.path, path)) fires = e.mode === 'persistentRecursive' && type !== EventType.NodeChildrenChanged;
      }
      if (fires) fired.add(e.conn);
      if (!(fires && e.path === path && e.mode === 'standard')) kept.push(e);
    }
    this.entries = kept;
    return [...fired].sort();
  }

  remove(conn: number, path: string, type: SupportedWatcherType): boolean {
    const tables = tablesOf(type);
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !(e.conn === conn && e.path === path && tables.includes(e.table)));
    return this.entries.length < before;
  }

  check(path: string, type: SupportedWatcherType): boolean {
    const tables = tablesOf(type);
    return this.entries.some((e) => e.path === path && tables.includes(e.table));
  }

  removeConnection(conn: number): void {
    this.entries = this.entries.filter((e) => e.conn !== conn);
    this.dataConns.delete(conn);
  }
}

function tablesOf(type: SupportedWatcherType): Table[] {
  if (type === WatcherType.Children) return ['child'];
  if (type === WatcherType.Data) return ['data'];
  return ['child', 'data'];
}

function isAncestor(ancestor: string, path: string): boolean {
  if (ancestor === path) return false;
  return ancestor === '/' || path.startsWith(`${ancestor}/`);
}

const paths = ['/', '/a', '/a/b', '/a/b/c', '/a/bc', '/b'];
const conn = fc.integer({ min: 1, max: 4 });
const path = fc.constantFrom(...paths);
const watcherType = fc.constantFrom<SupportedWatcherType>(WatcherType.Children, WatcherType.Data, WatcherType.Any);
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), conn, path, how: fc.constantFrom('data', 'child', 'persistent', 'recursive') }),
  fc.record({
    kind: fc.constant('trigger' as const),
    path,
    type: fc.constantFrom(EventType.NodeCreated, EventType.NodeDeleted, EventType.NodeDataChanged, EventType.NodeChildrenChanged),
  }),
  fc.record({ kind: fc.constant('remove' as const), conn, path, type: watcherType }),
  fc.record({ kind: fc.constant('check' as const), conn, path, type: watcherType }),
  fc.record({ kind: fc.constant('close' as const), conn }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(wm: WatchManager, model: NaiveWatches, o: Op): void {
  switch (o.kind) {
    case 'add':
      if (o.how === 'data') (wm.addDataWatch(o.conn, o.path), model.add(o.conn, o.path, ['data'], 'standard'));
      if (o.how === 'child') (wm.addChildWatch(o.conn, o.path), model.add(o.conn, o.path, ['child'], 'standard'));
      if (o.how === 'persistent') (wm.addPersistent(o.conn, o.path), model.add(o.conn, o.path, ['data', 'child'], 'persistent'));
      if (o.how === 'recursive') {
        wm.addPersistentRecursive(o.conn, o.path);
        model.add(o.conn, o.path, ['data', 'child'], 'persistentRecursive');
      }
      return;
    case 'trigger':
      expect(wm.trigger(o.path, o.type).sort()).toEqual(model.trigger(o.path, o.type));
      return;
    case 'remove':
      expect(wm.removeWatches(o.conn, o.path, o.type)).toBe(model.remove(o.conn, o.path, o.type));
      return;
    case 'check':
      expect(wm.checkWatches(o.conn, o.path, o.type)).toBe(model.check(o.path, o.type));
      return;
    case 'close':
      wm.removeConnection(o.conn);
      model.removeConnection(o.conn);
      return;
  }
}

function expectSameDumps(wm: WatchManager, model: NaiveWatches): void {
  const data = model.entries.filter((e) => e.table === 'data');
  expect(wm.count()).toBe(model.entries.length);
  expect(wm.summary()).toEqual({
    connections: model.dataConns.size,
    paths: new Set(data.map((e) => e.path)).size,
    total: data.length,
  });
  const byPath = new Map<string, number[]>();
  for (const e of data) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e.conn].sort());
  const actualByPath = new Map([...wm.byPath()].map(([p, cs]) => [p, [...cs].sort()] as const));
  expect(actualByPath).toEqual(byPath);
  for (const [c, ps] of wm.byConnection()) {
    expect([...ps].sort()).toEqual(data.filter((e) => e.conn === c).map((e) => e.path).sort());
  }
}

describe('WatchManager against a naive model (property)', () => {
  it('notifies, removes, checks and dumps exactly like the model of ZooKeeper 3.8.0', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const wm = new WatchManager();
        const model = new NaiveWatches();
        for (const o of ops) {
          apply(wm, model, o);
          expectSameDumps(wm, model);
        }
      }),
      { numRuns: 300 },
    );
  });
});
