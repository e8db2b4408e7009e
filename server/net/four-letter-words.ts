/**
 * Pure text formatting of the four-letter words, byte for byte as ZooKeeper 3.8 prints them
 * (reference §9.2, the `server/command/*Command.java` classes). No I/O: every value comes in as
 * an argument, so the same inputs always give the same text.
 */
import { hex } from '../../util/hex.js';

/** The four-letter words Corral answers (reference §9.2), as `fourLetterWordOf` names them. */
export const fourLetterWordNames = [
  'ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'envi', 'wchs', 'wchc', 'wchp',
  'dump', 'isro', 'crst', 'srst', 'dirs', 'gtmk', 'stmk', 'hash',
] as const;

/** One four-letter word. */
export type FourLetterWord = (typeof fourLetterWordNames)[number];

/** Tells whether a string names a four-letter word Corral answers. */
export function isFourLetterWord(name: string): name is FourLetterWord {
  return (fourLetterWordNames as readonly string[]).includes(name);
}

/** The `Mode:` values of `srvr`/`stat` and `zk_server_state` of `mntr`. */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

/** What most commands print while the server is not serving (ZooKeeper's ZK_NOT_SERVING). */
export const notServingText = 'This ZooKeeper instance is not currently serving requests\n';

/** ZooTrace's default trace mask, which `gtmk` prints on a fresh server. */
export const defaultTraceMask = 306n;

/** Server-wide counters kept by the listener (ZooKeeper's ServerStats). */
export interface ServerStatsView {
  readonly latencyMinMs: number;
  readonly latencyAvgMs: number;
  readonly latencyMaxMs: number;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly connectionCount: number;
  readonly outstandingRequests: number;
  /** Payload size of the last reply or event frame; -1 before the first. */
  readonly lastResponseBytes: number;
  readonly minResponseBytes: number;
  readonly maxResponseBytes: number;
}

/** The session part of one `cons` line; present once the connection has a session. */
export interface ConnectionSessionView {
  readonly sessionId: bigint;
  /** Short name of the last answered op (`opShortName`), `NA` before any. */
  readonly lastOp: string;
  readonly establishedWallMs: number;
  readonly timeoutMs: number;
  /** xid of the last answered request; -1 before any (then `lcxid` is not printed). */
  readonly lastCxid: number;
  readonly lastZxid: bigint;
  /** Monotonic ms of the last reply. */
  readonly lastResponseMs: number;
  readonly lastLatencyMs: number;
  readonly minLatencyMs: number;
  /** Integer average, as ServerCnxn.getAvgLatency computes it. */
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
}

/** One client connection as `cons` and `stat` print it (ServerCnxn.dumpConnectionInfo). */
export interface ConnectionStatsView {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** NIO interest-ops mask: 0 none, 1 read, 4 write, 5 both. */
  readonly interestOps: number;
  readonly queued: number;
  readonly recved: number;
  readonly sent: number;
  readonly session: ConnectionSessionView | null;
}

/** The numbers of the `srvr`/`stat` body that come from the replica. */
export interface ReplicaSummary {
  readonly lastZxid: bigint;
  readonly mode: ServerMode;
  /** ZooKeeper's node count: real znodes + 1 (reference §9.2). */
  readonly nodeCount: number;
  /** Leader only; null elsewhere (then no `Proposal sizes` line). */
  readonly proposalSizes: ProposalSizes | null;
}

/** Leader proposal sizes in bytes; -1 each before any proposal. */
export interface ProposalSizes {
  readonly lastBytes: number;
  readonly minBytes: number;
  readonly maxBytes: number;
}

/** The data watches of one session, as `wchc` lists them. */
export interface SessionWatches {
  readonly sessionId: bigint;
  readonly paths: readonly string[];
}

/** One session-expiry bucket of the session tracker. */
export interface SessionBucket {
  readonly expireAtWallMs: number;
  readonly sessionIds: readonly bigint[];
}

/** The ephemeral znodes of one session. */
export interface SessionEphemerals {
  readonly sessionId: bigint;
  readonly paths: readonly string[];
}

/** One connection-expiry bucket for the `Connections dump` part of `dump`. */
export interface ConnectionBucket {
  readonly expireAtWallMs: number;
  readonly connections: readonly { readonly remote: string; readonly sessionId: bigint }[];
}

/** One recorded tree digest for `hash`. */
export interface DigestEntry {
  readonly zxid: bigint;
  readonly digest: bigint;
}

/** Formats a double as Java's `Double.toString` prints small decimals (`0.0`, `4.3333`). */
export function javaDouble(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** Rounds an average latency to 4 fraction digits, as ServerStats.getAvgLatency does. */
export function roundLatency(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** `<cmd> is not executed because it is not in the whitelist.` (reference §9.1). */
export function formatNotWhitelisted(word: string): string {
  return `${word} is not executed because it is not in the whitelist.\n`;
}

/** The ` /ip:port[ops](queued=…)` line of one connection (Format C, reference §9.2). */
export function formatConnectionLine(conn: ConnectionStatsView, brief: boolean): string {
  const ops = conn.interestOps === 0 ? '0' : conn.interestOps.toString(16);
  let line = ` /${conn.remoteAddress}:${conn.remotePort}[${ops}](queued=${conn.queued},recved=${conn.recved},sent=${conn.sent}`;
  const s = conn.session;
  if (!brief && s !== null && s.sessionId !== 0n) {
    line += `,sid=${hex(s.sessionId)},lop=${s.lastOp},est=${s.establishedWallMs},to=${s.timeoutMs}`;
    if (s.lastCxid >= 0) line += `,lcxid=${hex(s.lastCxid)}`;
    line += `,lzxid=${hex(s.lastZxid)},lresp=${s.lastResponseMs},llat=${s.lastLatencyMs}`;
    line += `,minlat=${s.minLatencyMs},avglat=${s.avgLatencyMs},maxlat=${s.maxLatencyMs}`;
  }
  return `${line})\n`;
}

/** `cons`: one long line per connection, then an empty line. */
export function formatCons(connections: readonly ConnectionStatsView[]): string {
  return connections.map((c) => formatConnectionLine(c, false)).join('') + '\n';
}

/** `srvr` (Format A) or, with `connections`, `stat` (Format A plus the `Clients:` block). */
export function formatServerStats(args: {
  readonly versionText: string;
  readonly stats: ServerStatsView;
  readonly replica: ReplicaSummary;
  readonly connections: readonly ConnectionStatsView[] | null;
}): string {
  const { stats, replica } = args;
  let text = `Zookeeper version: ${args.versionText}\n`;
  if (replica.mode === 'read-only') text += 'READ-ONLY mode; serving only read-only clients\n';
  if (args.connections !== null) {
    text += 'Clients:\n' + args.connections.map((c) => formatConnectionLine(c, true)).join('') + '\n';
  }
  text += `Latency min/avg/max: ${stats.latencyMinMs}/${javaDouble(roundLatency(stats.latencyAvgMs))}/${stats.latencyMaxMs}\n`;
  text += `Received: ${stats.packetsReceived}\nSent: ${stats.packetsSent}\n`;
  text += `Connections: ${stats.connectionCount}\nOutstanding: ${stats.outstandingRequests}\n`;
  text += `Zxid: ${hex(replica.lastZxid)}\nMode: ${replica.mode}\nNode count: ${replica.nodeCount}\n`;
  const p = replica.proposalSizes;
  if (p !== null) text += `Proposal sizes last/min/max: ${p.lastBytes}/${p.minBytes}/${p.maxBytes}\n`;
  return text;
}

/** `wchs`: counts over the data-watch table (reference §9.2 note). */
export function formatWchs(watches: readonly SessionWatches[]): string {
  const paths = new Set<string>();
  let connections = 0;
  let total = 0;
  for (const w of watches) {
    if (w.paths.length > 0) connections++;
    total += w.paths.length;
    for (const p of w.paths) paths.add(p);
  }
  return `${connections} connections watching ${paths.size} paths\nTotal watches:${total}\n`;
}

/** `wchc`: each session id, then its watched paths indented by a tab; a final empty line. */
export function formatWchc(watches: readonly SessionWatches[]): string {
  let text = '';
  for (const w of watches) {
    if (w.paths.length === 0) continue;
    text += `${hex(w.sessionId)}\n` + w.paths.map((p) => `\t${p}\n`).join('');
  }
  return text + '\n';
}

/** `wchp`: each watched path, then the watching session ids indented by a tab; a final empty line. */
export function formatWchp(watches: readonly SessionWatches[]): string {
  const byPath = new Map<string, bigint[]>();
  for (const w of watches) {
    for (const p of w.paths) {
      const ids = byPath.get(p);
      if (ids === undefined) byPath.set(p, [w.sessionId]);
      else ids.push(w.sessionId);
    }
  }
  let text = '';
  for (const [path, ids] of byPath) text += `${path}\n` + ids.map((id) => `\t${hex(id)}\n`).join('');
  return text + '\n';
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Formats wall ms as Java's `Date.toString()` does in UTC: `Mon Nov 23 10:24:09 UTC 2026`. */
export function javaDateString(wallMs: number): string {
  const d = new Date(wallMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${weekdays[d.getUTCDay()] ?? ''} ${months[d.getUTCMonth()] ?? ''} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

/** `dump` (Format D): session buckets, ephemerals per session, connection buckets. */
export function formatDump(args: {
  readonly sessionBuckets: readonly SessionBucket[];
  readonly ephemerals: readonly SessionEphemerals[];
  readonly connectionBuckets: readonly ConnectionBucket[];
}): string {
  const sessionCount = args.sessionBuckets.reduce((n, b) => n + b.sessionIds.length, 0);
  let text = `SessionTracker dump:\nSession Sets (${args.sessionBuckets.length})/(${sessionCount}):\n`;
  for (const b of args.sessionBuckets) {
    text += `${b.sessionIds.length} expire at ${javaDateString(b.expireAtWallMs)}:\n`;
    text += b.sessionIds.map((id) => `\t${hex(id)}\n`).join('');
  }
  text += `ephemeral nodes dump:\nSessions with Ephemerals (${args.ephemerals.length}):\n`;
  for (const e of args.ephemerals) text += `${hex(e.sessionId)}:\n` + e.paths.map((p) => `\t${p}\n`).join('');
  const connCount = args.connectionBuckets.reduce((n, b) => n + b.connections.length, 0);
  text += `Connections dump:\nConnections Sets (${args.connectionBuckets.length})/(${connCount}):\n`;
  for (const b of args.connectionBuckets) {
    text += `${b.connections.length} expire at ${javaDateString(b.expireAtWallMs)}:\n`;
    text += b.connections.map((c) => `\tip: /${c.remote} sessionId: ${hex(c.sessionId)}\n`).join('');
  }
  return text;
}

/**
 * `mntr` value: integers plainly, other numbers as Java doubles, strings as they are;
 * `{ double }` prints as a Java double unrounded (a metrics-registry summary's average).
 */
export type MonitorValue = number | bigint | string | { readonly double: number };

/** `mntr`: `zk_<key>\t<value>\n` per entry, in the order given (`zk_version` first). */
export function formatMntr(entries: readonly (readonly [string, MonitorValue])[]): string {
  return entries.map(([k, v]) => `zk_${k}\t${formatMonitorValue(k, v)}\n`).join('');
}

function formatMonitorValue(key: string, value: MonitorValue): string {
  if (typeof value === 'number') return formatMonitorNumber(key, value);
  if (typeof value === 'object') return javaDouble(value.double);
  return String(value);
}

// ZooKeeper prints these as doubles (`0.0`) even when integral; every other number is a long.
const doubleMonitorKeys = new Set(['avg_latency', 'connection_drop_probability']);

function formatMonitorNumber(key: string, value: number): string {
  return doubleMonitorKeys.has(key) ? javaDouble(roundLatency(value)) : String(Math.trunc(value));
}

/** `envi`: `Environment:` then `key=value` lines. */
export function formatEnvi(entries: readonly (readonly [string, string])[]): string {
  return 'Environment:\n' + entries.map(([k, v]) => `${k}=${v}\n`).join('');
}

/** `dirs`: sizes of the snapshot and log directories in bytes. */
export function formatDirs(sizes: { readonly dataDirBytes: number; readonly logDirBytes: number }): string {
  return `datadir_size: ${sizes.dataDirBytes}\nlogdir_size: ${sizes.logDirBytes}\n`;
}

/** `hash`: `<zxid hex>: <digest decimal>` per recorded digest. */
export function formatHash(digests: readonly DigestEntry[]): string {
  return digests.map((d) => `${hex(d.zxid)}: ${d.digest}\n`).join('');
}

/**
 * Parses `4lw.commands.whitelist` (raw text, or names already split by the config parser) into
 * the set of allowed words: `*` allows all; `srvr` is always allowed, and `isro` too when
 * read-only mode is enabled (FourLetterCommands, reference §9.1). Null means unset: srvr only.
 */
export function parseWhitelist(
  whitelist: string | Iterable<string> | null | undefined,
  options: { readonly readOnlyModeEnabled: boolean } = { readOnlyModeEnabled: false },
): ReadonlySet<FourLetterWord> {
  const raw = whitelist ?? 'srvr';
  const names = (typeof raw === 'string' ? raw.split(',') : [...raw]).map((s) => s.trim()).filter((s) => s.length > 0);
  const allowed = new Set<FourLetterWord>(names.includes('*') ? fourLetterWordNames : []);
  for (const name of names) if (isFourLetterWord(name)) allowed.add(name);
  allowed.add('srvr');
  if (options.readOnlyModeEnabled) allowed.add('isro');
  return allowed;
}
