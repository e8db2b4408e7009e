// `corral watch` (streaming events until Ctrl-C, exit 130) and `corral shell` driven through
// stdin, run as processes against a real Corral server; plus the shell's path completion and
// history file, exercised directly against the same server.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZkClient } from '../../client/index.js';
import { complete } from '../../cli/shell/completer.js';
import { appendHistory, loadHistory, maxHistoryLines } from '../../cli/shell/history.js';
import { shellCommandNames } from '../../cli/shell/shell-commands.js';
import { tokenize } from '../../cli/shell/tokenize.js';
import { corralBin } from '../helpers/corral.js';
import { reapAll, startCorral, tempDir, until, waitForExit, type ServerHandle, type TempDir } from '../helpers/index.js';
import { type CliEnv, runCli, startCli, stopAll } from './cli-process.js';

let server: ServerHandle;
let dir: TempDir;
let cli: CliEnv;

beforeAll(async () => {
  if (!existsSync(corralBin)) throw new Error(`${corralBin} is missing; run \`npm run build\` first`);
  server = await startCorral();
});

beforeEach(async () => {
  dir = await tempDir('corral-cli-shell-');
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

describe('corral watch', () => {
  it('prints one line per change under the path and exits 130 on SIGINT', async () => {
    await runCli(cli, ['create', '/watched']);
    const proc = startCli(cli, ['watch', '/watched']);
    await until(() => proc.stderr().includes('watching /watched') || proc.hasExited(), { timeoutMs: 30_000, what: 'watch ready' });
    await runCli(cli, ['create', '/watched/child', 'x']);
    await until(() => proc.stdout().includes('NodeCreated /watched/child\n'), { timeoutMs: 30_000, what: 'the create event' });
    await runCli(cli, ['set', '/watched/child', 'y']);
    await until(() => proc.stdout().includes('NodeDataChanged /watched/child\n'), { timeoutMs: 30_000, what: 'the data event' });
    proc.child.kill('SIGINT');
    expect(await waitForExit(proc, 20_000)).toBe(true);
    expect(await proc.exited).toBe(130);
    expect(proc.stderr()).not.toMatch(/error/i);
  });

  it('--json prints one JSON object per event', async () => {
    const proc = startCli(cli, ['watch', '/not-yet', '--json']);
    await until(() => proc.stderr().includes('watching /not-yet') || proc.hasExited(), { timeoutMs: 30_000, what: 'watch ready' });
    await runCli(cli, ['create', '/not-yet']);
    const line = await until(() => proc.stdout().split('\n')[0], { timeoutMs: 30_000, what: 'the first event line' });
    expect(JSON.parse(line)).toEqual({ type: 'NodeCreated', path: '/not-yet' });
    proc.child.kill('SIGINT');
    expect(await waitForExit(proc, 20_000)).toBe(true);
    expect(await proc.exited).toBe(130);
  });
});

describe('corral shell (stdin not a terminal)', () => {
  it('runs zkCli-like commands line by line, printing no prompt', async () => {
    const script = ['create /shp', 'create /shp/sh "hello world"', 'get /shp/sh', 'set /shp/sh again', 'get /shp/sh', 'ls /shp/sh', 'create /shp/sh/kid', 'ls /shp', 'deleteall /shp/sh', 'ls /shp', 'quit'].join('\n');
    const result = await runCli(cli, ['shell'], { stdin: `${script}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(['Created /shp', 'Created /shp/sh', 'hello world', 'again', '[]', 'Created /shp/sh/kid', '[sh]', '[]', ''].join('\n'));
  });

  it('reports errors zkCli-style, keeps going, and exits with the status of the last command', async () => {
    const failedLast = await runCli(cli, ['shell'], { stdin: 'get /missing\nbogus\ncreate /ok\nget /missing\n' });
    expect(failedLast.code).toBe(1);
    expect(failedLast.stdout).toBe('Created /ok\n');
    expect(failedLast.stderr).toContain('Node does not exist: /missing');
    expect(failedLast.stderr).toContain('unknown command "bogus"');
    const usageLast = await runCli(cli, ['shell'], { stdin: 'set /ok\n' });
    expect(usageLast.code).toBe(2);
    expect(usageLast.stderr).toContain('usage: set [-s] [-v version] path data');
    const okLast = await runCli(cli, ['shell'], { stdin: 'get /missing\nstat /ok\n' });
    expect(okLast.code).toBe(0);
    expect(okLast.stdout).toMatch(/^numChildren = 0$/m);
  });

  it('--json prints one JSON object per command line (JSON lines) and nothing else on stdout', async () => {
    const result = await runCli(cli, ['shell', '--json'], { stdin: 'create /shj hi\n\nget /shj\nget /shj-missing\nbogus\nquit\n' });
    // The exit status is still the last command's (bogus: a usage error).
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([
      { command: 'create /shj hi', status: 0, output: 'Created /shj', error: null },
      { command: 'get /shj', status: 0, output: 'hi', error: null },
      { command: 'get /shj-missing', status: 1, output: null, error: 'Node does not exist: /shj-missing' },
      { command: 'bogus', status: 2, output: null, error: 'unknown command "bogus"; type help for the list' },
    ]);
    expect(result.stderr).toBe('');
  });

  it('help lists the commands', async () => {
    const result = await runCli(cli, ['shell'], { stdin: 'help\n' });
    for (const usage of ['ls [-s] [-R] path', 'get [-s] path', 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]', 'deleteall path', 'quit']) {
      expect(result.stdout).toContain(usage);
    }
  });
});

describe('shell completion and history', () => {
  it('completes command names, and child paths from the server', async () => {
    await runCli(cli, ['create', '-p', '/comp/alpha']);
    await runCli(cli, ['create', '/comp/alps']);
    await runCli(cli, ['create', '/comp/beta']);
    const client = new ZkClient(server.connectString);
    try {
      await client.connect({ timeoutMs: 20_000 });
      const list = (path: string): Promise<string[]> => client.getChildren(path);
      expect(await complete('del', shellCommandNames, list)).toEqual([['delete ', 'deleteall '], 'del']);
      expect(await complete('ls /comp/al', shellCommandNames, list)).toEqual([['/comp/alpha', '/comp/alps'], '/comp/al']);
      expect(await complete('get /co', shellCommandNames, list)).toEqual([['/comp'], '/co']);
      expect(await complete('get /no-such/x', shellCommandNames, list)).toEqual([[], '/no-such/x']);
    } finally {
      await client.close();
    }
  });

  it('history keeps lines in order and trims to its bound', async () => {
    const path = join(dir.path, '.corral_history');
    expect(await loadHistory(path)).toEqual([]);
    await appendHistory(path, 'ls /');
    await appendHistory(path, 'get /a');
    expect(await loadHistory(path)).toEqual(['ls /', 'get /a']);
    for (let i = 0; i <= 2 * maxHistoryLines; i++) await appendHistory(path, `cmd ${i}`);
    const lines = await loadHistory(path);
    expect(lines).toHaveLength(maxHistoryLines);
    expect(lines.at(-1)).toBe(`cmd ${2 * maxHistoryLines}`);
    expect((await readFile(path, 'utf8')).split('\n').length).toBeLessThanOrEqual(2 * maxHistoryLines + 1);
  });

  it('tokenize keeps quoted words whole', () => {
    expect(tokenize(`create /a "two words" 'it''s'`)).toEqual(['create', '/a', 'two words', 'its']);
    expect(tokenize('set /a \\"x\\"')).toEqual(['set', '/a', '"x"']);
    expect(() => tokenize('set /a "open')).toThrow(/unterminated/);
  });
});
