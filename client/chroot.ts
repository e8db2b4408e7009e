/**
 * Chroot handling: prefix client paths going out, strip the prefix from server paths coming
 * back (replies and watch events), as ZooKeeper's Java client does. Pure.
 */

/** Maps a client path to the server path under `chroot` (undefined means no chroot). */
export function toServerPath(chroot: string | undefined, clientPath: string): string {
  if (chroot === undefined) return clientPath;
  return clientPath === '/' ? chroot : chroot + clientPath;
}

/**
 * Maps a server path back to the client's view. A path outside the chroot is returned
 * unchanged, as the Java client does (it only logs a warning in that case).
 */
export function toClientPath(chroot: string | undefined, serverPath: string): string {
  if (chroot === undefined) return serverPath;
  if (serverPath === chroot) return '/';
  if (serverPath.startsWith(`${chroot}/`)) return serverPath.slice(chroot.length);
  return serverPath;
}
