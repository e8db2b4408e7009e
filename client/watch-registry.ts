/**
 * Client-side watch routing, after ZooKeeper's ZKWatchManager (reference §7.3): which local
 * listeners an event reaches, which one-shot listeners it consumes, and which paths to
 * re-register with setWatches/setWatches2 after a reconnect (reference §5.6). Pure.
 */
import { EventType, OpCode } from '../protocol/opcodes.js';
import type { SetWatchesRequest } from '../protocol/records.js';

/** A watch event as listeners see it: paths are client paths (chroot stripped). */
export interface WatchedEvent {
  readonly type: EventType;
  /** The KeeperState number; servers always send SyncConnected (3). */
  readonly state: number;
  readonly path: string;
}

/** A function called once per matching event. */
export type WatchListener = (event: WatchedEvent) => void;

/** The five client-side watch tables of ZKWatchManager. */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** Every watch kind, in the order setWatches2 lists them. */
export const watchKinds: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

/** The paths of each table, for re-registration after a reconnect. */
export type WatchLists = Readonly<Record<WatchKind, readonly string[]>>;

/** A listener taken out of the registry by removeWatches, with the local event it gets. */
export interface RemovedWatch {
  readonly listener: WatchListener;
  readonly eventType: EventType;
}

/** Yields `path` and each of its ancestors up to `/`. */
function* pathAndAncestors(path: string): Generator<string> {
  let p = path;
  for (;;) {
    yield p;
    if (p === '/') return;
    const slash = p.lastIndexOf('/');
    p = slash <= 0 ? '/' : p.slice(0, slash);
  }
}

const removedEventType: Readonly<Record<WatchKind, EventType>> = {
  data: EventType.DataWatchRemoved,
  exist: EventType.DataWatchRemoved,
  child: EventType.ChildWatchRemoved,
  persistent: EventType.PersistentWatchRemoved,
  persistentRecursive: EventType.PersistentWatchRemoved,
};

/**
 * The listeners of one path in one table: the listener itself while there is one (the common
 * case: an agent watching 10,000 keys with one shared listener keeps no Set per key), a Set once
 * there are more.
 */
type Listeners = WatchListener | Set<WatchListener>;

/** The listeners of an entry, in the order they were added. */
function listenersOf(entry: Listeners | undefined): Iterable<WatchListener> {
  if (entry === undefined) return [];
  return typeof entry === 'function' ? [entry] : entry;
}

/** Whether `entry` holds `listener`. */
function holds(entry: Listeners | undefined, listener: WatchListener): boolean {
  return entry === listener || (typeof entry === 'object' && entry.has(listener));
}

/** The local listeners of one connection-independent client, keyed by client path. */
export class WatchRegistry {
  readonly #tables: Record<WatchKind, Map<string, Listeners>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  /** Adds `listener` to table `kind` at `path`; adding the same listener twice keeps one. */
  add(kind: WatchKind, path: string, listener: WatchListener): void {
    const table = this.#tables[kind];
    const entry = table.get(path);
    if (entry === undefined) table.set(path, listener);
    else if (typeof entry === 'object') entry.add(listener);
    else if (entry !== listener) table.set(path, new Set([entry, listener]));
  }

  /**
   * The listeners an event of `type` on `path` reaches, each once; one-shot listeners that it
   * reaches are removed. Mirrors ZKWatchManager.materialize: recursive watchers never get
   * NodeChildrenChanged, even when the server sends one for a standard child watch.
   */
  route(type: EventType, path: string): WatchListener[] {
    const out = new Set<WatchListener>();
    const take = (kind: WatchKind): void => {
      const entry = this.#tables[kind].get(path);
      if (entry === undefined) return;
      this.#tables[kind].delete(path);
      for (const l of listenersOf(entry)) out.add(l);
    };
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take('data');
        take('exist');
        break;
      case EventType.NodeChildrenChanged:
        take('child');
        break;
      case EventType.NodeDeleted:
        take('data');
        take('exist');
        take('child');
        break;
      default:
        return [];
    }
    for (const l of listenersOf(this.#tables.persistent.get(path))) out.add(l);
    if (type !== EventType.NodeChildrenChanged) {
      for (const p of pathAndAncestors(path)) {
        for (const l of listenersOf(this.#tables.persistentRecursive.get(p))) out.add(l);
      }
    }
    return [...out];
  }

  /** Whether any listener (other than `except`) is in one of `kinds` at `path`. */
  has(path: string, kinds: readonly WatchKind[], except?: WatchListener): boolean {
    return kinds.some((kind) => {
      for (const l of listenersOf(this.#tables[kind].get(path))) if (l !== except) return true;
      return false;
    });
  }

  /** Whether `listener` is in one of `kinds` at `path`. */
  hasListener(path: string, kinds: readonly WatchKind[], listener: WatchListener): boolean {
    return kinds.some((kind) => holds(this.#tables[kind].get(path), listener));
  }

  /** Removes `listener` (or every listener when undefined) from `kinds` at `path`. */
  remove(path: string, kinds: readonly WatchKind[], listener?: WatchListener): RemovedWatch[] {
    const removed: RemovedWatch[] = [];
    for (const kind of kinds) {
      const table = this.#tables[kind];
      const entry = table.get(path);
      if (entry === undefined) continue;
      const kept: WatchListener[] = [];
      for (const l of listenersOf(entry)) {
        if (listener !== undefined && l !== listener) kept.push(l);
        else removed.push({ listener: l, eventType: removedEventType[kind] });
      }
      if (kept.length === 0) table.delete(path);
      else table.set(path, kept.length === 1 ? (kept[0] as WatchListener) : new Set(kept));
    }
    return removed;
  }

  /** The paths of every table, for setWatches after a reconnect. */
  lists(): WatchLists {
    const paths = (kind: WatchKind): string[] => [...this.#tables[kind].keys()];
    return {
      data: paths('data'),
      exist: paths('exist'),
      child: paths('child'),
      persistent: paths('persistent'),
      persistentRecursive: paths('persistentRecursive'),
    };
  }

  /** Every listener, each once (for session-level events such as expiry). */
  allListeners(): WatchListener[] {
    const out = new Set<WatchListener>();
    for (const kind of watchKinds) for (const entry of this.#tables[kind].values()) for (const l of listenersOf(entry)) out.add(l);
    return [...out];
  }

  /** Drops every listener (after session expiry or close nothing can fire any more). */
  clear(): void {
    for (const kind of watchKinds) this.#tables[kind].clear();
  }
}

/** ZooKeeper's ClientCnxn.SET_WATCHES_MAX_LENGTH: path characters per setWatches batch. */
export const setWatchesMaxLengthChars = 128 * 1024;

/**
 * Splits re-registration lists into setWatches requests of at most `maxLengthChars` path
 * characters each (a single longer path still gets a batch). A batch uses setWatches2 (op 105)
 * only when it carries persistent or recursive watches, as the Java client does.
 */
export function setWatchesRequests(
  lists: WatchLists,
  relativeZxid: bigint,
  maxLengthChars: number = setWatchesMaxLengthChars,
): SetWatchesRequest[] {
  const batches: SetWatchesRequest[] = [];
  let batch = emptyBatch();
  let lengthChars = 0;
  const flush = (): void => {
    const isPersistent = batch.persistent.length > 0 || batch.persistentRecursive.length > 0;
    batches.push({
      op: isPersistent ? OpCode.setWatches2 : OpCode.setWatches,
      relativeZxid,
      dataWatches: batch.data,
      existWatches: batch.exist,
      childWatches: batch.child,
      persistentWatches: batch.persistent,
      persistentRecursiveWatches: batch.persistentRecursive,
    });
    batch = emptyBatch();
    lengthChars = 0;
  };
  for (const kind of watchKinds) {
    for (const path of lists[kind]) {
      if (lengthChars > 0 && lengthChars + path.length > maxLengthChars) flush();
      batch[kind].push(path);
      lengthChars += path.length;
    }
  }
  if (lengthChars > 0) flush();
  return batches;
}

function emptyBatch(): Record<WatchKind, string[]> {
  return { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
}
