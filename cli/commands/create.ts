/** `corral create [-e] [-s] [-c] [-t TTL] PATH [DATA]`: creates a znode, as zkCli's `create`. */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { readDataArgument, dataFileFlag } from '../data-argument.js';
import { createAncestors, createModeOf } from '../create-mode.js';
import { parseAclList } from '../format.js';

/** What `create` returns: the created path (with any sequence suffix). */
interface CreateResult {
  readonly path: string;
}

/** Creates a znode. */
export default class Create extends DataCommand<typeof Create> {
  static override summary = 'Create a znode.';

  static override description =
    'As in zkCli, -s means sequential here (on ls/get it means stat). Ephemeral nodes vanish when this command ' +
    'exits, since its session ends. TTL nodes need extendedTypesEnabled=true on the server.';

  static override examples = [
    '<%= config.bin %> create /app "hello"',
    '<%= config.bin %> create -s /app/job- "payload"',
    '<%= config.bin %> create --ttl 60000 /app/lease',
    '<%= config.bin %> create --container /app/locks',
  ];

  static override args = {
    path: Args.string({ required: true, description: 'znode path (for -s, the prefix of the sequential name)' }),
    data: Args.string({ description: 'initial data (UTF-8); use --file for bytes from a file' }),
  };

  static override flags = {
    ...connectionFlags,
    ...dataFileFlag,
    ephemeral: Flags.boolean({ char: 'e', summary: 'Ephemeral: deleted when the session ends.' }),
    sequential: Flags.boolean({ char: 's', summary: 'Sequential: append a 10-digit counter to the name.' }),
    container: Flags.boolean({ char: 'c', summary: 'Container: deleted by the server once its last child is gone.' }),
    ttl: Flags.integer({ char: 't', summary: 'TTL in milliseconds: deleted when unmodified and childless that long.', min: 1 }),
    parents: Flags.boolean({ char: 'p', summary: 'Create missing parents too (as empty persistent nodes).' }),
    acl: Flags.string({ summary: 'ACL as scheme:id:perms[,...], e.g. digest:bob:HASH:cdrwa (default world:anyone:cdrwa).' }),
  };

  protected override async execute(): Promise<CreateResult> {
    const { path } = this.args;
    const data = await readDataArgument(this.args.data, this.flags.file, { isRequired: false });
    const mode = createModeOf(this.flags);
    const acl = this.flags.acl === undefined ? undefined : parseAclList(this.flags.acl);
    const options = { mode, ...(this.flags.ttl === undefined ? {} : { ttlMs: this.flags.ttl }), ...(acl === undefined ? {} : { acl }) };
    const created = await this.withClient(async (client) => {
      if (this.flags.parents) await createAncestors(client, path);
      return client.create(path, data, options);
    });
    return { path: created };
  }

  protected override renderText(result: unknown): string | null {
    return `Created ${(result as CreateResult).path}`;
  }
}
