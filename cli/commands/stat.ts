/** `corral stat PATH`: the Stat of a znode, as zkCli's `stat`. */
import { Args } from '@oclif/core';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { formatStat, statToJson, type StatJson } from '../format.js';

/** What `stat` returns. */
interface StatResult {
  readonly path: string;
  readonly stat: StatJson;
}

/** Prints the Stat of a znode. */
export default class Stat extends DataCommand<typeof Stat> {
  static override summary = 'Print the Stat of a znode (versions, zxids, times, sizes).';

  static override examples = ['<%= config.bin %> stat /app', '<%= config.bin %> stat /app --json'];

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = { ...connectionFlags };

  protected override async execute(): Promise<StatResult> {
    const { path } = this.args;
    const stat = await this.withClient((client) => client.exists(path));
    if (stat === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
    return { path, stat: statToJson(stat) };
  }

  protected override renderText(result: unknown): string | null {
    return formatStat((result as StatResult).stat);
  }
}
