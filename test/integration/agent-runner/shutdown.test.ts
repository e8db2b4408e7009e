/**
 * How the agent ends, against a standalone Corral: it exits on SIGTERM (stopping its app) even
 * after the process that started it died and closed its stdout/stderr pipes (EPIPE on every
 * later log line, in both log formats), and an env change restarts the app only after the splay.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManagedClient, ZkClient } from '../../../client/index.js';
import { AppRunner, ZkDataSource } from '../../../agent/runner/index.js';
import { ManualScheduler } from '../../../agent/render/index.js';
import { loadAgentConfig } from '../../../agent/config/index.js';
import {
  corralBin,
  reapAll,
  type ServerHandle,
  spawnTracked,
  startCorral,
  tempDir,
  type TempDir,
  until,
} from '../../helpers/index.js';
import { Rng } from '../../../util/index.js';
import { pino } from 'pino';

/** Starts an agent with piped stdio from a parent that SIGKILLs itself; prints the agent's pid first. */
const parentScript = `
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
const [bin, config, server, format] = process.argv.slice(1);
const agent = spawn(process.execPath, [bin, 'agent', '--config', config, '--server', server, '--log-format', format],
  { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORRAL_LOG: 'info' } });
let err = '';
agent.stdout.resume();
agent.stderr.on('data', (d) => {
  err += d;
  if (/child started/.test(err)) { writeSync(1, agent.pid + '\\n'); process.kill(process.pid, 'SIGKILL'); }
});
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone.
    return false;
  }
}

/** A Rng whose splay is always the longest, so the test knows the restart waits on a timer. */
class LongestSplay extends Rng {
  override int(_min: number, max: number): number {
    return max;
  }
}

describe('agent shutdown and restarts', () => {
  let server: ServerHandle;
  let dir: TempDir;
  const pids: number[] = [];

  beforeAll(async () => {
    server = await startCorral();
  });
  afterAll(async () => {
    await server?.dispose();
    await reapAll();
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
    await dir?.cleanup();
  });

  it.each(['json', 'pretty'])('exits on SIGTERM and stops its app after its parent died and closed its pipes (%s logs)', async (format) => {
    dir = await tempDir('corral-agent-epipe-');
    const pidFile = join(dir.path, 'app.pid');
    const config = join(dir.path, 'agent.yaml');
    const app = `echo $$ > ${pidFile}; trap 'exit 0' TERM; while true; do sleep 0.1; done`;
    await writeFile(config, `sessionTimeoutMs: 4000\nexec:\n  command: ["/bin/sh", "-c", "${app}"]\n  killTimeoutMs: 3000\n`);
    const parent = spawnTracked(process.execPath, ['--input-type=module', '-e', parentScript, corralBin, config, server.connectString, format], { cwd: dir.path });
    await parent.exited;
    const agentPid = Number(parent.stdout().trim());
    expect(agentPid).toBeGreaterThan(0);
    pids.push(agentPid);
    const appPid = Number(await until(async () => (await import('node:fs/promises')).readFile(pidFile, 'utf8').then((t) => t.trim()), { timeoutMs: 10_000, what: 'the app pid' }));
    pids.push(appPid);
    expect(isAlive(agentPid)).toBe(true);

    process.kill(agentPid, 'SIGTERM');
    await until(() => !isAlive(agentPid), { timeoutMs: 15_000, what: 'the agent to exit' });
    await until(() => !isAlive(appPid), { timeoutMs: 15_000, what: 'the app to stop' });
  });

  it('restarts the app after an env change only once the splay has passed', async () => {
    dir = await tempDir('corral-agent-splay-');
    const admin = new ZkClient(server.connectString);
    await admin.connect({ timeoutMs: 15_000 });
    await admin.create('/splay-env');
    await admin.create('/splay-env/greeting', 'hello');
    const configFile = join(dir.path, 'agent.yaml');
    await writeFile(configFile, 'exec:\n  command: ["/bin/sh", "-c", "trap \'exit 0\' TERM; while true; do sleep 0.1; done"]\n  splayMs: 60000\n  killTimeoutMs: 5000\n  env: { prefix: /splay-env }\n');
    const exec = (await loadAgentConfig({ file: configFile })).exec;
    if (exec === undefined) throw new Error('no exec section');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(chunk.toString()); done(); } }));
    const managed = new ManagedClient(() => new ZkClient(server.connectString), { log: logger });
    await managed.start();
    const source = new ZkDataSource(managed, logger);
    const scheduler = new ManualScheduler();
    const app = new AppRunner({ exec, baseEnv: {}, source, scheduler, rng: new LongestSplay(1), logger, onExit: () => undefined });
    try {
      app.start();
      const firstPid = await until(() => app.status().pid, { timeoutMs: 10_000, what: 'the app' });
      await admin.setData('/splay-env/greeting', 'bonjour');
      await until(() => lines.some((l) => l.includes('app environment changed')), { timeoutMs: 10_000, what: 'the env change' });
      // The restart waits on the splay timer: the first child still runs.
      expect(scheduler.pendingTimers).toBeGreaterThan(0);
      expect(app.status().pid).toBe(firstPid);
      scheduler.advance(60_000);
      const secondPid = await until(() => {
        const pid = app.status().pid;
        return pid !== null && pid !== firstPid ? pid : null;
      }, { timeoutMs: 15_000, what: 'the restarted app' });
      expect(isAlive(firstPid)).toBe(false);
      expect(secondPid).not.toBe(firstPid);
    } finally {
      await app.stop();
      await source.close();
      await managed.close();
      await admin.close();
    }
  });
});
