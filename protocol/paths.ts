/**
 * znode path rules and helpers. `validatePath` is PathUtils.validatePath (reference §6.3),
 * including its reason texts, so errors read as ZooKeeper's do.
 */

/**
 * Whether a UTF-16 code unit may appear in a path: PathUtils refuses U+0000-U+001F,
 * U+007F-U+009F, U+D800-U+F8FF (all surrogates, so no non-BMP characters) and U+FFF0-U+FFFF.
 */
export function isValidPathChar(code: number): boolean {
  return !(
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfff0 && code <= 0xffff)
  );
}

/**
 * Checks a path as PathUtils.validatePath does; a sequential path is checked with a suffix
 * appended, so it may end in '/'. Returns null when valid, else the reason.
 */
export function validatePath(path: string, isSequential = false): string | null {
  const checked = isSequential ? `${path}1` : path;
  if (checked.length === 0) return 'Path length must be > 0';
  if (checked.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (checked.length === 1) return null;
  if (checked.charCodeAt(checked.length - 1) === 0x2f) return 'Path must not end with / character';
  const reason = invalidSegmentReason(checked);
  return reason === null ? null : `Invalid path string "${checked}" caused by ${reason}`;
}

/** The per-character loop of PathUtils.validatePath; `path` starts with '/' and is longer than 1. */
function invalidSegmentReason(path: string): string | null {
  const slash = 0x2f;
  const dot = 0x2e;
  let last = slash;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const endsSegment = i + 1 === path.length || path.charCodeAt(i + 1) === slash;
    if (c === 0) return `null character not allowed @${i}`;
    if (c === slash && last === slash) return `empty node name specified @${i}`;
    if (c === dot && last === dot) {
      if (path.charCodeAt(i - 2) === slash && endsSegment) return `relative paths not allowed @${i}`;
    } else if (c === dot) {
      if (last === slash && endsSegment) return `relative paths not allowed @${i}`;
    } else if (!isValidPathChar(c)) {
      return `invalid character @${i}`;
    }
    last = c;
  }
  return null;
}

/** The parent of an absolute path ('/a/b' -> '/a', '/a' -> '/'), or null for the root. */
export function parentPath(path: string): string | null {
  if (path === '/') return null;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The last segment of an absolute path ('/a/b' -> 'b'); '' for the root. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name ('/' + 'a' -> '/a', '/a' + 'b' -> '/a/b'). */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
