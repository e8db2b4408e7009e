/** `corral rm PATH [-r] [-v VERSION]`: deletes a znode (zkCli's `delete`), or a subtree (`deleteall`). */
import { Args, Flags } from '@oclif/core';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { UsageError } from '../exit-codes.js';
import { joinZnodePath } from '../format.js';
import { depthFirst, readTree } from '../remote-tree.js';
import { type Change, applyChanges } from '../tree-sync.js';

/** What `rm` returns: the paths deleted, children before parents. */
interface RmResult {
  readonly deleted: readonly string[];
}

/** Deletes a znode, or with -r a whole subtree. */
export default class Rm extends DataCommand<typeof Rm> {
  static override summary = 'Delete a znode (with -r, the znode and everything below it).';

  static override aliases = ['delete'];

  static override description =
    'rm -r deletes children before parents in transactions of up to 100 deletes; a transaction fails as a whole ' +
    'if someone adds a child meanwhile (exit 1, NotEmpty), and earlier transactions stay applied.';

  static override examples = ['<%= config.bin %> rm /app/old', '<%= config.bin %> rm -v 4 /app/config', '<%= config.bin %> rm -r /app'];

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = {
    ...connectionFlags,
    recursive: Flags.boolean({ char: 'r', summary: 'Delete the children too (zkCli deleteall).' }),
    version: Flags.integer({ char: 'v', summary: 'Only delete if the znode is at this data version.' }),
  };

  protected override async execute(): Promise<RmResult> {
    const { path } = this.args;
    if (this.flags.recursive && this.flags.version !== undefined) throw new UsageError('-v cannot be combined with -r');
    if (this.flags.recursive && path === '/') throw new UsageError('refusing to delete / recursively; delete its children one by one');
    return this.withClient(async (client) => {
      if (!this.flags.recursive) {
        await client.delete(path, this.flags.version ?? -1);
        return { deleted: [path] };
      }
      const tree = await readTree(client, path);
      if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
      const deletes: Change[] = depthFirst(tree)
        .reverse()
        .map((relative) => ({ op: 'delete', path: joinZnodePath(path, relative), version: -1 }));
      await applyChanges(client, deletes);
      return { deleted: deletes.map((d) => d.path) };
    });
  }

  protected override renderText(): string | null {
    return null;
  }
}
