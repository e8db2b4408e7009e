/** `corral acl PATH [--set ACL] [-v VERSION]`: prints or replaces a znode's ACL (zkCli getAcl/setAcl). */
import { Args, Flags } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { formatPerms, parseAclList, statToJson, type StatJson } from '../format.js';

/** One ACL entry in JSON form. */
interface AclJson {
  readonly scheme: string;
  readonly id: string;
  readonly perms: string;
}

/** What `acl` returns: the (new) ACL and the Stat. */
interface AclResult {
  readonly path: string;
  readonly acl: readonly AclJson[];
  readonly stat: StatJson;
}

/** Prints or sets the ACL of a znode. */
export default class AclCommand extends DataCommand<typeof AclCommand> {
  static override summary = 'Print the ACL of a znode, or replace it with --set.';

  static override description = 'ACL entries are scheme:id:perms with perms from cdrwa (create, delete, read, write, admin).';

  static override examples = [
    '<%= config.bin %> acl /app',
    '<%= config.bin %> acl /app --set world:anyone:r,digest:admin:BASE64HASH:cdrwa',
    '<%= config.bin %> acl /app --set auth::cdrwa --auth digest:admin:secret',
  ];

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = {
    ...connectionFlags,
    set: Flags.string({ summary: 'The new ACL: scheme:id:perms[,scheme:id:perms...].' }),
    version: Flags.integer({ char: 'v', summary: 'With --set: only if the ACL is at this version (aversion).', dependsOn: ['set'] }),
  };

  protected override async execute(): Promise<AclResult> {
    const { path } = this.args;
    const newAcl = this.flags.set === undefined ? undefined : parseAclList(this.flags.set);
    return this.withClient(async (client) => {
      if (newAcl !== undefined) await client.setACL(path, newAcl, this.flags.version ?? -1);
      const { acl, stat } = await client.getACL(path);
      return {
        path,
        acl: acl.map((entry) => ({ scheme: entry.id.scheme, id: entry.id.id, perms: formatPerms(entry.perms) })),
        stat: statToJson(stat),
      };
    });
  }

  protected override renderText(result: unknown): string | null {
    const { acl } = result as AclResult;
    return acl.map((entry) => `${entry.scheme}:${entry.id}:${entry.perms}`).join('\n');
  }
}
