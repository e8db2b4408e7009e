/**
 * Enforces the architecture of STYLE.md §1 and §6: the direction of imports between folders,
 * public index.ts entry points for cli/bench/examples, no import cycles, and no clocks,
 * randomness, timers, files or sockets inside the pure folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const sourceFolders = ['util', 'protocol', 'server', 'client', 'agent', 'cli', 'bench', 'examples'];

/** Folders each top-level folder may import from (besides itself). */
const allowed: Readonly<Record<string, readonly string[]>> = {
  util: [],
  protocol: ['util'],
  server: ['protocol', 'util'],
  client: ['protocol', 'util'],
  agent: ['client', 'protocol', 'util'],
  cli: ['server', 'client', 'agent', 'protocol', 'util'],
  bench: ['server', 'client', 'agent', 'protocol', 'util'],
  examples: ['server', 'client', 'agent', 'protocol', 'util'],
};

/** Folders whose modules must stay pure (STYLE.md §2, §6). */
const pureFolders = [
  'protocol',
  'server/config',
  'server/tree',
  'server/txn',
  'server/session',
  'server/watch',
  'server/consensus',
  'server/replica',
];

const bannedInPure: readonly [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(/, 'new Date'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate)\s*\(/, 'timers'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/from '(node:)?(fs|fs\/promises|net|child_process|timers|timers\/promises)'/, 'I/O module'],
  [/\bprocess\.(env|exit|hrtime|argv|on)\b/, 'process'],
];

function listTs(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = sourceFolders.flatMap((folder) => listTs(join(root, folder)));

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function importsOf(file: string): string[] {
  const text = stripComments(readFileSync(file, 'utf8'));
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) specs.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) specs.push(m[1] as string);
  return specs;
}

function resolveImport(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
}

function topFolder(path: string): string {
  return relative(root, path).split(sep)[0] as string;
}

describe('tidy: architecture rules of STYLE.md', () => {
  it('imports flow only in the allowed directions between folders', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = topFolder(file);
      for (const spec of importsOf(file)) {
        const target = resolveImport(file, spec);
        if (target === null) continue;
        const to = topFolder(target);
        if (to !== from && !(allowed[from] ?? []).includes(to)) {
          violations.push(`${relative(root, file)} imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('cli, bench and examples use only the public index.ts of other folders', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = topFolder(file);
      if (!['cli', 'bench', 'examples'].includes(from)) continue;
      for (const spec of importsOf(file)) {
        const target = resolveImport(file, spec);
        if (target === null || topFolder(target) === from) continue;
        const rel = relative(join(root, topFolder(target)), target);
        if (rel !== 'index.ts') violations.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('pure folders use no clock, randomness, timers, files, sockets or process', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(root, file);
      if (!pureFolders.some((folder) => rel === folder || rel.startsWith(`${folder}/`))) continue;
      const text = stripComments(readFileSync(file, 'utf8'));
      for (const [pattern, what] of bannedInPure) {
        if (pattern.test(text)) violations.push(`${rel}: ${what}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      graph.set(
        file,
        importsOf(file)
          .map((spec) => resolveImport(file, spec))
          .filter((target): target is string => target !== null),
      );
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, stack: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(node)), node].map((p) => relative(root, p)).join(' -> '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...stack, node]);
      state.set(node, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('has no console output outside cli/ and no focused tests', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(root, file);
      if (rel.startsWith('cli/') || rel.startsWith('bench/') || rel.startsWith('examples/')) continue;
      if (/\bconsole\.(log|error|warn|info|debug)\s*\(/.test(stripComments(readFileSync(file, 'utf8')))) {
        violations.push(rel);
      }
    }
    for (const file of listTs(join(root, 'test'))) {
      if (/\b(it|describe|test)\.only\s*\(/.test(readFileSync(file, 'utf8'))) violations.push(relative(root, file));
    }
    expect(violations).toEqual([]);
  });
});
