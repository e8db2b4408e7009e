/**
 * The JSON document of `corral export` and `corral import`: a subtree's persistent znodes by
 * path relative to the exported prefix, each with its data as UTF-8 text, or as base64 with
 * `"encoding": "base64"` when the bytes are not valid UTF-8. ACLs and Stats are not included.
 */
import { z } from 'zod';
import { UsageError } from './exit-codes.js';
import { decodeData, encodeData } from './format.js';
import type { RemoteTree } from './remote-tree.js';
import { depthFirst } from './remote-tree.js';
import type { DesiredNode, DesiredTree } from './tree-sync.js';

const nodeSchema = z.object({
  path: z.string().regex(/^(|\/.*[^/])$/, 'expected "" or a relative path like "/a/b"'),
  data: z.string().nullable(),
  encoding: z.literal('base64').optional(),
});

const documentSchema = z.object({
  format: z.literal('corral-export'),
  version: z.literal(1),
  prefix: z.string().startsWith('/'),
  nodes: z.array(nodeSchema),
});

/** An export document. */
export type ExportDocument = z.infer<typeof documentSchema>;

/** Builds the export document of a tree, leaving out ephemeral nodes (they belong to live sessions). */
export function toExportDocument(prefix: string, tree: RemoteTree): ExportDocument {
  const nodes = depthFirst(tree)
    .filter((relative) => tree.get(relative)?.stat.ephemeralOwner === 0n)
    .map((relative) => ({ path: relative, ...encodeData(tree.get(relative)?.data ?? null) }));
  return { format: 'corral-export', version: 1, prefix, nodes };
}

/** Parses an export document; a malformed one is a usage error naming the first problem. */
export function parseExportDocument(text: string, source: string): ExportDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new UsageError(`${source}: not a corral export: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The desired tree an import makes: every node of the document with its data. */
export function desiredOfDocument(document: ExportDocument): DesiredTree {
  const desired = new Map<string, DesiredNode>([['', { kind: 'keep' }]]);
  for (const node of document.nodes) {
    const encoded = node.encoding === undefined ? { data: node.data } : { data: node.data, encoding: node.encoding };
    desired.set(node.path, { kind: 'data', data: decodeData(encoded) });
  }
  // A node listed without its parent still needs the parent, as an empty node.
  for (const path of [...desired.keys()]) {
    for (let p = path.slice(0, path.lastIndexOf('/')); p !== '' && !desired.has(p); p = p.slice(0, p.lastIndexOf('/'))) {
      desired.set(p, { kind: 'keep' });
    }
  }
  return desired;
}
