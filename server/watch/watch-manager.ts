import { AssertionError, assert, assertNever } from '../../util/assert.js';
import { EventType, WatcherType } from '../../protocol/opcodes.js';
import { WatchTable, type ConnId, type WatchSummary } from './watch-table.js';

/** The WatcherType values ZooKeeper 3.8.0 accepts in checkWatches/removeWatches (1 to 3). */
export type SupportedWatcherType = typeof WatcherType.Children | typeof WatcherType.Data | typeof WatcherType.Any;

/**
 * True for WatcherType 1 to 3; the caller answers 4 and 5 (and anything else) with
 * MARSHALLINGERROR, as 3.8.0's WatcherType.fromInt throws (reference Appendix A).
 */
export function isSupportedWatcherType(type: number): type is SupportedWatcherType {
  return type === WatcherType.Children || type === WatcherType.Data || type === WatcherType.Any;
}

/**
 * All watches of a server, by connection, with ZooKeeper 3.8.0's semantics (reference §7): a
 * data table and a child table, one mode per (connection, path, table), the last registration
 * winning.
 */
export class WatchManager {
  readonly #data = new WatchTable();
  readonly #child = new WatchTable();

  /** A standard data watch, set by getData and exists. */
  addDataWatch(conn: ConnId, path: string): void {
    this.#data.add(conn, path, 'standard');
  }

  /** A standard child watch, set by getChildren. */
  addChildWatch(conn: ConnId, path: string): void {
    this.#child.add(conn, path, 'standard');
  }

  /** addWatch mode PERSISTENT: a persistent watch in both tables. */
  addPersistent(conn: ConnId, path: string): void {
    this.#data.add(conn, path, 'persistent');
    this.#child.add(conn, path, 'persistent');
  }

  /**
   * addWatch mode PERSISTENT_RECURSIVE. 3.8.0's DataTree.addWatch puts it in the child table too
   * (3.9 only in the data table): events are the same, but it shows in `count()`, in
   * checkWatches/removeWatches of type Children, and in NodeDeleted after a Data removal.
   */
  addPersistentRecursive(conn: ConnId, path: string): void {
    this.#data.add(conn, path, 'persistentRecursive');
    this.#child.add(conn, path, 'persistentRecursive');
  }

  /**
   * The connections to notify of `type` on `path`, each once, removing the standard watches that
   * fired (reference §7.3). For a create or delete the caller also triggers
   * NodeChildrenChanged on the parent, with the parent's path.
   */
  trigger(path: string, type: EventType): ConnId[] {
    const conns = new Set<ConnId>();
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        this.#data.trigger(path, type, conns);
        break;
      case EventType.NodeDeleted:
        // DataTree.deleteNode fires both tables and suppresses the child table's duplicates.
        this.#data.trigger(path, type, conns);
        this.#child.trigger(path, type, conns);
        break;
      case EventType.NodeChildrenChanged:
        this.#child.trigger(path, type, conns);
        break;
      case EventType.None:
      case EventType.DataWatchRemoved:
      case EventType.ChildWatchRemoved:
      case EventType.PersistentWatchRemoved:
        throw new AssertionError(`event type ${type} is never sent by a server`);
      default:
        return assertNever(type, 'event type');
    }
    return [...conns];
  }

  /**
   * removeWatches (op 18) with 3.8.0's DataTree.removeWatch: Children and Data remove this
   * connection's entry in that table whatever its mode, Any both; false means NOWATCHER. The
   * caller has already answered other types with MARSHALLINGERROR (`isSupportedWatcherType`).
   */
  removeWatches(conn: ConnId, path: string, type: number): boolean {
    assert(isSupportedWatcherType(type), 'unsupported WatcherType reached the watch manager');
    switch (type) {
      case WatcherType.Children:
        return this.#child.remove(conn, path);
      case WatcherType.Data:
        return this.#data.remove(conn, path);
      case WatcherType.Any: {
        const fromChild = this.#child.remove(conn, path);
        const fromData = this.#data.remove(conn, path);
        return fromChild || fromData;
      }
      default:
        return assertNever(type, 'watcher type');
    }
  }

  /**
   * checkWatches (op 17) exactly as 3.8.0's WatchManager.containsWatcher answers it: true when
   * *any* connection watches `path` in the table (a ZooKeeper 3.8 quirk, fixed in 3.9), so `conn`
   * does not change the answer; false means NOWATCHER. Types as for `removeWatches`.
   */
  checkWatches(conn: ConnId, path: string, type: number): boolean {
    assert(isSupportedWatcherType(type), 'unsupported WatcherType reached the watch manager');
    switch (type) {
      case WatcherType.Children:
        return this.#child.hasAnyWatcher(path);
      case WatcherType.Data:
        return this.#data.hasAnyWatcher(path);
      case WatcherType.Any:
        return this.#child.hasAnyWatcher(path) || this.#data.hasAnyWatcher(path);
      default:
        return assertNever(type, 'watcher type');
    }
  }

  /** Drops every watch of a connection that closed. */
  removeConnection(conn: ConnId): void {
    this.#data.removeConnection(conn);
    this.#child.removeConnection(conn);
  }

  /** `wchs` counts: the data table only (reference §9.2). */
  summary(): WatchSummary {
    return this.#data.summary();
  }

  /** `wchc`: data-table paths per connection, in registration order. */
  byConnection(): Map<ConnId, string[]> {
    return this.#data.byConnection();
  }

  /** `wchp`: data-table connections per path, in registration order. */
  byPath(): Map<string, ConnId[]> {
    return this.#data.byPath();
  }

  /** `mntr zk_watch_count`: watches in both tables. */
  count(): number {
    return this.#data.size + this.#child.size;
  }
}
