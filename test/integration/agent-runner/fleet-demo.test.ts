/**
 * The fleet demo (examples/fleet/run.mjs) as a user runs it: once its agents have registered,
 * Ctrl-C (SIGTERM) stops the agents and apps while the ensemble still has its quorum, and only
 * then the three servers, so every agent deregisters in time.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reapAll, repoRoot, spawnTracked, type TrackedProcess, until, waitForExit } from '../../helpers/index.js';

/** The pids of the direct children of `pid` (each the leader of its own process group). */
function childrenOf(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === pid)
    .map(([child]) => child as number);
}

describe('the fleet demo', () => {
  let demo: TrackedProcess | null = null;
  let groups: number[] = [];

  afterEach(async () => {
    // Only if the demo failed to stop them: its children run in process groups of their own.
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ESRCH: already gone, as it should be.
      }
    }
    groups = [];
    await reapAll();
    demo = null;
  });

  it('on SIGTERM stops agents and apps first, then the servers, and every agent deregisters in time', async () => {
    demo = spawnTracked(process.execPath, [join(repoRoot, 'examples', 'fleet', 'run.mjs')], { cwd: repoRoot });
    const running = demo;
    await until(
      () => {
        if (running.hasExited()) throw new Error(`the demo exited: ${running.stdout().slice(-2000)}`);
        const out = running.stdout();
        const listed = out.split('=== both instances are registered')[1] ?? '';
        return /web-1/.test(listed) && /web-2/.test(listed);
      },
      { timeoutMs: 90_000, what: 'both instances registered in the demo' },
    );
    const pid = running.child.pid as number;
    groups = childrenOf(pid);
    process.kill(pid, 'SIGTERM');
    expect(await waitForExit(running, 60_000)).toBe(true);

    const lines = running.stdout().split('\n');
    const exits = lines.map((line, i) => ({ line, i })).filter(({ line }) => /^\[[^\]]+\] exited \(/.test(line));
    const serverExits = exits.filter(({ line }) => /^\[corral-\d\]/.test(line));
    const otherExits = exits.filter(({ line }) => !/^\[corral-\d\]/.test(line));
    expect(serverExits).toHaveLength(3);
    // Two web apps and three agents.
    expect(otherExits.length).toBeGreaterThanOrEqual(3);
    const firstServerExit = Math.min(...serverExits.map(({ i }) => i));
    expect(otherExits.every(({ i }) => i < firstServerExit)).toBe(true);
    expect(running.stdout()).not.toContain('shutdown step timed out');
  });
});
