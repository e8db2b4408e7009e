/**
 * Tab completion for the shell: command names for the first word, znode paths (children listed
 * from the server) for any word that starts with `/`.
 */

/** Lists the child names of a znode; rejects when it does not exist. */
export type ChildLister = (path: string) => Promise<readonly string[]>;

/** readline's completion result: the candidates and the text they replace. */
export type Completion = [string[], string];

/**
 * Completes the last word of `line`: a command name when it is the first word, else a path
 * whose parent's children are asked from the server. Errors (no such parent) complete nothing.
 */
export async function complete(line: string, commandNames: readonly string[], listChildren: ChildLister): Promise<Completion> {
  const lastSpace = line.search(/\s\S*$/);
  const word = lastSpace === -1 ? line : line.slice(lastSpace + 1);
  if (lastSpace === -1 && !word.startsWith('/')) {
    return [commandNames.filter((name) => name.startsWith(word)).map((name) => `${name} `), word];
  }
  if (!word.startsWith('/')) return [[], word];
  const slash = word.lastIndexOf('/');
  const parent = slash === 0 ? '/' : word.slice(0, slash);
  const partial = word.slice(slash + 1);
  let children: readonly string[];
  try {
    children = await listChildren(parent);
  } catch (err) {
    // Nothing to offer for a parent that does not exist (or cannot be read); typing goes on.
    if (err instanceof Error) return [[], word];
    throw err;
  }
  const base = parent === '/' ? '' : parent;
  const matches = children
    .filter((name) => name.startsWith(partial))
    .sort()
    .map((name) => `${base}/${name}`);
  return [matches, word];
}
