/** `corral tree PATH`: a znode subtree drawn as a tree, like the Unix `tree` command. */
import { Args } from '@oclif/core';
import { ErrorCode, zkErrorFromCode } from '../../protocol/index.js';
import { connectionFlags } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { joinZnodePath } from '../format.js';
import { type RemoteTree, readTree } from '../remote-tree.js';

/** One node of the `--json` output: its name, full path, data size and children. */
interface TreeNodeJson {
  readonly name: string;
  readonly path: string;
  readonly dataLength: number;
  readonly children: readonly TreeNodeJson[];
}

/** Draws a subtree. */
export default class Tree extends DataCommand<typeof Tree> {
  static override summary = 'Draw a znode and all its descendants as a tree.';

  static override examples = ['<%= config.bin %> tree /app', '<%= config.bin %> tree / --json'];

  static override args = { path: Args.string({ required: true, description: 'znode path' }) };

  static override flags = { ...connectionFlags };

  protected override async execute(): Promise<TreeNodeJson> {
    const { path } = this.args;
    const tree = await this.withClient((client) => readTree(client, path));
    if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
    return nest(tree, path, '');
  }

  protected override renderText(result: unknown): string | null {
    const root = result as TreeNodeJson;
    const lines = [root.path];
    const draw = (node: TreeNodeJson, indent: string): void => {
      node.children.forEach((child, i) => {
        const isLast = i === node.children.length - 1;
        lines.push(`${indent}${isLast ? '└── ' : '├── '}${child.name}`);
        draw(child, `${indent}${isLast ? '    ' : '│   '}`);
      });
    };
    draw(root, '');
    return lines.join('\n');
  }
}

function nest(tree: RemoteTree, root: string, relative: string): TreeNodeJson {
  const node = tree.get(relative);
  const path = joinZnodePath(root, relative);
  const children = (node?.children ?? [])
    .map((name) => `${relative}/${name}`)
    .filter((childRelative) => tree.has(childRelative))
    .map((childRelative) => nest(tree, root, childRelative));
  const name = relative === '' ? path : relative.slice(relative.lastIndexOf('/') + 1);
  return { name, path, dataLength: node?.stat.dataLength ?? 0, children };
}
