// push/pull/export/import run as a user would against a real Corral server: the diff comes
// first, --dry-run changes nothing, deletes happen only with --prune, pull writes the tree back
// as files, export/import round-trips text and binary data, and push --watch follows edits.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZkClient } from '../../client/index.js';
import { corralBin } from '../helpers/corral.js';
import { reapAll, startCorral, tempDir, until, waitForExit, type ServerHandle, type TempDir } from '../helpers/index.js';
import { type CliEnv, runCli, runJson, startCli, stopAll } from './cli-process.js';

let server: ServerHandle;
let dir: TempDir;
let cli: CliEnv;

beforeAll(async () => {
  if (!existsSync(corralBin)) throw new Error(`${corralBin} is missing; run \`npm run build\` first`);
  server = await startCorral();
});

beforeEach(async () => {
  dir = await tempDir('corral-cli-push-');
  cli = { cwd: dir.path, env: { ZOOKEEPER_CONNECT: server.connectString, HOME: dir.path } };
});

afterEach(async () => {
  await stopAll();
  await dir.cleanup();
});

afterAll(async () => {
  await server.dispose();
  await reapAll();
});

/** Writes files (relative path -> content) under `root`, creating folders as needed. */
async function writeTree(root: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  }
}

interface Round {
  dryRun: boolean;
  changes: { op: string; path: string }[];
  transactions: number;
}

describe('corral push', () => {
  it('--dry-run prints the diff and changes nothing', async () => {
    const local = join(dir.path, 'conf');
    await writeTree(local, { 'app.conf': 'port=80\n', 'db/main.conf': 'host=db\n' });
    const result = await runCli(cli, ['push', local, '/dry/app', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      ['+ /dry (0 B)', '+ /dry/app (0 B)', '+ /dry/app/app.conf (8 B)', '+ /dry/app/db (0 B)', '+ /dry/app/db/main.conf (8 B)', '5 to create, 0 to update, 0 to delete (dry run, nothing changed)', ''].join('\n'),
    );
    expect((await runCli(cli, ['stat', '/dry'])).code).toBe(1);
  });

  it('creates the subtree, then reports it up to date, then pushes only what changed', async () => {
    const local = join(dir.path, 'conf');
    await writeTree(local, { 'a.conf': 'one', 'sub/b.conf': 'two', '.hidden': 'skipped' });
    const first = (await runJson(cli, ['push', local, '/pushed'])) as Round;
    expect(first.changes.map((c) => `${c.op} ${c.path}`)).toEqual(['create /pushed', 'create /pushed/a.conf', 'create /pushed/sub', 'create /pushed/sub/b.conf']);
    expect(first.transactions).toBe(1);
    expect((await runCli(cli, ['get', '/pushed/sub/b.conf'])).stdout).toBe('two');
    expect((await runCli(cli, ['push', local, '/pushed'])).stdout).toBe('/pushed is up to date\n');
    await writeFile(join(local, 'a.conf'), 'ONE!');
    const second = (await runJson(cli, ['push', local, '/pushed'])) as Round;
    expect(second.changes).toEqual([{ op: 'set', path: '/pushed/a.conf', sizeBytes: 4 }]);
    expect((await runCli(cli, ['get', '/pushed/a.conf'])).stdout).toBe('ONE!');
  });

  it('deletes znodes whose files are gone only with --prune', async () => {
    const local = join(dir.path, 'conf');
    await writeTree(local, { 'keep.conf': 'k', 'old/gone.conf': 'g' });
    await runCli(cli, ['push', local, '/pruned']);
    await runCli(cli, ['create', '/pruned/extra', 'made by hand']);
    await rm(join(local, 'old'), { recursive: true });
    const withoutPrune = (await runJson(cli, ['push', local, '/pruned'])) as Round;
    expect(withoutPrune.changes).toEqual([]);
    expect((await runCli(cli, ['ls', '/pruned'])).stdout).toBe('extra\nkeep.conf\nold\n');
    const pruned = await runCli(cli, ['push', local, '/pruned', '--prune']);
    // Deepest first, so that a parent goes only after its children.
    expect(pruned.stdout).toContain('- /pruned/old/gone.conf\n- /pruned/old\n- /pruned/extra\n');
    expect((await runCli(cli, ['ls', '/pruned'])).stdout).toBe('keep.conf\n');
  });

  it('splits large pushes into transactions of at most --batch-ops ops', async () => {
    const local = join(dir.path, 'many');
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`f${String(i).padStart(2, '0')}`] = `v${i}`;
    await writeTree(local, files);
    const round = (await runJson(cli, ['push', local, '/batched', '--batch-ops', '10'])) as Round;
    expect(round.changes).toHaveLength(26);
    expect(round.transactions).toBe(3);
    expect((await runCli(cli, ['ls', '/batched'])).stdout.trim().split('\n')).toHaveLength(25);
  });

  it('prints the diff before applying; when a later transaction fails it says how many were applied', async () => {
    // An ephemeral znode cannot have children, so the second one-op transaction fails
    // (NoChildrenForEphemerals) after the first was committed.
    const holder = new ZkClient(server.connectString);
    try {
      await holder.connect({ timeoutMs: 10_000 });
      await holder.create('/partial');
      await holder.create('/partial/e', null, { mode: 'ephemeral' });
      const local = join(dir.path, 'conf');
      await writeTree(local, { 'a.conf': 'one', 'e/child': 'x' });
      const result = await runCli(cli, ['push', local, '/partial', '--batch-ops', '1']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('+ /partial/a.conf (3 B)\n+ /partial/e/child (1 B)\n');
      expect(result.stderr).toContain('transaction 2 of 2 failed; 1 transaction(s) (1 of 2 changes) were applied before it and stay applied\n');
      expect(result.stderr).toContain('Ephemeral nodes cannot have children: /partial/e/child');
      expect((await runCli(cli, ['get', '/partial/a.conf'])).stdout).toBe('one');
      // A successful push prints the diff, then only the summary line.
      await holder.delete('/partial/e');
      expect((await runCli(cli, ['push', local, '/partial'])).stdout).toBe(
        '+ /partial/e (0 B)\n+ /partial/e/child (1 B)\n2 to create, 0 to update, 0 to delete (applied in 1 transaction(s))\n',
      );
    } finally {
      await holder.close();
    }
  });

  it('a missing folder is a usage error (exit 2)', async () => {
    const result = await runCli(cli, ['push', join(dir.path, 'nope'), '/x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a folder');
  });

  it('--watch pushes again when a file changes, and exits 130 on SIGINT', async () => {
    const local = join(dir.path, 'watched');
    await writeTree(local, { 'live.conf': 'v1' });
    const proc = startCli(cli, ['push', local, '/watched', '--watch']);
    await until(() => proc.stderr().includes('watching') || proc.hasExited(), { timeoutMs: 30_000, what: 'push --watch ready' });
    expect(proc.stdout()).toContain('+ /watched/live.conf');
    await writeFile(join(local, 'live.conf'), 'v2');
    await until(() => proc.stdout().includes('~ /watched/live.conf'), { timeoutMs: 30_000, what: 'the second push' });
    expect((await runCli(cli, ['get', '/watched/live.conf'])).stdout).toBe('v2');
    proc.child.kill('SIGINT');
    expect(await waitForExit(proc, 20_000)).toBe(true);
    expect(await proc.exited).toBe(130);
  });
});

describe('corral pull', () => {
  it('writes leaves as files and parents (and null-data nodes) as folders, and is idempotent', async () => {
    await runCli(cli, ['create', '-p', '/pulled/etc/app.conf', 'x=1']);
    await runCli(cli, ['create', '/pulled/empty']);
    await runCli(cli, ['create', '/pulled/blank', '']);
    const target = join(dir.path, 'out');
    const result = await runCli(cli, ['pull', '/pulled', target]);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(target, 'etc', 'app.conf'), 'utf8')).toBe('x=1');
    expect(await readFile(join(target, 'blank'), 'utf8')).toBe('');
    expect((await readdir(join(target, 'empty'))).length).toBe(0);
    expect((await runCli(cli, ['pull', '/pulled', target])).stdout).toBe(`${target} is up to date\n`);
  });

  it('--prune removes local files that have no znode; dotfiles stay', async () => {
    await runCli(cli, ['create', '-p', '/pull-prune/a', 'a']);
    const target = join(dir.path, 'out');
    await writeTree(target, { stale: 's', '.keep': 'k' });
    const json = (await runJson(cli, ['pull', '/pull-prune', target, '--prune'])) as { changes: { op: string }[] };
    expect(json.changes.map((c) => c.op)).toEqual(['write', 'remove']);
    expect((await readdir(target)).sort()).toEqual(['.keep', 'a']);
  });

  it('push then pull gives back the same files', async () => {
    const local = join(dir.path, 'src');
    await writeTree(local, { 'x.conf': 'x', 'd/y.bin': new Uint8Array([0, 255, 1]), 'd/e/z': '' });
    await runCli(cli, ['push', local, '/round']);
    const back = join(dir.path, 'back');
    await runCli(cli, ['pull', '/round', back]);
    expect(await readFile(join(back, 'x.conf'), 'utf8')).toBe('x');
    expect([...(await readFile(join(back, 'd', 'y.bin')))]).toEqual([0, 255, 1]);
    expect(await readFile(join(back, 'd', 'e', 'z'), 'utf8')).toBe('');
  });

  it('pull of a missing prefix exits 1 with "Node does not exist"', async () => {
    const result = await runCli(cli, ['pull', '/no-such-prefix', join(dir.path, 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Node does not exist: /no-such-prefix');
  });
});

describe('corral export and import', () => {
  it('round-trips a subtree with text, binary (base64 marker) and null data into another prefix', async () => {
    await runCli(cli, ['create', '-p', '/exp/text', 'héllo']);
    const binary = join(dir.path, 'bin');
    await writeFile(binary, new Uint8Array([0xff, 0xfe, 0x00]));
    await runCli(cli, ['create', '/exp/binary', '--file', binary]);
    await runCli(cli, ['create', '/exp/none']);
    const file = join(dir.path, 'exp.json');
    expect((await runCli(cli, ['export', '/exp', file])).stdout).toBe(`exported 4 znode(s) under /exp to ${file}\n`);
    const document = JSON.parse(await readFile(file, 'utf8')) as { prefix: string; nodes: { path: string; data: string | null; encoding?: string }[] };
    expect(document.prefix).toBe('/exp');
    expect(document.nodes).toEqual([
      { path: '', data: null },
      { path: '/binary', data: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), encoding: 'base64' },
      { path: '/none', data: null },
      { path: '/text', data: 'héllo' },
    ]);
    const imported = (await runJson(cli, ['import', file, '/copy/of/exp'])) as Round;
    expect(imported.changes.filter((c) => c.op === 'create')).toHaveLength(6);
    const copy = await runCli(cli, ['export', '/copy/of/exp']);
    expect((JSON.parse(copy.stdout) as { nodes: unknown }).nodes).toEqual(document.nodes);
    expect((await runCli(cli, ['import', file, '/copy/of/exp'])).stdout).toBe('/copy/of/exp is up to date\n');
  });

  it('import --dry-run changes nothing; a malformed document is a usage error (exit 2)', async () => {
    const file = join(dir.path, 'doc.json');
    await writeFile(file, JSON.stringify({ format: 'corral-export', version: 1, prefix: '/imp', nodes: [{ path: '/a', data: 'A' }] }));
    const dry = await runCli(cli, ['import', file, '--dry-run']);
    expect(dry.stdout).toContain('+ /imp/a (1 B)');
    expect((await runCli(cli, ['stat', '/imp'])).code).toBe(1);
    await writeFile(file, JSON.stringify({ nodes: [] }));
    const bad = await runCli(cli, ['import', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a corral export');
  });
});

describe('local file errors', () => {
  it('a missing or unreadable input file is a usage error (exit 2) naming the path as given', async () => {
    const missing = await runCli(cli, ['import', 'nofile.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: cannot read nofile.json: no such file or folder (ENOENT)\n');
    const folder = await runCli(cli, ['import', dir.path]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`error: cannot read ${dir.path}: it is a folder, not a file (EISDIR)\n`);
    const json = await runCli(cli, ['import', 'nofile.json', '--json']);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { error: unknown }).error).toMatchObject({ name: 'LocalFileError', exitCode: 2 });
  });

  it('export into a missing folder exits 2 naming the file asked for, not a temp file', async () => {
    await runCli(cli, ['create', '/lf', 'x']);
    const target = join(dir.path, 'no', 'dir', 'x.json');
    const result = await runCli(cli, ['export', '/lf', target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: cannot write ${target}: its folder does not exist (ENOENT)\n`);
    expect(result.stderr).not.toContain('.tmp');
  });
});
