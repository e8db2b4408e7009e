/**
 * Pure helpers for recipes built on sequential znodes: the sequence suffix, ordering, the
 * predecessor a waiter watches, and Curator's protected-name prefix (`_c_<uuid>-`) that lets a
 * client find its own node after a create whose reply was lost.
 */

/**
 * ZooKeeper appends a 10-digit zero-padded counter (`%010d` of the parent's cversion). Only
 * the digits count: the `-` before them belongs to the name (`lock-0000000001`). A counter that
 * overflowed into negative numbers is not supported, as in Curator.
 */
const sequencePattern = /(\d{10})$/;

/** The sequence number at the end of a sequential znode's name, or undefined when there is none. */
export function sequenceOf(name: string): number | undefined {
  const match = sequencePattern.exec(name);
  if (match === null || match[1] === undefined) return undefined;
  return Number.parseInt(match[1], 10);
}

/**
 * The names that contain `marker` and end in a sequence number, ordered by that number (ties by
 * name, which cannot happen under one parent but keeps the order total).
 */
export function sortBySequence(names: readonly string[], marker: string): string[] {
  const entries: { name: string; sequence: number }[] = [];
  for (const name of names) {
    if (!name.includes(marker)) continue;
    const sequence = sequenceOf(name);
    if (sequence !== undefined) entries.push({ name, sequence });
  }
  entries.sort((a, b) => a.sequence - b.sequence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.map((e) => e.name);
}

/** Where a participant stands among the ordered participants. */
export type Standing =
  | { readonly kind: 'first' }
  | { readonly kind: 'waiting'; readonly predecessor: string }
  | { readonly kind: 'missing' };

/** Whether `own` is first, which node just before it to watch, or that it is gone. */
export function standingOf(sorted: readonly string[], own: string): Standing {
  const index = sorted.indexOf(own);
  if (index === -1) return { kind: 'missing' };
  if (index === 0) return { kind: 'first' };
  const predecessor = sorted[index - 1];
  if (predecessor === undefined) return { kind: 'missing' };
  return { kind: 'waiting', predecessor };
}

/** Curator's protected prefix for one create attempt: `_c_<uuid>-`. */
export function protectedPrefix(uuid: string): string {
  return `_c_${uuid}-`;
}

/** The child created by the attempt with `prefix`, if any (after a create lost its reply). */
export function findProtected(names: readonly string[], prefix: string): string | undefined {
  return names.find((name) => name.startsWith(prefix));
}

/** The last segment of a path (`/a/b` -> `b`). */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name without doubling the slash under the root. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
