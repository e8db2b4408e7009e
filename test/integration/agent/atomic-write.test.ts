import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWrite } from '../../../agent/render/index.js';
import { type TempDir, tempDir } from '../../helpers/index.js';

let dir: TempDir;

beforeEach(async () => {
  dir = await tempDir('corral-atomic-');
});

afterEach(async () => {
  await dir.cleanup();
});

describe('atomicWrite', () => {
  it('creates a new file with the given mode and leaves no temp file', async () => {
    const path = join(dir.path, 'app.conf');
    const result = await atomicWrite({ path, content: 'a=1\n', mode: 0o640 });
    expect(result).toEqual({ kind: 'written', backupPath: null });
    expect(await readFile(path, 'utf8')).toBe('a=1\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir.path)).toEqual(['app.conf']);
  });

  it('replaces the file with a new inode (rename, never in place) and keeps its mode', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'old\n', { mode: 0o600 });
    const before = await stat(path);
    await atomicWrite({ path, content: 'new\n' });
    const after = await stat(path);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });

  it('sets the owner it is given (uid and gid 1), on a new file and on a replaced one', async () => {
    if (process.getuid?.() !== 0) return; // chown to another user needs root; the tests run as root
    const path = join(dir.path, 'owned.conf');
    expect(await atomicWrite({ path, content: 'a\n', owner: { uid: 1, gid: 1 } })).toEqual({ kind: 'written', backupPath: null });
    expect(await stat(path)).toMatchObject({ uid: 1, gid: 1 });
    // Half an owner keeps the other half of the live file's.
    await atomicWrite({ path, content: 'b\n', owner: { gid: 0 } });
    expect(await stat(path)).toMatchObject({ uid: 1, gid: 0 });
    await atomicWrite({ path, content: 'c\n', owner: { uid: 0 } });
    expect(await stat(path)).toMatchObject({ uid: 0, gid: 0 });
  });

  it('applies a new mode or owner in place when the content is the same', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'same\n', { mode: 0o644 });
    const before = await stat(path);
    expect(await atomicWrite({ path, content: 'same\n', mode: 0o600 })).toEqual({ kind: 'unchanged' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(path)).ino).toBe(before.ino);
    if (process.getuid?.() !== 0) return; // chown to another user needs root; the tests run as root
    expect(await atomicWrite({ path, content: 'same\n', owner: { uid: 1, gid: 1 } })).toEqual({ kind: 'unchanged' });
    expect(await stat(path)).toMatchObject({ uid: 1, gid: 1 });
  });

  it('skips unchanged content without touching the file', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'same\n');
    const before = await stat(path);
    expect(await atomicWrite({ path, content: 'same\n' })).toEqual({ kind: 'unchanged' });
    expect((await stat(path)).ino).toBe(before.ino);
  });

  it('keeps the previous version as .bak when asked', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'v1\n');
    const result = await atomicWrite({ path, content: 'v2\n', backup: true });
    expect(result).toEqual({ kind: 'written', backupPath: `${path}.bak` });
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('v1\n');
    await atomicWrite({ path, content: 'v3\n', backup: true });
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('v2\n');
  });

  it('refuses to empty a file that had content unless allowEmpty', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'content\n');
    expect(await atomicWrite({ path, content: '' })).toEqual({ kind: 'refusedEmpty' });
    expect(await readFile(path, 'utf8')).toBe('content\n');
    expect((await atomicWrite({ path, content: '', allowEmpty: true })).kind).toBe('written');
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('check-before-swap: a failing check keeps the live file and reports the failure', async () => {
    const path = join(dir.path, 'app.conf');
    await writeFile(path, 'good\n');
    const check = { argv: ['/bin/sh', '-c', 'grep -q good {{file}} || { echo "bad config in {{file}}" >&2; exit 3; }'], timeoutMs: 10_000 };
    const result = await atomicWrite({ path, content: 'broken\n', check });
    expect(result.kind).toBe('checkFailed');
    if (result.kind !== 'checkFailed') return;
    expect(result.result.exitCode).toBe(3);
    expect(result.result.output).toContain('bad config in');
    expect(await readFile(path, 'utf8')).toBe('good\n');
    expect(await readdir(dir.path)).toEqual(['app.conf']);
    expect((await atomicWrite({ path, content: 'good v2\n', check })).kind).toBe('written');
    expect(await readFile(path, 'utf8')).toBe('good v2\n');
  });

  it('check-before-swap runs the check on the new content (argv form, path with a space)', async () => {
    const sub = join(dir.path, 'with space');
    await mkdir(sub);
    const path = join(sub, 'x.json');
    const check = { argv: [process.execPath, '-e', 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))', '{{file}}'], timeoutMs: 10_000 };
    expect((await atomicWrite({ path, content: '{"ok":true}', check })).kind).toBe('written');
    expect((await atomicWrite({ path, content: '{not json', check })).kind).toBe('checkFailed');
    expect(await readFile(path, 'utf8')).toBe('{"ok":true}');
  });
});
