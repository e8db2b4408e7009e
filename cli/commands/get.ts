/** `corral get PATH [-s]`: the data of a znode, as zkCli's `get`. */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { type EncodedData, encodeData, formatStat, statToJson, type StatJson } from '../format.js';

/** What `get` returns: the data (UTF-8, or base64 with the marker) and the optional Stat. */
type GetResult = EncodedData & { readonly path: string; readonly stat?: StatJson };

/** Prints the data of a znode. */
export default class Get extends DataCommand<typeof Get> {
  static override summary = 'Print the data of a znode.';

  static override description =
    'Text output is the data as stored (binary data is written as is). With --json, the data is a UTF-8 string, ' +
    'or base64 with "encoding": "base64" when it is not valid UTF-8; null data is null.';

  static override examples = ['<%= config.bin %> get /app/config', '<%= config.bin %> get -s /app/config --json'];

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = {
    ...connectionFlags,
    stat: Flags.boolean({ char: 's', summary: 'Also print the Stat of the znode.' }),
  };

  #raw: Uint8Array | null = null;

  protected override async execute(): Promise<GetResult> {
    const { path } = this.args;
    const { data, stat } = await this.withClient((client) => client.getData(path));
    this.#raw = data;
    return { path, ...encodeData(data), ...(this.flags.stat ? { stat: statToJson(stat) } : {}) };
  }

  protected override renderText(result: unknown): string | null {
    const { stat } = result as GetResult;
    // The bytes go out unchanged, so that `corral get /x > file` copies binary data exactly.
    if (this.#raw !== null && this.#raw.length > 0) {
      process.stdout.write(this.#raw);
      if (this.#raw[this.#raw.length - 1] !== 0x0a && (stat !== undefined || process.stdout.isTTY)) process.stdout.write('\n');
    }
    return stat === undefined ? null : formatStat(stat);
  }
}
