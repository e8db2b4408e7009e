/** `corral import FILE [PREFIX]`: recreates an exported subtree (under its own prefix, or PREFIX). */
import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { connectClient, connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { asLocalFileError } from '../exit-codes.js';
import { desiredOfDocument, parseExportDocument } from '../export-format.js';
import { Progress } from '../progress.js';
import {
  type BatchLimits,
  type SyncRound,
  applyRound,
  planAgainstServer,
  renderAppliedRound,
} from '../tree-sync.js';

/** Imports an export document. */
export default class Import extends DataCommand<typeof Import> {
  static override summary = 'Import a JSON export into a znode subtree (creates and updates; deletes only with --prune).';

  static override examples = ['<%= config.bin %> import app.json', '<%= config.bin %> import app.json /app-copy --dry-run'];

  static override args = {
    file: Args.string({ required: true, description: 'export document (- for stdin)' }),
    prefix: Args.string({ description: 'znode path to import under (default: the prefix the document was exported from)' }),
  };

  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ char: 'n', summary: 'Print the diff and change nothing.' }),
    prune: Flags.boolean({ summary: 'Delete znodes under PREFIX that the document does not have.' }),
    'batch-ops': Flags.integer({ default: 100, min: 1, max: 1000, summary: 'Most ops in one transaction.' }),
    'batch-bytes': Flags.integer({ default: 512 * 1024, min: 1, summary: 'Most data bytes in one transaction.' }),
  };

  protected override async execute(): Promise<SyncRound> {
    const { file } = this.args;
    const text = file === '-' ? await readStdinText() : await readFile(file, 'utf8').catch((err: unknown) => Promise.reject(asLocalFileError(err, 'read', file)));
    const document = parseExportDocument(text, file === '-' ? 'stdin' : file);
    const prefix = this.args.prefix ?? document.prefix;
    const desired = desiredOfDocument(document);
    const dryRun = this.flags['dry-run'];
    const limits: BatchLimits = { maxOps: this.flags['batch-ops'], maxBytes: this.flags['batch-bytes'] };
    const client = await connectClient(this.connection(), this.logger);
    try {
      const changes = await planAgainstServer(client, { root: prefix, desired, prune: this.flags.prune });
      const progress = new Progress(`importing into ${prefix}`);
      // The diff goes out before anything is applied (under --json it is part of the result).
      const round = await applyRound(client, prefix, changes, {
        dryRun,
        limits,
        printDiff: this.jsonEnabled() ? null : (line) => this.printLine(line),
        note: (line) => {
          progress.finish();
          this.note(line);
        },
        onProgress: (n) => progress.update(n, changes.length),
      });
      progress.finish();
      return round;
    } finally {
      await client.close();
    }
  }

  protected override renderText(result: unknown): string | null {
    return renderAppliedRound(result as SyncRound);
  }
}

async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
