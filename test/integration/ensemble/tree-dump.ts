/**
 * Reads a whole znode tree through a client, for comparing what members serve. Test-only.
 */
import type { ZkClient } from '../../../client/index.js';

/** One line per znode: path, data, version, cversion, ephemeral owner and mzxid, sorted by path. */
export async function treeDump(client: ZkClient): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const { data, stat } = await client.getData(path);
    const text = new TextDecoder().decode(data ?? new Uint8Array());
    lines.push(`${path} data=${text} v=${stat.version} cv=${stat.cversion} owner=${stat.ephemeralOwner} mzxid=${stat.mzxid}`);
    const children = (await client.getChildren(path)).sort();
    for (const child of children) await visit(path === '/' ? `/${child}` : `${path}/${child}`);
  };
  await visit('/');
  return lines;
}
