/**
 * The plan-and-apply engine behind push, import and rm -r: compare a desired subtree with the
 * server's, list the changes (creates parents first, updates, deletes children first), and
 * apply them as multi transactions of bounded size. Each batch is all or nothing; setData and
 * delete carry the version that was read, so a concurrent change fails the batch (BadVersion)
 * instead of being overwritten.
 */
import type { ZkClient } from '../client/index.js';
import { validatePath } from '../protocol/index.js';
import { UsageError } from './exit-codes.js';
import { formatBytes, joinZnodePath } from './format.js';
import { ancestorsOf } from './create-mode.js';
import { type RemoteTree, readTree } from './remote-tree.js';

/** The desired content of one node: its data, or `keep` for a folder whose data is not managed. */
export type DesiredNode = { readonly kind: 'data'; readonly data: Uint8Array | null } | { readonly kind: 'keep' };

/** A desired subtree keyed by relative path (`''` is the root, then `/a`, `/a/b`). */
export type DesiredTree = ReadonlyMap<string, DesiredNode>;

/** One change to the server. */
export type Change =
  | { readonly op: 'create'; readonly path: string; readonly data: Uint8Array | null }
  | { readonly op: 'set'; readonly path: string; readonly data: Uint8Array | null; readonly version: number; readonly oldSizeBytes: number }
  | { readonly op: 'delete'; readonly path: string; readonly version: number };

/** Bounds of one multi transaction. */
export interface BatchLimits {
  readonly maxOps: number;
  readonly maxBytes: number;
}

/** 100 ops or 512 KiB of data per transaction, well under jute.maxbuffer (1 MiB). */
export const defaultBatchLimits: BatchLimits = { maxOps: 100, maxBytes: 512 * 1024 };

/** The largest node data the server accepts by default (jute.maxbuffer, less the request framing). */
export const maxNodeBytes = 1024 * 1024 - 1024;

function depth(relative: string): number {
  return relative === '' ? 0 : relative.split('/').length - 1;
}

function sameData(a: Uint8Array | null, b: Uint8Array | null): boolean {
  // null data (a folder's znode) and empty data (an empty file) differ, as they do on the server.
  if (a === null || b === null) return a === b;
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/**
 * The changes that make the subtree at `root` match `desired` (`remote` null: the root does not
 * exist yet). Without `prune` nothing is deleted. Ephemeral nodes and their ancestors are never
 * deleted: they belong to live sessions.
 */
export function planChanges(options: { root: string; desired: DesiredTree; remote: RemoteTree | null; prune: boolean }): Change[] {
  const { root, desired, remote, prune } = options;
  const byDepth = (a: string, b: string): number => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
  const creates: Change[] = [];
  const sets: Change[] = [];
  for (const relative of [...desired.keys()].sort(byDepth)) {
    const path = joinZnodePath(root, relative);
    const reason = validatePath(path, false);
    if (reason !== null) throw new UsageError(`cannot store ${JSON.stringify(path)} as a znode: ${reason}`);
    const want = desired.get(relative);
    const have = remote?.get(relative);
    const data = want?.kind === 'data' ? want.data : null;
    if ((data?.length ?? 0) > maxNodeBytes) throw new UsageError(`${path}: ${formatBytes(data?.length ?? 0)} is over the ${formatBytes(maxNodeBytes)} a znode can hold`);
    if (have === undefined) creates.push({ op: 'create', path, data });
    else if (want?.kind === 'data' && !sameData(have.data, data)) {
      sets.push({ op: 'set', path, data, version: have.stat.version, oldSizeBytes: have.stat.dataLength });
    }
  }
  return [...creates, ...sets, ...(prune && remote !== null ? planDeletes(root, desired, remote) : [])];
}

function planDeletes(root: string, desired: DesiredTree, remote: RemoteTree): Change[] {
  const kept = new Set<string>();
  for (const [relative, node] of remote) {
    if (!desired.has(relative) && node.stat.ephemeralOwner === 0n) continue;
    // A kept node keeps its ancestors, which could not be deleted while it exists.
    for (let p = relative; !kept.has(p); p = p.slice(0, p.lastIndexOf('/'))) {
      kept.add(p);
      if (p === '') break;
    }
  }
  return [...remote.keys()]
    .filter((relative) => !kept.has(relative))
    .sort((a, b) => depth(b) - depth(a) || (a < b ? 1 : -1))
    .map((relative) => ({ op: 'delete', path: joinZnodePath(root, relative), version: (remote.get(relative)?.stat.version ?? -1) }));
}

/** Splits changes, in order, into batches within `limits` (a single larger change gets a batch of its own). */
export function batchChanges(changes: readonly Change[], limits: BatchLimits = defaultBatchLimits): Change[][] {
  const batches: Change[][] = [];
  let current: Change[] = [];
  let currentBytes = 0;
  for (const change of changes) {
    const sizeBytes = change.op === 'delete' ? 0 : (change.data?.length ?? 0);
    if (current.length > 0 && (current.length >= limits.maxOps || currentBytes + sizeBytes > limits.maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(change);
    currentBytes += sizeBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** How far a run of batches got before one failed (what stays applied). */
export interface PartialApply {
  readonly appliedTransactions: number;
  readonly totalTransactions: number;
  readonly appliedChanges: number;
  readonly totalChanges: number;
}

/** The notice after a failed batch: batches are each all or nothing, the run is not. */
export function describePartialApply(p: PartialApply): string {
  return (
    `transaction ${p.appliedTransactions + 1} of ${p.totalTransactions} failed; ` +
    `${p.appliedTransactions} transaction(s) (${p.appliedChanges} of ${p.totalChanges} changes) were applied before it and stay applied`
  );
}

/**
 * Applies changes batch by batch, one multi each; returns the number of transactions committed.
 * When one fails, `onFailure` hears how far the run got, then the error is thrown as it came.
 */
export async function applyChanges(
  client: ZkClient,
  changes: readonly Change[],
  options: {
    readonly limits?: BatchLimits;
    readonly onProgress?: (appliedCount: number) => void;
    readonly onFailure?: (partial: PartialApply) => void;
  } = {},
): Promise<number> {
  const batches = batchChanges(changes, options.limits);
  let applied = 0;
  for (const [index, batch] of batches.entries()) {
    const transaction = client.transaction();
    for (const change of batch) {
      if (change.op === 'create') transaction.create(change.path, change.data);
      else if (change.op === 'set') transaction.setData(change.path, change.data, change.version);
      else transaction.delete(change.path, change.version);
    }
    try {
      await transaction.commit();
    } catch (err) {
      options.onFailure?.({ appliedTransactions: index, totalTransactions: batches.length, appliedChanges: applied, totalChanges: changes.length });
      throw err;
    }
    applied += batch.length;
    options.onProgress?.(applied);
  }
  return batches.length;
}

/** One change as a diff line: `+ /a (12 B)`, `~ /b (3 B -> 5 B)`, `- /c`. */
export function formatChange(change: Change): string {
  switch (change.op) {
    case 'create':
      return `+ ${change.path} (${formatBytes(change.data?.length ?? 0)})`;
    case 'set':
      return `~ ${change.path} (${formatBytes(change.oldSizeBytes)} -> ${formatBytes(change.data?.length ?? 0)})`;
    case 'delete':
      return `- ${change.path}`;
  }
}

/** A change in JSON form (without the data itself). */
export function changeToJson(change: Change): { op: Change['op']; path: string; sizeBytes?: number } {
  return change.op === 'delete' ? { op: change.op, path: change.path } : { op: change.op, path: change.path, sizeBytes: change.data?.length ?? 0 };
}

/** A one-line count of changes: `2 to create, 1 to update, 0 to delete`. */
export function summarizeChanges(changes: readonly Change[]): string {
  const count = (op: Change['op']): number => changes.filter((c) => c.op === op).length;
  return `${count('create')} to create, ${count('set')} to update, ${count('delete')} to delete`;
}

/**
 * Reads the server's subtree at `root` and plans the changes towards `desired`, including the
 * creation of `root`'s missing ancestors (as empty nodes) when `root` does not exist yet.
 */
export async function planAgainstServer(
  client: ZkClient,
  options: { readonly root: string; readonly desired: DesiredTree; readonly prune: boolean; readonly onProgress?: (nodeCount: number) => void },
): Promise<Change[]> {
  const { root, desired, prune } = options;
  const remote = await readTree(client, root, { excludeSystem: true, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) });
  const ancestors: Change[] = [];
  if (remote === null) {
    for (const ancestor of ancestorsOf(root)) {
      if ((await client.exists(ancestor)) === null) ancestors.push({ op: 'create', path: ancestor, data: null });
    }
  }
  return [...ancestors, ...planChanges({ root, desired, remote, prune })];
}

/** The outcome of a push or import: the diff, and whether (and in how many transactions) it was applied. */
export interface SyncRound {
  readonly prefix: string;
  readonly dryRun: boolean;
  readonly changes: readonly ReturnType<typeof changeToJson>[];
  readonly diff: readonly string[];
  readonly summary: string;
  readonly transactions: number;
}

/**
 * One push/import round over planned changes: the diff goes out first (through `printDiff`, null
 * when the diff is part of a --json result), then unless `dryRun` the changes are applied, and a
 * failed transaction is described through `note` (how many stayed applied) before it is rethrown.
 */
export async function applyRound(
  client: ZkClient,
  prefix: string,
  changes: readonly Change[],
  options: {
    readonly dryRun: boolean;
    readonly limits: BatchLimits;
    readonly printDiff: ((line: string) => void) | null;
    readonly note: (line: string) => void;
    readonly onProgress?: (appliedCount: number) => void;
  },
): Promise<SyncRound> {
  const { dryRun, printDiff } = options;
  if (!dryRun && printDiff !== null) for (const change of changes) printDiff(formatChange(change));
  const transactions = dryRun
    ? 0
    : await applyChanges(client, changes, {
        limits: options.limits,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        onFailure: (partial) => options.note(describePartialApply(partial)),
      });
  return syncRoundOf(prefix, changes, { dryRun, transactions });
}

/** Describes planned or applied changes as a {@link SyncRound}. */
export function syncRoundOf(prefix: string, changes: readonly Change[], options: { readonly dryRun: boolean; readonly transactions: number }): SyncRound {
  return {
    prefix,
    dryRun: options.dryRun,
    changes: changes.map(changeToJson),
    diff: changes.map(formatChange),
    summary: summarizeChanges(changes),
    transactions: options.transactions,
  };
}

/** A round as text: the diff lines, then the counts and the outcome. */
export function renderSyncRound(round: SyncRound): string {
  if (round.changes.length === 0) return `${round.prefix} is up to date`;
  return [...round.diff, summaryLine(round)].join('\n');
}

/** The last line of a round: the counts and the outcome. */
function summaryLine(round: SyncRound): string {
  const outcome = round.dryRun ? 'dry run, nothing changed' : `applied in ${round.transactions} transaction(s)`;
  return `${round.summary} (${outcome})`;
}

/**
 * A round as text when its diff was already printed before applying it (push, import): only the
 * summary line; otherwise the whole round.
 */
export function renderAppliedRound(round: SyncRound): string {
  return round.changes.length === 0 || round.dryRun ? renderSyncRound(round) : summaryLine(round);
}
