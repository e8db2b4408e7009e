/**
 * A Corral ensemble of real processes on loopback: every member gets reserved client and quorum
 * ports, its own dataDir with a `myid` file, and the same `server.N` lines. Test-only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCorral } from './corral.js';
import { fourLetterWord } from './four-letter-word.js';
import { reservePorts } from './reserve-port.js';
import type { ServerHandle, ZooCfg } from './server-handle.js';
import { tempDir, type TempDir } from './temp-dir.js';
import { until } from './until.js';

/** A running ensemble. */
export interface CorralEnsemble {
  /** Members by index (member id = index + 1); voters first, then observers. */
  readonly members: readonly ServerHandle[];
  /** `host:port,host:port,...` of every member. */
  readonly connectString: string;
  /** The index of the member that reports `Mode: leader`, waiting for one. */
  leader(timeoutMs?: number): Promise<number>;
  /** Every member's mode from `srvr` ('' when it does not answer within a short bound). */
  modes(): Promise<string[]>;
  /** Signals every member (see ServerHandle.kill: only SIGKILL waits for the exits). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops every member, starts them all again on the same ports and dataDirs, waits for a leader. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** Options of {@link startCorralEnsemble} beyond the shared zoo.cfg keys. */
export interface CorralEnsembleOptions {
  /** Observers listed after the `size` voters (`server.N=...:observer`, `peerType=observer` in their own cfg). */
  readonly observers?: number;
  /** zoo.cfg keys for one member only (by member id), over the shared ones. */
  readonly memberCfg?: (id: number) => ZooCfg;
}

/** A paused member holds a connection open without answering; do not wait long for it. */
const MODE_TIMEOUT_MS = 2_000;

/** Starts `size` voters (and any observers) and waits until one of them leads. */
export async function startCorralEnsemble(size: number, cfg: ZooCfg = {}, options: CorralEnsembleOptions = {}): Promise<CorralEnsemble> {
  const total = size + (options.observers ?? 0);
  const dirs: TempDir[] = [];
  const clientPorts: number[] = [];
  const lines: Record<string, string> = {};
  // Reserved together, so no two of a member's ports (or two members) can get the same one.
  const ports = await reservePorts(3 * total);
  for (let i = 1; i <= total; i++) {
    const [client, quorum, election] = ports.slice(3 * (i - 1), 3 * i) as [number, number, number];
    clientPorts.push(client);
    const role = i > size ? ':observer' : '';
    lines[`server.${i}`] = `127.0.0.1:${quorum}:${election}${role}`;
  }
  const members: ServerHandle[] = [];
  try {
    for (let i = 1; i <= total; i++) {
      const dir = await tempDir(`corral-member-${i}-`);
      dirs.push(dir);
      const dataDir = join(dir.path, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${i}\n`);
      const own: ZooCfg = { ...(i > size ? { peerType: 'observer' } : {}), ...options.memberCfg?.(i) };
      members.push(
        await startCorral({
          dataDir,
          cfg: { tickTime: 500, initLimit: 10, syncLimit: 5, clientPort: clientPorts[i - 1] as number, ...lines, ...cfg, ...own },
        }),
      );
    }
  } catch (error) {
    for (const m of members) await m.dispose();
    for (const d of dirs) await d.cleanup();
    throw error;
  }
  const ensemble = ensembleOf(members, size, {
    leaderIntervalMs: 100,
    afterRestart: async (e) => {
      await e.leader(30_000);
    },
    dispose: async () => {
      for (const m of members) await m.dispose();
      for (const d of dirs) await d.cleanup();
    },
  });
  // Every member in the group, not just a quorum: a test that then stops one follower must
  // leave the leader a quorum (a member that started last may still be joining).
  const memberCount = members.length;
  await until(async () => (await ensemble.modes()).filter((mode) => mode === 'leader' || mode === 'follower' || mode === 'observer').length === memberCount, {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: 'every member of the ensemble serving',
  });
  return ensemble;
}

/** How {@link ensembleOf} waits and cleans up, which differs between Corral and ZooKeeper. */
export interface EnsembleParts {
  /** How often leader() polls the members' modes. */
  readonly leaderIntervalMs: number;
  /** What restart() waits for once every member was started again. */
  readonly afterRestart: (ensemble: CorralEnsemble) => Promise<void>;
  readonly dispose: () => Promise<void>;
}

/**
 * The server-independent half of an ensemble of running members (`size` voters first): modes from
 * `srvr`, the leader, kill and restart. Corral's and ZooKeeper's ensembles both build on it.
 */
export function ensembleOf(members: readonly ServerHandle[], size: number, parts: EnsembleParts): CorralEnsemble {
  const modes = async (): Promise<string[]> =>
    Promise.all(
      members.map(async (m) => {
        const text = await fourLetterWord(m.host, m.port, 'srvr', { timeoutMs: MODE_TIMEOUT_MS }).catch(() => '');
        return /Mode: ([\w-]+)/.exec(text)?.[1] ?? '';
      }),
    );
  const ensemble: CorralEnsemble = {
    members,
    connectString: members.map((m) => `${m.host}:${m.port}`).join(','),
    modes,
    leader: async (timeoutMs = 30_000) => {
      let index = -1;
      await until(
        async () => {
          const found = await modes();
          index = found.indexOf('leader');
          return index >= 0 && found.filter((mode) => mode === 'follower').length >= Math.floor(size / 2);
        },
        { timeoutMs, intervalMs: parts.leaderIntervalMs, what: `a ${members[0]?.kind ?? ''} ensemble leader with a quorum of followers` },
      );
      return index;
    },
    kill: async (signal) => {
      await Promise.all(members.map((m) => m.kill(signal)));
    },
    restart: async () => {
      await Promise.all(members.map((m) => m.stop()));
      await Promise.all(members.map((m) => m.restart()));
      await parts.afterRestart(ensemble);
    },
    dispose: parts.dispose,
  };
  return ensemble;
}

/**
 * The host a new client gets: with one host, that host; with several (an ensemble), the next
 * one in turn, so consecutive clients sit on different members.
 */
export function nextMember(connectString: string, counter: { next: number }): string {
  const hosts = connectString.split(',');
  const host = hosts[counter.next % hosts.length] as string;
  counter.next++;
  return host;
}
