// The built CLI run as a process (`npm run build` first): help, usage errors, invalid config,
// and the server's listening line and orderly stop.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { corralBin, repoRoot } from '../helpers/corral.js';
import { fourLetterWord } from '../helpers/four-letter-word.js';
import { reapAll, spawnTracked, stopProcess, waitForExit, type TrackedProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';

/** Runs the CLI to completion (bounded) and returns its exit code and output. */
async function runCli(
  args: readonly string[],
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const proc = spawnTracked(process.execPath, [corralBin, ...args], { cwd: repoRoot, env: { ...process.env, CORRAL_LOG: 'warn', ...env } });
  const isDone = await waitForExit(proc, timeoutMs);
  if (!isDone) await stopProcess(proc, 1_000);
  return { code: await proc.exited, stdout: proc.stdout(), stderr: proc.stderr() };
}

beforeAll(() => {
  if (!existsSync(corralBin)) throw new Error(`${corralBin} is missing; run \`npm run build\` first`);
});

afterEach(async () => {
  await reapAll();
});

describe('corral CLI', () => {
  it('--help lists the server command and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/USAGE\s+\$ corral \[COMMAND\]/);
    expect(result.stdout).toMatch(/^\s+server\s+Run a Corral server from a zoo\.cfg file\./m);
  });

  it('server --help documents --config and the global flags', async () => {
    const result = await runCli(['server', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--config', '--json', '--log-level', '--log-format']) expect(result.stdout).toContain(flag);
  });

  it('server without --config is a usage error (exit 2)', async () => {
    const result = await runCli(['server']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Missing required flag config');
  });

  it('server with tickTime=abc exits 4 naming the file, the key and the reason on stderr', async () => {
    const dir = await tempDir('corral-cli-');
    const configPath = join(dir.path, 'zoo.cfg');
    await writeFile(configPath, `tickTime=abc\ndataDir=${join(dir.path, 'data')}\nclientPort=0\n`);
    const result = await runCli(['server', '--config', configPath]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^zoo\.cfg: tickTime: .*abc/m);
    expect(result.stdout).toBe('');
  });

  it('server with -Djute.maxbuffer=4m in SERVER_JVMFLAGS exits 4 naming the key and the value', async () => {
    const dir = await tempDir('corral-cli-');
    const configPath = join(dir.path, 'zoo.cfg');
    await writeFile(configPath, `dataDir=${join(dir.path, 'data')}\nclientPort=0\n`);
    const result = await runCli(['server', '--config', configPath], 30_000, { SERVER_JVMFLAGS: '-Xmx1g -Djute.maxbuffer=4m' });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/jute\.maxbuffer: expected a positive integer, got "4m"/);
    expect(result.stdout).toBe('');
  });

  it('server prints the listening line first, answers ruok there, and exits 0 on SIGTERM', async () => {
    const dir = await tempDir('corral-cli-');
    const configPath = join(dir.path, 'zoo.cfg');
    const cfg = `tickTime=2000\ndataDir=${join(dir.path, 'data')}\nclientPort=0\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=ruok\n`;
    await writeFile(configPath, cfg);
    const proc: TrackedProcess = spawnTracked(process.execPath, [corralBin, 'server', '--config', configPath], { cwd: repoRoot, env: process.env });
    const firstLine = await until(() => (proc.hasExited() ? 'exited' : /^(.*)\n/.exec(proc.stdout())?.[1]), { timeoutMs: 30_000, what: 'first stdout line' });
    expect(firstLine, proc.stderr()).toMatch(/^corral server listening on 127\.0\.0\.1:\d+$/);
    const port = Number(/:(\d+)$/.exec(firstLine)?.[1]);
    expect(await fourLetterWord('127.0.0.1', port, 'ruok')).toBe('imok');
    proc.child.kill('SIGTERM');
    expect(await waitForExit(proc, 20_000)).toBe(true);
    expect(await proc.exited).toBe(0);
  });
});
