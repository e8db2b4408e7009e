import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualScheduler, type Scheduler, systemScheduler } from '../../../agent/render/index.js';
import { Supervisor, type SupervisorEvent, type SupervisorOptions } from '../../../agent/supervise/index.js';
import { Rng } from '../../../util/index.js';
import { type TempDir, tempDir, until } from '../../helpers/index.js';

const live: Supervisor[] = [];
const dirs: TempDir[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((s) => s.destroy()));
  await Promise.all(dirs.splice(0).map((d) => d.cleanup()));
});

interface Harness {
  readonly supervisor: Supervisor;
  readonly events: SupervisorEvent[];
  readonly output: () => string;
}

/** A supervised `node -e script`, its output captured and its events recorded. */
function supervise(script: string, options: Partial<SupervisorOptions> & { scheduler?: Scheduler } = {}): Harness {
  const stdout = new PassThrough();
  let output = '';
  stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  const supervisor = new Supervisor({
    argv: [process.execPath, '-e', script],
    env: { PATH: process.env.PATH ?? '' },
    reloadSignal: null,
    killSignal: 'SIGTERM',
    killTimeoutMs: 10_000,
    splayMs: 0,
    restartPolicy: 'on-failure',
    backoff: { minMs: 100, maxMs: 400, resetAfterMs: 10_000 },
    rng: new Rng(7),
    scheduler: systemScheduler,
    stdout,
    ...options,
  });
  const events: SupervisorEvent[] = [];
  supervisor.on((e) => events.push(e));
  live.push(supervisor);
  supervisor.start();
  return { supervisor, events, output: () => output };
}

/** A child that prints `ready <pid> <ENV_VAR>` and logs the signals it receives. */
const signalLogger = `
for (const s of ['SIGHUP', 'SIGUSR1', 'SIGUSR2']) process.on(s, () => console.log('got ' + s));
console.log('ready ' + process.pid + ' ' + (process.env.APP_VERSION ?? '-'));
setInterval(() => {}, 1000);
`;

const wait = { timeoutMs: 15_000 };

describe('Supervisor', () => {
  it('passes the exit code through when the child exits on its own', async () => {
    const h = supervise('console.log("bye"); process.exit(7)', { restartPolicy: 'never' });
    expect(await h.supervisor.done).toBe(7);
    expect(h.events.map((e) => e.type)).toEqual(['starting', 'running', 'exited', 'stopped']);
    expect(h.events.at(-1)).toEqual({ type: 'stopped', exitCode: 7 });
    expect(h.output()).toBe('bye\n');
  });

  it('a clean exit with restart on-failure stops the supervisor with 0', async () => {
    const h = supervise('process.exit(0)');
    expect(await h.supervisor.done).toBe(0);
  });

  it('forwards signals to the child', async () => {
    const h = supervise(signalLogger);
    await until(() => h.output().includes('ready'), wait);
    h.supervisor.signal('SIGUSR1');
    await until(() => h.output().includes('got SIGUSR1'), wait);
    h.supervisor.signal('SIGUSR2');
    await until(() => h.output().includes('got SIGUSR2'), wait);
  });

  it('reload sends the reload signal to the same child', async () => {
    const h = supervise(signalLogger, { reloadSignal: 'SIGHUP' });
    await until(() => h.output().includes('ready'), wait);
    const pid = h.supervisor.pid;
    await h.supervisor.reload();
    await until(() => h.output().includes('got SIGHUP'), wait);
    expect(h.supervisor.pid).toBe(pid);
  });

  it('reload without a signal restarts the child with the replaced env', async () => {
    const h = supervise(signalLogger, { env: { APP_VERSION: 'v1' } });
    await until(() => h.output().includes('ready'), wait);
    const pid = h.supervisor.pid;
    h.supervisor.setEnv({ APP_VERSION: 'v2' });
    await h.supervisor.reload();
    await until(() => h.output().includes(' v2'), wait);
    expect(h.supervisor.pid).not.toBe(pid);
    expect(h.output()).toMatch(/ready \d+ v1\n/);
    expect(h.events.map((e) => e.type)).toEqual(['starting', 'running', 'stopping', 'exited', 'starting', 'running']);
  });

  it('stop: a child that ignores SIGTERM is SIGKILLed with its group after killTimeoutMs', async () => {
    const dir = await tempDir('corral-supervise-');
    dirs.push(dir);
    const pidFile = join(dir.path, 'grandchild.pid');
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(g.pid));
      process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const h = supervise(script, { killTimeoutMs: 300 });
    await until(() => h.output().includes('ready'), wait);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    expect(await h.supervisor.stop()).toBe(137);
    expect(h.output()).toContain('ignoring SIGTERM');
    expect(h.events.find((e) => e.type === 'exited')).toMatchObject({ signal: 'SIGKILL', exitCode: 137 });
    await until(() => !isAlive(grandchild), { ...wait, what: 'the grandchild to be killed with the group' });
    expect(h.supervisor.state).toBe('stopped');
  });

  it('stop: a child that honours SIGTERM exits with its own code', async () => {
    const h = supervise('process.on("SIGTERM", () => process.exit(3)); console.log("ready"); setInterval(() => {}, 1000)');
    await until(() => h.output().includes('ready'), wait);
    expect(await h.supervisor.stop()).toBe(3);
  });

  it('restarts a crash loop with capped exponential backoff, reset after a healthy run', async () => {
    const dir = await tempDir('corral-supervise-');
    dirs.push(dir);
    const counter = join(dir.path, 'count');
    // Crashes on its first three runs, then stays up.
    const script = `
      const fs = require('node:fs');
      const n = fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0;
      fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
      if (n < 3) process.exit(1);
      console.log('up');
      setInterval(() => {}, 1000);
    `;
    const scheduler = new ManualScheduler();
    const h = supervise(script, { scheduler, backoff: { minMs: 100, maxMs: 150, resetAfterMs: 10_000 } });
    const backoffs = (): SupervisorEvent[] => h.events.filter((e) => e.type === 'backoff');
    for (const expected of [100, 150, 150]) {
      const count = backoffs().length;
      await until(() => backoffs().length === count + 1 && h.supervisor.state === 'backoff', wait);
      expect(backoffs().at(-1)).toMatchObject({ delayMs: expected });
      scheduler.advance(expected);
    }
    await until(() => h.output().includes('up'), wait);
    // A long healthy run resets the backoff: the next crash waits minMs again.
    scheduler.advance(10_000);
    h.supervisor.signal('SIGKILL');
    await until(() => backoffs().length === 4, wait);
    expect(backoffs().at(-1)).toMatchObject({ delayMs: 100, attempt: 1 });
    expect(h.events.filter((e) => e.type === 'exited').at(-1)).toMatchObject({ exitCode: 137 });
  });

  it('reload waits a random splay first (seeded Rng, manual time)', async () => {
    const scheduler = new ManualScheduler();
    const h = supervise(signalLogger, { scheduler, reloadSignal: 'SIGHUP', splayMs: 1000, rng: new Rng(99) });
    await until(() => h.output().includes('ready'), wait);
    const splay = new Rng(99).int(0, 1000);
    const reloaded = h.supervisor.reload();
    scheduler.advance(splay - 1);
    expect(h.output()).not.toContain('got SIGHUP');
    scheduler.advance(1);
    await reloaded;
    await until(() => h.output().includes('got SIGHUP'), wait);
  });

  it('a program that cannot start ends with 127', async () => {
    const supervisor = new Supervisor({
      argv: ['/nonexistent/program'],
      reloadSignal: null,
      killSignal: 'SIGTERM',
      killTimeoutMs: 1000,
      splayMs: 0,
      restartPolicy: 'never',
      backoff: { minMs: 100, maxMs: 100, resetAfterMs: 1000 },
      rng: new Rng(1),
      scheduler: systemScheduler,
    });
    live.push(supervisor);
    supervisor.start();
    expect(await supervisor.done).toBe(127);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
