// Process helpers shared by the runnable demos (examples/fleet/run.mjs, examples/namenode-ha/run.mjs):
// start the built CLI's server on a free port, start children with prefixed output, stop all on Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the built CLI. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corralBin = join(repoRoot, 'dist', 'cli', 'run.js');

const children = [];
/** The Corral servers among `children`: stopAll stops them last. */
const servers = new Set();
const dirs = [];

/**
 * Starts `command args` in its own process group; its output lines are printed with `label`.
 * `options.server: true` marks a coordination server, which stopAll stops after everything else.
 */
export function start(label, command, args, options = {}) {
  const { server = false, onLine: firstOnLine, quietStderr, ...spawnOptions } = options;
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  children.push(child);
  if (server) servers.add(child);
  let onLine = firstOnLine ?? (() => undefined);
  const print = (stream, quiet) => {
    let buffered = '';
    stream.setEncoding('utf8').on('data', (text) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        onLine(line);
        if (!quiet(line)) console.log(`[${label}] ${line}`);
      }
    });
  };
  print(child.stdout, () => false);
  print(child.stderr, quietStderr ?? (() => false));
  child.once('exit', (code, signal) => console.log(`[${label}] exited (${signal ?? code})`));
  return { child, setOnLine: (fn) => (onLine = fn) };
}

/** Starts a standalone Corral server on a free port; resolves with "127.0.0.1:<port>". */
export async function startCorral() {
  const dir = mkdtempSync(join(tmpdir(), 'corral-demo-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'zoo.cfg'), `tickTime=2000\ndataDir=${join(dir, 'data')}\nclientPort=0\nclientPortAddress=127.0.0.1\n`);
  return new Promise((resolve, reject) => {
    const proc = start('corral', process.execPath, [corralBin, 'server', '--config', join(dir, 'zoo.cfg')], {
      env: { ...process.env, CORRAL_LOG: 'warn' },
      server: true,
    });
    proc.setOnLine((line) => {
      const match = /^corral server listening on (.+):(\d+)/.exec(line);
      if (match) resolve(`${match[1]}:${match[2]}`);
    });
    proc.child.once('exit', () => reject(new Error('the Corral server exited; is dist/ built (npm run build)?')));
  });
}

/** A free TCP port on 127.0.0.1 (bound once, then released). */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Corral ensemble of `size` members on free loopback ports (each with its own dataDir
 * and myid) and resolves with the connect string once a member answers a write-free request.
 */
export async function startCorralEnsemble(size = 3) {
  const members = [];
  for (let id = 1; id <= size; id++) members.push({ id, client: await freePort(), quorum: await freePort(), election: await freePort() });
  const serverLines = members.map((m) => `server.${m.id}=127.0.0.1:${m.quorum}:${m.election}`).join('\n');
  for (const m of members) {
    const dir = mkdtempSync(join(tmpdir(), `corral-demo-${m.id}-`));
    dirs.push(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${m.id}\n`);
    const cfg = `tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=${dataDir}\nclientPort=${m.client}\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\n${serverLines}\n`;
    writeFileSync(join(dir, 'zoo.cfg'), cfg);
    start(`corral-${m.id}`, process.execPath, [corralBin, 'server', '--config', join(dir, 'zoo.cfg')], {
      env: { ...process.env, CORRAL_LOG: 'warn' },
      server: true,
    });
  }
  const connect = members.map((m) => `127.0.0.1:${m.client}`).join(',');
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      await cli(['ls', '/', '--server', connect]);
      return connect;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error('the Corral ensemble did not start serving within 30 s; is dist/ built (npm run build)?');
}

/** Runs the built CLI once and resolves with its stdout. */
export function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [corralBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (out += text));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`corral ${args.join(' ')} exited ${code}`))));
  });
}

/** Makes a temp folder removed at exit. */
export function tempFolder(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Stops every child (SIGTERM to each group, SIGKILL after 10 s) and removes the temp folders. */
export async function stopAll() {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  // Agents and apps first (agents deregister and stop their apps while the ensemble still has
  // its quorum), then every server together.
  await stopGroup(running.filter((c) => !servers.has(c)));
  await stopGroup(running.filter((c) => servers.has(c)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

async function stopGroup(running) {
  for (const child of running) signal(child, 'SIGTERM');
  await Promise.all(
    running.map(
      (child) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            signal(child, 'SIGKILL');
            resolve();
          }, 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

function signal(child, name) {
  try {
    process.kill(-child.pid, name);
  } catch {
    // Already gone.
  }
}

/** Stops everything on Ctrl-C or SIGTERM, then exits. */
export function stopOnSignals() {
  const onSignal = () => {
    console.log('\nstopping everything...');
    void stopAll().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
