/**
 * `corral watch PATH`: prints every change under a znode as it happens, one line per event,
 * until Ctrl-C (exit 130). Uses a persistent recursive watch (or `--no-recursive`: persistent).
 */
import { Args, Flags } from '@oclif/core';
import type { WatchedEvent, ZkClient } from '../../client/index.js';
import { ErrorCode, EventType, ZkError } from '../../protocol/index.js';
import { connectClient, connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';

const eventNames: ReadonlyMap<number, string> = new Map(Object.entries(EventType).map(([name, code]) => [code, name]));

/** Streams watch events. */
export default class Watch extends DataCommand<typeof Watch> {
  static override summary = 'Print every change under a znode until Ctrl-C.';

  static override description =
    'One line per event on stdout: "<EventType> <path>" (with --json, one JSON object per line: {"type","path"}). ' +
    'A line "watching <path>" on stderr says when the watch is in place. Ctrl-C exits 130; a lost session exits 3.';

  static override examples = ['<%= config.bin %> watch /app', '<%= config.bin %> watch /app --no-recursive --json'];

  static override args = { path: Args.string({ required: true, description: 'znode path (it need not exist yet)' }) };

  static override flags = {
    ...connectionFlags,
    recursive: Flags.boolean({ default: true, allowNo: true, summary: 'Watch the whole subtree (persistent recursive watch).' }),
  };

  protected override async execute(): Promise<never> {
    const { path } = this.args;
    const stop = this.interruption();
    const client = await connectClient(this.connection(), this.logger);
    try {
      const events = await client.watch(path, this.flags.recursive ? 'persistentRecursive' : 'persistent');
      client.onState((state) => {
        if (state !== 'closed') this.note(`connection ${state}`);
      });
      this.note(`watching ${path}; press Ctrl-C to stop`);
      throw await this.#stream(client, events, stop.interrupted);
    } finally {
      stop.dispose();
      await client.close();
    }
  }

  /** Prints events until interrupted (returns the InterruptedError) or the stream ends (ConnectionLoss). */
  async #stream(client: ZkClient, events: AsyncIterableIterator<WatchedEvent>, interrupted: Promise<Error>): Promise<Error> {
    for (;;) {
      const next = await Promise.race([events.next(), interrupted]);
      if (next instanceof Error) {
        await events.return?.();
        return next;
      }
      if (next.done === true) {
        return new ZkError(ErrorCode.SessionExpired, undefined, `The session ended (${client.state}); the watch is gone. Run the command again.`);
      }
      const type = eventNames.get(next.value.type) ?? String(next.value.type);
      this.printLine(this.jsonEnabled() ? JSON.stringify({ type, path: next.value.path }) : `${type} ${next.value.path}`);
    }
  }
}
