import { describe, expect, it } from 'vitest';
import { EventType, WatcherType } from '../../../protocol/opcodes.js';
import { WatchManager, isSupportedWatcherType } from '../../../server/watch/index.js';

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;

describe('WatchManager standard watches (reference §7.3)', () => {
  it('data watch fires once on NodeDataChanged and is then gone', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([]);
  });

  it('exists watch on a missing node fires on NodeCreated', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    expect(wm.trigger('/a', NodeCreated)).toEqual([1]);
  });

  it('child watch fires on NodeChildrenChanged of that path only', () => {
    const wm = new WatchManager();
    wm.addChildWatch(1, '/a');
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([]);
    expect(wm.trigger('/', NodeChildrenChanged)).toEqual([]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([1]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([]);
  });

  it('NodeDeleted reaches data and child watchers, once per connection, and clears both', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addChildWatch(1, '/a');
    wm.addChildWatch(2, '/a');
    expect(wm.trigger('/a', NodeDeleted).sort()).toEqual([1, 2]);
    expect(wm.count()).toBe(0);
  });

  it('registering the same watch twice keeps one entry', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addDataWatch(1, '/a');
    expect(wm.count()).toBe(1);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
  });

  it('a watch on a node does not fire for changes of its children or parent', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    expect(wm.trigger('/a/b', NodeCreated)).toEqual([]);
    expect(wm.trigger('/', NodeDataChanged)).toEqual([]);
    expect(wm.trigger('/ab', NodeCreated)).toEqual([]);
  });
});

describe('WatchManager persistent watches', () => {
  it('persistent watch stays after firing and gets data and child events of its node', () => {
    const wm = new WatchManager();
    wm.addPersistent(1, '/a');
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([1]);
    expect(wm.trigger('/a', NodeDeleted)).toEqual([1]);
    expect(wm.trigger('/a', NodeCreated)).toEqual([1]);
    expect(wm.trigger('/a/b', NodeCreated)).toEqual([]);
  });

  it('recursive watch sees its node and every descendant, never NodeChildrenChanged', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
    expect(wm.trigger('/a/b/c', NodeCreated)).toEqual([1]);
    expect(wm.trigger('/a/b', NodeDeleted)).toEqual([1]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([]);
    expect(wm.trigger('/ab', NodeCreated)).toEqual([]);
    expect(wm.trigger('/', NodeDataChanged)).toEqual([]);
  });

  it('recursive watch on / sees every node', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(4, '/');
    expect(wm.trigger('/x/y', NodeDataChanged)).toEqual([4]);
    expect(wm.trigger('/', NodeDataChanged)).toEqual([4]);
  });

  it('a connection with a standard and a recursive watch gets one notification', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    wm.addDataWatch(1, '/a/b');
    expect(wm.trigger('/a/b', NodeDataChanged)).toEqual([1]);
    expect(wm.count()).toBe(2);
  });
});

describe('WatchManager ZooKeeper 3.8.0 quirks (reference Appendix A)', () => {
  it('the last registration on (connection, path) wins: getData after addWatch makes it one-shot', () => {
    const wm = new WatchManager();
    wm.addPersistent(1, '/a');
    wm.addDataWatch(1, '/a');
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([1]);
  });

  it('a recursive watch replaced by a persistent one stops seeing descendants', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    wm.addPersistent(1, '/a');
    expect(wm.trigger('/a/b', NodeCreated)).toEqual([]);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
  });

  it('a recursive watch sits in both tables (DataTree.addWatch), so mntr counts it twice', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    expect(wm.count()).toBe(2);
    expect(wm.checkWatches(1, '/a', WatcherType.Children)).toBe(true);
  });

  it('after removing the data entry of a recursive watch, its child entry still fires NodeDeleted', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    expect(wm.removeWatches(1, '/a', WatcherType.Data)).toBe(true);
    expect(wm.trigger('/a/b', NodeCreated)).toEqual([]);
    expect(wm.trigger('/a/b', NodeDeleted)).toEqual([1]);
  });

  it('removeWatches Data removes a persistent data entry too', () => {
    const wm = new WatchManager();
    wm.addPersistent(1, '/a');
    expect(wm.removeWatches(1, '/a', WatcherType.Data)).toBe(true);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([]);
    expect(wm.trigger('/a', NodeChildrenChanged)).toEqual([1]);
  });

  it('checkWatches answers true when another connection watches the path (containsWatcher)', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    expect(wm.checkWatches(2, '/a', WatcherType.Data)).toBe(true);
    expect(wm.checkWatches(2, '/a', WatcherType.Children)).toBe(false);
    expect(wm.checkWatches(2, '/a', WatcherType.Any)).toBe(true);
    expect(wm.removeWatches(2, '/a', WatcherType.Data)).toBe(false);
  });

  it('checkWatches does not count a recursive watch on an ancestor', () => {
    const wm = new WatchManager();
    wm.addPersistentRecursive(1, '/a');
    expect(wm.checkWatches(1, '/a/b', WatcherType.Data)).toBe(false);
  });

  it('accepts WatcherType 1 to 3 only', () => {
    expect([0, 1, 2, 3, 4, 5].map(isSupportedWatcherType)).toEqual([false, true, true, true, false, false]);
  });
});

describe('WatchManager removal', () => {
  it('removeWatches Any clears both tables and reports NOWATCHER the second time', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addChildWatch(1, '/a');
    expect(wm.removeWatches(1, '/a', WatcherType.Any)).toBe(true);
    expect(wm.removeWatches(1, '/a', WatcherType.Any)).toBe(false);
    expect(wm.count()).toBe(0);
  });

  it('removeWatches Children leaves the data watch', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addChildWatch(1, '/a');
    expect(wm.removeWatches(1, '/a', WatcherType.Children)).toBe(true);
    expect(wm.removeWatches(1, '/a', WatcherType.Children)).toBe(false);
    expect(wm.trigger('/a', NodeDataChanged)).toEqual([1]);
  });

  it('removeConnection drops every watch of that connection only', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addPersistentRecursive(1, '/');
    wm.addChildWatch(2, '/a');
    wm.removeConnection(1);
    expect(wm.trigger('/a', NodeDeleted)).toEqual([2]);
    expect(wm.summary()).toEqual({ connections: 0, paths: 0, total: 0 });
    wm.removeConnection(1);
  });
});

describe('WatchManager dumps (reference §9.2)', () => {
  it('wchs, wchc and wchp report the data table only; mntr counts both', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.addDataWatch(2, '/a');
    wm.addDataWatch(2, '/b');
    wm.addChildWatch(3, '/c');
    expect(wm.summary()).toEqual({ connections: 2, paths: 2, total: 3 });
    expect(wm.byConnection()).toEqual(new Map([[1, ['/a']], [2, ['/a', '/b']]]));
    expect(wm.byPath()).toEqual(new Map([['/a', [1, 2]], ['/b', [2]]]));
    expect(wm.count()).toBe(4);
  });

  it('a connection whose data watches all fired still counts in wchs, with no paths (watch2Paths)', () => {
    const wm = new WatchManager();
    wm.addDataWatch(1, '/a');
    wm.trigger('/a', NodeDataChanged);
    expect(wm.summary()).toEqual({ connections: 1, paths: 0, total: 0 });
    expect(wm.byConnection()).toEqual(new Map([[1, []]]));
    wm.removeConnection(1);
    expect(wm.summary().connections).toBe(0);
  });
});
