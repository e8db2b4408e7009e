/** `corral sync PATH`: waits until the connected server has caught up with the leader. */
import { Args } from '@oclif/core';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';

/** What `sync` returns. */
interface SyncResult {
  readonly path: string;
  readonly synced: true;
}

/** Runs ZooKeeper's sync on a path. */
export default class Sync extends DataCommand<typeof Sync> {
  static override summary = "Wait until the server has applied every write the leader committed (ZooKeeper's sync).";

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = { ...connectionFlags };

  protected override async execute(): Promise<SyncResult> {
    const { path } = this.args;
    await this.withClient((client) => client.sync(path));
    return { path, synced: true };
  }

  protected override renderText(result: unknown): string | null {
    return `Sync is OK for ${(result as SyncResult).path}`;
  }
}
