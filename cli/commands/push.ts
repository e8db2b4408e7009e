/**
 * `corral push DIR PREFIX`: makes the znode subtree at PREFIX match a local folder of config
 * files. Shows the diff first; `--dry-run` changes nothing; `--prune` deletes znodes whose files
 * are gone; `--watch` keeps pushing as files change, until Ctrl-C.
 */
import { Args, Flags } from '@oclif/core';
import { watch as watchFiles, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';
import type { ZkClient } from '../../client/index.js';
import { ZkError } from '../../protocol/index.js';
import { connectClient, connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { ExitCode, asLocalFileError, exitCodeOf } from '../exit-codes.js';
import { describeZkError } from '../error-messages.js';
import { isIgnoredName, readLocalTree } from '../local-tree.js';
import {
  type BatchLimits,
  type SyncRound,
  applyRound,
  planAgainstServer,
  renderAppliedRound,
} from '../tree-sync.js';

/** Pushes a folder into a znode subtree. */
export default class Push extends DataCommand<typeof Push> {
  static override summary = 'Push a local folder of files into a znode subtree (diff first, one transaction per batch).';

  static override description =
    'Each file becomes a znode holding its bytes; each folder a znode whose data is left alone; names starting ' +
    'with "." are skipped. The diff is printed first ("+" create, "~" update, "-" delete). Changes are applied as ' +
    'multi transactions of at most --batch-ops ops and --batch-bytes bytes; each is all or nothing, and updates ' +
    'and deletes carry the version read, so a concurrent change fails the push (exit 1) instead of being lost.';

  static override examples = [
    '<%= config.bin %> push ./config /app/config --dry-run',
    '<%= config.bin %> push ./config /app/config --prune',
    '<%= config.bin %> push ./config /app/config --watch',
  ];

  static override args = {
    dir: Args.string({ required: true, description: 'local folder' }),
    prefix: Args.string({ required: true, description: 'znode path the folder maps to' }),
  };

  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ char: 'n', summary: 'Print the diff and change nothing.' }),
    prune: Flags.boolean({ summary: 'Delete znodes under PREFIX that have no file (ephemeral znodes are never deleted).' }),
    watch: Flags.boolean({ char: 'w', summary: 'Keep running and push again whenever a file changes (until Ctrl-C).' }),
    'batch-ops': Flags.integer({ default: 100, min: 1, max: 1000, summary: 'Most ops in one transaction.' }),
    'batch-bytes': Flags.integer({ default: 512 * 1024, min: 1, summary: 'Most data bytes in one transaction.' }),
  };

  protected override async execute(): Promise<SyncRound | never> {
    const client = await connectClient(this.connection(), this.logger);
    try {
      const first = await this.#round(client);
      if (!this.flags.watch) return first;
      this.printLine(this.#render(first));
      return await this.#watch(client);
    } finally {
      await client.close();
    }
  }

  async #round(client: ZkClient): Promise<SyncRound> {
    const { dir, prefix } = this.args;
    const dryRun = this.flags['dry-run'];
    const desired = await readLocalTree(dir).catch((err: unknown) => Promise.reject(asLocalFileError(err, 'read', dir)));
    const changes = await planAgainstServer(client, { root: prefix, desired, prune: this.flags.prune });
    const limits: BatchLimits = { maxOps: this.flags['batch-ops'], maxBytes: this.flags['batch-bytes'] };
    // The diff goes out before anything is applied (under --json it is part of the result).
    return applyRound(client, prefix, changes, {
      dryRun,
      limits,
      printDiff: this.jsonEnabled() ? null : (line) => this.printLine(line),
      note: (line) => this.note(line),
    });
  }

  /** Pushes again after every burst of file changes, until interrupted or the session is lost. */
  async #watch(client: ZkClient): Promise<never> {
    const stop = this.interruption();
    const watcher: FSWatcher = watchFiles(this.args.dir, { ignoreInitial: true, ignored: (path) => isIgnoredName(basename(path)) });
    try {
      // A change seen while a push runs marks the tree dirty, so it is pushed by the next round.
      let isDirty = false;
      let wake = (): void => undefined;
      watcher.on('all', () => {
        isDirty = true;
        wake();
      });
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
      this.note(`watching ${this.args.dir} for changes; press Ctrl-C to stop`);
      for (;;) {
        const dirty = isDirty ? Promise.resolve('dirty' as const) : new Promise<'dirty'>((resolve) => (wake = () => resolve('dirty')));
        const outcome = await Promise.race([dirty, stop.interrupted]);
        if (outcome instanceof Error) throw outcome;
        // Let a burst of saves settle, so that one edit is one push.
        await new Promise((resolve) => setTimeout(resolve, 200));
        isDirty = false;
        await this.#watchRound(client);
      }
    } finally {
      stop.dispose();
      await watcher.close();
    }
  }

  async #watchRound(client: ZkClient): Promise<void> {
    try {
      this.printLine(this.#render(await this.#round(client)));
    } catch (err) {
      // A lost connection ends the command (exit 3); anything else is reported and retried on the next change.
      if (!(err instanceof Error) || exitCodeOf(err) === ExitCode.ConnectionLost) throw err;
      this.note(err instanceof ZkError ? describeZkError(err) : `error: ${err.message}`);
    }
  }

  #render(round: SyncRound): string {
    if (this.jsonEnabled()) return JSON.stringify(round);
    return renderAppliedRound(round);
  }

  protected override renderText(result: unknown): string | null {
    return renderAppliedRound(result as SyncRound);
  }
}
