/** `corral pull PREFIX DIR`: writes a znode subtree into a local folder (the reverse of push). */
import { Args, Flags } from '@oclif/core';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { asLocalFileError } from '../exit-codes.js';
import { formatBytes } from '../format.js';
import { type LocalChange, writeLocalTree } from '../local-tree.js';
import { Progress } from '../progress.js';
import { readTree } from '../remote-tree.js';

/** What `pull` returns: the local changes, and the znodes whose data a folder could not hold. */
interface PullResult {
  readonly prefix: string;
  readonly dir: string;
  readonly dryRun: boolean;
  readonly changes: readonly LocalChange[];
  readonly skipped: readonly string[];
}

/** Pulls a znode subtree into a folder. */
export default class Pull extends DataCommand<typeof Pull> {
  static override summary = 'Write a znode subtree into a local folder (files written atomically).';

  static override description =
    'Znodes with children or with null data (as push creates folders) become folders, others become files holding the data. Unchanged files are not ' +
    'rewritten. A znode that has both children and data keeps its data on the server only (listed as skipped). ' +
    'Names starting with "." are left alone; --prune removes other local files that have no znode.';

  static override examples = ['<%= config.bin %> pull /app/config ./config', '<%= config.bin %> pull /app/config ./config --prune --dry-run'];

  static override args = {
    prefix: Args.string({ required: true, description: 'znode path to pull' }),
    dir: Args.string({ required: true, description: 'local folder (created if missing)' }),
  };

  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ char: 'n', summary: 'Print what would change and write nothing.' }),
    prune: Flags.boolean({ summary: 'Remove local files and folders that have no znode.' }),
  };

  protected override async execute(): Promise<PullResult> {
    const { prefix, dir } = this.args;
    const progress = new Progress(`reading ${prefix}`);
    const tree = await this.withClient((client) => readTree(client, prefix, { excludeSystem: true, onProgress: (n) => progress.update(n) }));
    progress.finish();
    if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, prefix);
    const dryRun = this.flags['dry-run'];
    const { changes, skipped } = await writeLocalTree({ dir, root: prefix, tree, prune: this.flags.prune, dryRun }).catch((err: unknown) =>
      Promise.reject(asLocalFileError(err, 'write', dir)),
    );
    for (const path of skipped) this.logToStderr(`skipped the data of ${path}: it has children, so it is a folder`);
    return { prefix, dir, dryRun, changes, skipped };
  }

  protected override renderText(result: unknown): string | null {
    const { changes, dryRun, dir } = result as PullResult;
    if (changes.length === 0) return `${dir} is up to date`;
    const lines = changes.map((c) => (c.op === 'write' ? `write ${c.file} (${formatBytes(c.sizeBytes)})` : `remove ${c.file}`));
    lines.push(`${changes.length} change(s)${dryRun ? ' (dry run, nothing written)' : ''}`);
    return lines.join('\n');
  }
}
