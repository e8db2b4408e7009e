import { assert } from '../../util/assert.js';
import { EventType } from '../../protocol/opcodes.js';

/** The shell's opaque connection handle (the same number as the replica's ConnId). */
export type ConnId = number;

/** How a watch behaves when it fires: one-shot, persistent, or persistent on the whole subtree. */
export type WatchMode = 'standard' | 'persistent' | 'persistentRecursive';

/** The counts the `wchs` 4lw prints. */
export interface WatchSummary {
  readonly connections: number;
  readonly paths: number;
  readonly total: number;
}

/** The parent of an absolute path, or null for the root. */
function parentOf(path: string): string | null {
  if (path === '/') return null;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * One watch table (data or child), a port of ZooKeeper 3.8.0's WatchManager: one mode per
 * (connection, path), and the last registration wins (reference Appendix A).
 */
export class WatchTable {
  readonly #byPath = new Map<string, Map<ConnId, WatchMode>>();
  // Like WatchManager.watch2Paths, a connection keeps its (possibly empty) entry until it closes,
  // which is what `wchs` counts and `wchc` lists.
  readonly #byConn = new Map<ConnId, Set<string>>();
  // Only recursive watches matter above the changed node, so they get their own index and
  // trigger walks ancestors only while this table holds any.
  readonly #recursiveByPath = new Map<string, Set<ConnId>>();
  #recursiveCount = 0;
  #size = 0;

  /** The number of (connection, path) watches in this table. */
  get size(): number {
    return this.#size;
  }

  /** Sets the watch of `conn` on `path` to `mode`, replacing any mode it had there. */
  add(conn: ConnId, path: string, mode: WatchMode): void {
    let watchers = this.#byPath.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.#byPath.set(path, watchers);
    }
    const previous = watchers.get(conn);
    if (previous === undefined) this.#size++;
    else if (previous === 'persistentRecursive') this.#dropRecursive(conn, path);
    watchers.set(conn, mode);
    if (mode === 'persistentRecursive') this.#addRecursive(conn, path);
    let paths = this.#byConn.get(conn);
    if (paths === undefined) {
      paths = new Set();
      this.#byConn.set(conn, paths);
    }
    paths.add(path);
  }

  /**
   * Adds to `into` every connection this change notifies, as WatchManager.triggerWatch does:
   * all watches on `path` (standard ones are removed), plus recursive watches on its ancestors;
   * recursive watches never receive NodeChildrenChanged.
   */
  trigger(path: string, type: EventType, into: Set<ConnId>): void {
    const watchers = this.#byPath.get(path);
    if (watchers !== undefined) {
      for (const [conn, mode] of watchers) {
        if (mode === 'persistentRecursive') {
          if (type !== EventType.NodeChildrenChanged) into.add(conn);
          continue;
        }
        into.add(conn);
        if (mode === 'standard') {
          watchers.delete(conn);
          this.#byConn.get(conn)?.delete(path);
          this.#size--;
        }
      }
      if (watchers.size === 0) this.#byPath.delete(path);
    }
    if (this.#recursiveCount === 0 || type === EventType.NodeChildrenChanged) return;
    for (let p = parentOf(path); p !== null; p = parentOf(p)) {
      const recursive = this.#recursiveByPath.get(p);
      if (recursive !== undefined) for (const conn of recursive) into.add(conn);
    }
  }

  /** Removes the watch of `conn` on `path` whatever its mode; false if there was none. */
  remove(conn: ConnId, path: string): boolean {
    const paths = this.#byConn.get(conn);
    if (paths === undefined || !paths.delete(path)) return false;
    this.#removeEntry(conn, path);
    return true;
  }

  /** True when any connection watches `path` in this table. */
  hasAnyWatcher(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** Drops every watch of a closed connection. */
  removeConnection(conn: ConnId): void {
    const paths = this.#byConn.get(conn);
    if (paths === undefined) return;
    this.#byConn.delete(conn);
    for (const path of paths) this.#removeEntry(conn, path);
  }

  /** `wchs`: connections with an entry, watched paths, and watches (WatchManager.getWatchesSummary). */
  summary(): WatchSummary {
    let total = 0;
    for (const paths of this.#byConn.values()) total += paths.size;
    return { connections: this.#byConn.size, paths: this.#byPath.size, total };
  }

  /** `wchc`: each connection's watched paths; a connection whose watches all fired lists none. */
  byConnection(): Map<ConnId, string[]> {
    const result = new Map<ConnId, string[]>();
    for (const [conn, paths] of this.#byConn) result.set(conn, [...paths]);
    return result;
  }

  /** `wchp`: each watched path's connections. */
  byPath(): Map<string, ConnId[]> {
    const result = new Map<string, ConnId[]>();
    for (const [path, watchers] of this.#byPath) result.set(path, [...watchers.keys()]);
    return result;
  }

  #removeEntry(conn: ConnId, path: string): void {
    const watchers = this.#byPath.get(path);
    const mode = watchers?.get(conn);
    assert(watchers !== undefined, 'watch indexes disagree on a path');
    assert(mode !== undefined, 'watch indexes disagree on a connection');
    watchers.delete(conn);
    if (watchers.size === 0) this.#byPath.delete(path);
    if (mode === 'persistentRecursive') this.#dropRecursive(conn, path);
    this.#size--;
  }

  #addRecursive(conn: ConnId, path: string): void {
    let conns = this.#recursiveByPath.get(path);
    if (conns === undefined) {
      conns = new Set();
      this.#recursiveByPath.set(path, conns);
    }
    conns.add(conn);
    this.#recursiveCount++;
  }

  #dropRecursive(conn: ConnId, path: string): void {
    const conns = this.#recursiveByPath.get(path);
    assert(conns !== undefined, 'recursive index lacks a path');
    const removed = conns.delete(conn);
    assert(removed, 'recursive index lacks a connection');
    if (conns.size === 0) this.#recursiveByPath.delete(path);
    this.#recursiveCount--;
  }
}
