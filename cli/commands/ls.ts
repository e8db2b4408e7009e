/** `corral ls PATH [-s] [-R]`: the children of a znode, as zkCli's `ls`. */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { formatStat, joinZnodePath, statToJson, type StatJson } from '../format.js';
import { depthFirst, readTree } from '../remote-tree.js';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';

/** What `ls` returns: child names (or, with -R, every descendant's full path) and the optional Stat. */
interface LsResult {
  readonly path: string;
  readonly children: readonly string[];
  readonly stat?: StatJson;
}

/** Lists the children of a znode. */
export default class Ls extends DataCommand<typeof Ls> {
  static override summary = 'List the children of a znode.';

  static override examples = ['<%= config.bin %> ls /', '<%= config.bin %> ls -s /app', '<%= config.bin %> ls -R /app --json'];

  static override args = { path: Args.string({ required: true, description: 'znode path, e.g. /app' }) };

  static override flags = {
    ...connectionFlags,
    stat: Flags.boolean({ char: 's', summary: 'Also print the Stat of the znode.' }),
    recursive: Flags.boolean({ char: 'R', summary: 'List every descendant by full path, depth first.' }),
  };

  protected override async execute(): Promise<LsResult> {
    const { path } = this.args;
    return this.withClient(async (client) => {
      if (this.flags.recursive) {
        const tree = await readTree(client, path);
        if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
        return { path, children: depthFirst(tree).slice(1).map((relative) => joinZnodePath(path, relative)) };
      }
      const { children, stat } = await client.getChildrenWithStat(path);
      children.sort();
      return this.flags.stat ? { path, children, stat: statToJson(stat) } : { path, children };
    });
  }

  protected override renderText(result: unknown): string | null {
    const { children, stat } = result as LsResult;
    const lines = [...children];
    if (stat !== undefined) lines.push(formatStat(stat));
    return lines.length === 0 ? null : lines.join('\n');
  }
}
