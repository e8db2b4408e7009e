/** `corral set PATH DATA [-v VERSION] [-s]`: sets the data of a znode, as zkCli's `set`. */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { formatStat, statToJson, type StatJson } from '../format.js';
import { readDataArgument, dataFileFlag } from '../data-argument.js';

/** What `set` returns: the path and the new Stat. */
interface SetResult {
  readonly path: string;
  readonly stat: StatJson;
}

/** Sets the data of a znode. */
export default class SetCommand extends DataCommand<typeof SetCommand> {
  static override summary = 'Set the data of a znode.';

  static override examples = [
    '<%= config.bin %> set /app/config "hello"',
    '<%= config.bin %> set /app/config -v 3 "only if still at version 3"',
    '<%= config.bin %> set /app/logo --file logo.png',
  ];

  static override args = {
    path: Args.string({ required: true, description: 'znode path' }),
    data: Args.string({ description: 'the new data (UTF-8); use --file for bytes from a file, or - for stdin' }),
  };

  static override flags = {
    ...connectionFlags,
    ...dataFileFlag,
    version: Flags.integer({ char: 'v', summary: 'Only set if the znode is at this data version (else exit 1, BadVersion).' }),
    stat: Flags.boolean({ char: 's', summary: 'Print the new Stat.' }),
  };

  protected override async execute(): Promise<SetResult> {
    const { path } = this.args;
    const data = await readDataArgument(this.args.data, this.flags.file, { isRequired: true });
    const stat = await this.withClient((client) => client.setData(path, data, this.flags.version ?? -1));
    return { path, stat: statToJson(stat) };
  }

  protected override renderText(result: unknown): string | null {
    return this.flags.stat ? formatStat((result as SetResult).stat) : null;
  }
}
