/** `corral export PREFIX [FILE]`: a znode subtree as one JSON document (stdout, or FILE written atomically). */
import { Args } from '@oclif/core';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { toExportDocument } from '../export-format.js';
import { asLocalFileError } from '../exit-codes.js';
import { writeFileAtomic } from '../local-tree.js';
import { Progress } from '../progress.js';
import { readTree } from '../remote-tree.js';

/** What `export` returns when it writes a file. */
interface ExportResult {
  readonly prefix: string;
  readonly file: string;
  readonly nodes: number;
}

/** Exports a subtree as JSON. */
export default class Export extends DataCommand<typeof Export> {
  static override summary = 'Export a znode subtree as JSON (to FILE, or stdout).';

  static override description =
    'The document is {"format":"corral-export","version":1,"prefix":...,"nodes":[{"path":"/a","data":"..."}]}, ' +
    'paths relative to PREFIX. Data is UTF-8 text, or base64 with "encoding":"base64" when it is not valid ' +
    'UTF-8. Ephemeral nodes, ACLs and /zookeeper are left out.';

  static override examples = ['<%= config.bin %> export /app app.json', '<%= config.bin %> export / > backup.json'];

  static override args = {
    prefix: Args.string({ required: true, description: 'znode path to export' }),
    file: Args.string({ description: 'output file (default: stdout)' }),
  };

  static override flags = { ...connectionFlags };

  protected override async execute(): Promise<ExportResult | undefined> {
    const { prefix, file } = this.args;
    const progress = new Progress(`exporting ${prefix}`);
    const tree = await this.withClient((client) => readTree(client, prefix, { excludeSystem: true, onProgress: (n) => progress.update(n) }));
    progress.finish();
    if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, prefix);
    const document = toExportDocument(prefix, tree);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (file === undefined || file === '-') {
      // The document itself is the output, --json or not.
      process.stdout.write(text);
      return undefined;
    }
    await writeFileAtomic(file, new TextEncoder().encode(text)).catch((err: unknown) => Promise.reject(asLocalFileError(err, 'write', file)));
    return { prefix, file, nodes: document.nodes.length };
  }

  protected override renderText(result: unknown): string | null {
    if (result === undefined) return null;
    const { prefix, file, nodes } = result as ExportResult;
    return `exported ${nodes} znode(s) under ${prefix} to ${file}`;
  }
}
