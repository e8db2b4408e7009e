/**
 * `corral failover GROUP [status] [--to MEMBER]`: shows who is active, who is standby and why;
 * with `--to`, asks the active to hand over cleanly to MEMBER and waits until it is active.
 */
import { Args, Flags } from '@oclif/core';
import { defaultFailoverRoot, type GroupStatus, readGroupStatus, requestFailover, UnknownFailoverMemberError } from '../../../agent/index.js';
import { connectionFlags } from '../../connect.js';
import { DataCommand } from '../../data-command.js';
import { UsageError } from '../../exit-codes.js';
import { formatGroupStatus } from '../../agent/format-status.js';

/** Shows a failover group, or hands the active role to a named member. */
export default class Failover extends DataCommand<typeof Failover> {
  static override summary = 'Show a failover group, or hand the active role over to a member (--to).';

  static override description =
    'With --to, the active member steps down cleanly (no fencing needed) and MEMBER takes over; the command waits ' +
    'until MEMBER is active and exits 1 if it is not within --timeout-ms.';

  static override examples = [
    '<%= config.bin %> failover namenode-ha',
    '<%= config.bin %> failover namenode-ha status --json',
    '<%= config.bin %> failover namenode-ha --to nn2',
  ];

  static override args = {
    group: Args.string({ required: true, description: 'failover group name' }),
    action: Args.string({ options: ['status'], description: 'status (the default)' }),
  };

  static override flags = {
    ...connectionFlags,
    to: Flags.string({ summary: 'Member that should become active.' }),
    root: Flags.string({ default: defaultFailoverRoot, summary: 'Parent znode of the failover groups.' }),
    'timeout-ms': Flags.integer({ default: 30_000, min: 1, summary: 'With --to: how long to wait for the hand-over.' }),
  };

  protected override async execute(): Promise<GroupStatus> {
    const { group } = this.args;
    const { to, root } = this.flags;
    if (to === undefined) return this.withClient((client) => readGroupStatus(client, group, root));
    const status = await this.withClient(async (client) => {
      try {
        return await requestFailover(client, group, to, { timeoutMs: this.flags['timeout-ms'], root });
      } catch (err) {
        // A member name the group does not know is a bad argument (exit 2), not a ZooKeeper outcome.
        if (err instanceof UnknownFailoverMemberError) throw new UsageError(err.message);
        throw err;
      }
    });
    if (status.active?.id !== to) {
      this.note(formatGroupStatus(status));
      throw new Error(`${to} did not become active within ${this.flags['timeout-ms']} ms`);
    }
    return status;
  }

  protected override renderText(result: unknown): string {
    return formatGroupStatus(result as GroupStatus);
  }
}
