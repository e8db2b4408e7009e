/**
 * Pure formatting for the data commands: Stat and ACL as text (zkCli-like) and as JSON (64-bit
 * ids as `0x…` hex strings, since JSON has no 64-bit integers), node data as UTF-8 text when it
 * is valid UTF-8 and base64 otherwise, and the parsing of ACL arguments.
 */
import { Perms } from '../protocol/index.js';
import type { Acl, Stat } from '../protocol/index.js';
import { hex } from '../util/index.js';
import { UsageError } from './exit-codes.js';

/** A Stat as JSON: zxids and the ephemeral owner as hex strings, times as epoch milliseconds. */
export interface StatJson {
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid: string;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** Converts a Stat to its JSON form. */
export function statToJson(stat: Stat): StatJson {
  return {
    czxid: hex(stat.czxid),
    mzxid: hex(stat.mzxid),
    pzxid: hex(stat.pzxid),
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: hex(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

/** A Stat as zkCli prints it (`cZxid = 0x…`, one field a line), times in ISO 8601. */
export function formatStat(stat: StatJson): string {
  return [
    `cZxid = ${stat.czxid}`,
    `ctime = ${new Date(stat.ctime).toISOString()}`,
    `mZxid = ${stat.mzxid}`,
    `mtime = ${new Date(stat.mtime).toISOString()}`,
    `pZxid = ${stat.pzxid}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${stat.ephemeralOwner}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join('\n');
}

/** Node data in a JSON-safe form: UTF-8 text, or base64 with `encoding: 'base64'` as the marker. */
export type EncodedData = { readonly data: string | null; readonly encoding?: 'base64' };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes bytes as UTF-8 text when they are valid UTF-8, else as base64 with the marker. */
export function encodeData(bytes: Uint8Array | null): EncodedData {
  if (bytes === null) return { data: null };
  try {
    return { data: strictUtf8.decode(bytes) };
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return { data: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

/** The inverse of {@link encodeData}. */
export function decodeData(encoded: EncodedData): Uint8Array | null {
  if (encoded.data === null) return null;
  if (encoded.encoding === 'base64') return new Uint8Array(Buffer.from(encoded.data, 'base64'));
  return new TextEncoder().encode(encoded.data);
}

const permLetters: readonly (readonly [string, number])[] = [
  ['c', Perms.Create],
  ['d', Perms.Delete],
  ['r', Perms.Read],
  ['w', Perms.Write],
  ['a', Perms.Admin],
];

/** Permission bits as zkCli's letters, in its order (`cdrwa`). */
export function formatPerms(perms: number): string {
  return permLetters.map(([letter, bit]) => ((perms & bit) !== 0 ? letter : '')).join('');
}

/** One ACL entry as `scheme:id:perms`, the form `corral acl --set` accepts. */
export function formatAcl(acl: Acl): string {
  return `${acl.id.scheme}:${acl.id.id}:${formatPerms(acl.perms)}`;
}

/**
 * Parses `scheme:id:perms[,scheme:id:perms...]` as zkCli's setAcl does; the id may itself hold
 * colons (digest `user:hash`, ipv6), so the scheme is the first field and perms the last.
 */
export function parseAclList(text: string): Acl[] {
  return text.split(',').map((entry) => {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first <= 0 || last === first) throw new UsageError(`ACL ${JSON.stringify(entry)}: expected scheme:id:perms, e.g. world:anyone:cdrwa`);
    return { id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) }, perms: parsePerms(entry.slice(last + 1), entry) };
  });
}

function parsePerms(letters: string, entry: string): number {
  let perms = 0;
  for (const letter of letters) {
    const bit = permLetters.find(([l]) => l === letter)?.[1];
    if (bit === undefined) throw new UsageError(`ACL ${JSON.stringify(entry)}: unknown permission ${JSON.stringify(letter)}; use letters of cdrwa`);
    perms |= bit;
  }
  return perms;
}

/** Joins a prefix and a relative path (`''` or `/a/b`) into an absolute znode path. */
export function joinZnodePath(prefix: string, relative: string): string {
  if (relative === '') return prefix;
  return prefix === '/' ? relative : `${prefix}${relative}`;
}

/** Formats a byte count for people (`512 B`, `1.5 KiB`). */
export function formatBytes(sizeBytes: number): string {
  if (sizeBytes < 1024) return `${sizeBytes} B`;
  if (sizeBytes < 1024 * 1024) return `${(sizeBytes / 1024).toFixed(1)} KiB`;
  return `${(sizeBytes / (1024 * 1024)).toFixed(1)} MiB`;
}
