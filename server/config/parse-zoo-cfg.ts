import { z } from 'zod';
import { assert } from '../../util/assert.js';
import { ConfigError, configMessage } from './config-error.js';
import { parseProperties } from './properties.js';
import { parseQuorumServer } from './quorum-server.js';
import { serverConfigSchema, type QuorumServerConfig, type ServerConfig } from './server-config.js';

/** What parseZooCfg needs besides the zoo.cfg text; the shell reads the files. */
export interface ParseZooCfgOptions {
  /** The config file's name, used in messages (its basename). */
  readonly file: string;
  /** The contents of `<dataDir>/myid`, or null/absent when there is no such file. */
  readonly myidText?: string | null;
  /** The `jute.maxbuffer` system-property equivalent; zoo.cfg cannot set it (reference §10.1). */
  readonly juteMaxBuffer?: number;
}

/** A validated config and the non-fatal findings (unknown keys, raised values) to log. */
export interface ParsedZooCfg {
  readonly config: ServerConfig;
  readonly warnings: readonly string[];
}

const int32Max = 2 ** 31 - 1;

/** A Java int (Integer.parseInt syntax) within [min, max]. */
function intIn(min: number, max: number, expected: string) {
  return z
    .string()
    .regex(/^[+-]?\d{1,10}$/, expected)
    .transform(Number)
    .refine((n) => n >= min && n <= max, expected);
}

function flag(pattern: RegExp, expected: string, truthy: RegExp) {
  return z
    .string()
    .regex(pattern, expected)
    .transform((s) => truthy.test(s));
}

const positiveInt = intIn(1, int32Max, 'expected a positive integer');
const nonNegativeInt = intIn(0, int32Max, 'expected a non-negative integer');
const anyInt = intIn(-int32Max - 1, int32Max, 'expected an integer');
const trueFalse = flag(/^(true|false)$/i, 'expected true or false', /^true$/i);
const text = z.string().min(1, 'expected a value');

/** Every zoo.cfg key Corral reads, with the zod schema that turns its text into a value. */
const scalarSchemas = {
  tickTime: positiveInt,
  initLimit: positiveInt,
  syncLimit: positiveInt,
  dataDir: text,
  dataLogDir: text,
  clientPort: intIn(0, 65535, 'expected a port number (0-65535)'),
  clientPortAddress: text,
  maxClientCnxns: nonNegativeInt,
  minSessionTimeout: positiveInt,
  maxSessionTimeout: positiveInt,
  snapCount: anyInt,
  'autopurge.snapRetainCount': anyInt,
  'autopurge.purgeInterval': nonNegativeInt,
  '4lw.commands.whitelist': z.string(),
  extendedTypesEnabled: trueFalse,
  globalOutstandingLimit: positiveInt,
  // ZooKeeper reads zookeeper.skipACL as "yes"; true/false are accepted too.
  skipACL: flag(/^(yes|no|true|false)$/i, 'expected yes or no', /^(yes|true)$/i),
  reconfigEnabled: trueFalse,
  standaloneEnabled: trueFalse,
  // ZooKeeper reads readonlymode.enabled only as a system property; Corral takes it from zoo.cfg
  // too, since a Corral server has no JVM flags to carry it.
  'readonlymode.enabled': trueFalse,
  peerType: z
    .string()
    .regex(/^(participant|observer)$/i, 'expected participant or observer')
    .transform((s) => (s.toLowerCase() === 'observer' ? ('observer' as const) : ('participant' as const))),
  electionAlg: z.string().regex(/^3$/, 'only 3 (fast leader election) is supported'),
  'DigestAuthenticationProvider.superDigest': z.string().regex(/^[^:]+:.+$/, 'expected user:base64digest'),
  // ZooKeeper reads these as system properties (ContainerManager); zoo.cfg turns unknown keys
  // into zookeeper.<key> properties, so the same spelling works here (reference §10.1).
  'znode.container.checkIntervalMs': positiveInt,
  'znode.container.maxNeverUsedIntervalMs': nonNegativeInt,
} as const;

type ScalarKey = keyof typeof scalarSchemas;
type ScalarValue<K extends ScalarKey> = z.output<(typeof scalarSchemas)[K]>;

/**
 * ZooKeeper keys Corral accepts without implementing (with a warning). Most change nothing a
 * client sees, but some do: `maxCnxns` (ZooKeeper refuses connections past this total; Corral
 * does not) and `clientPortListenBacklog` (the listen backlog; Corral keeps Node's default)
 * change when connections are refused, and `localSessionsEnabled` would make sessions local.
 */
const ignoredKeys = new Set([
  'connectToLearnerMasterLimit', 'secureClientPort', 'secureClientPortAddress', 'clientPortListenBacklog',
  'maxCnxns', 'observerMasterPort', 'quorumListenOnAllIPs', 'localSessionsEnabled',
  'localSessionsUpgradingEnabled', 'syncEnabled', 'snapSizeLimitInKb', 'txnLogSizeLimitInKb', 'preAllocSize',
  'enforceQuota', 'forceSync', 'leaderServes', 'sslQuorum', 'portUnification', 'jute.maxbuffer.extrasize',
]);
const ignoredPrefixes = ['admin.', 'multiAddress.', 'metricsProvider.', 'quorum.auth.', 'ssl.', 'authProvider.'];
const knownFourLetterWords = new Set([
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro', 'mntr', 'ruok', 'srst', 'srvr', 'stat',
  'stmk', 'wchc', 'wchp', 'wchs',
]);

/** Parse state shared by the steps below: the settings, the file name and the warnings. */
class Reader {
  readonly settings = new Map<string, string>();
  readonly warnings: string[] = [];
  constructor(readonly file: string) {}

  get<K extends ScalarKey>(key: K): ScalarValue<K> | undefined {
    const value = this.settings.get(key);
    if (value === undefined) return undefined;
    const result = scalarSchemas[key].safeParse(value);
    if (!result.success) {
      const expected = result.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(this.file, key, `${expected}, got "${value}"`);
    }
    return result.data as ScalarValue<K>;
  }

  require<K extends ScalarKey>(key: K, why: string): ScalarValue<K> {
    const value = this.get(key);
    if (value === undefined) throw new ConfigError(this.file, key, why);
    return value;
  }

  warn(key: string, reason: string): void {
    this.warnings.push(configMessage(this.file, key, reason));
  }

  fail(key: string, reason: string): never {
    throw new ConfigError(this.file, key, reason);
  }
}

function isScalarKey(key: string): key is ScalarKey {
  return Object.hasOwn(scalarSchemas, key);
}

/** Reads the entries in file order, validating each known key and warning about the rest. */
function readEntries(reader: Reader, textIn: string): Map<string, string> {
  const serverLines = new Map<string, string>();
  for (const { key, value } of parseProperties(textIn, reader.file)) {
    if (reader.settings.has(key) || serverLines.has(key)) reader.warn(key, 'set more than once; the last value wins');
    if (key.startsWith('server.')) {
      serverLines.set(key, value);
      continue;
    }
    reader.settings.set(key, value);
    if (isScalarKey(key)) reader.get(key);
    else if (key === 'dynamicConfigFile') reader.fail(key, 'dynamic config files are not supported');
    else if (/^(group|weight)\./.test(key)) reader.fail(key, 'hierarchical quorums are not supported');
    else if (key === 'jute.maxbuffer') reader.warn(key, 'ZooKeeper reads it only as a system property; ignored (pass -Djute.maxbuffer=<bytes> in SERVER_JVMFLAGS or JVMFLAGS)');
    else if (ignoredKeys.has(key) || ignoredPrefixes.some((p) => key.startsWith(p))) {
      reader.warn(key, 'not supported by corral; ignored');
    } else reader.warn(key, 'unknown key; ignored');
  }
  return serverLines;
}

/** The `server.N` lines, sorted by id, with ids, duplicates and addresses checked. */
function readServers(reader: Reader, lines: Map<string, string>, maxId: number): QuorumServerConfig[] {
  const servers = new Map<number, QuorumServerConfig>();
  const endpoints = new Map<string, string>();
  for (const [key, value] of lines) {
    const idText = key.slice('server.'.length);
    const id = /^\d{1,3}$/.test(idText) ? Number(idText) : Number.NaN;
    if (!(id >= 1 && id <= maxId)) reader.fail(key, `expected a server id in 1..${maxId}, got "${idText}"`);
    if (servers.has(id)) reader.fail(key, `server id ${id} is listed twice`);
    const server = parseQuorumServer(key, id, value, reader.file);
    for (const p of [server.quorumPort, server.electionPort]) {
      const endpoint = `${server.host.toLowerCase()}:${p}`;
      const other = endpoints.get(endpoint);
      if (other !== undefined) reader.fail(key, `address ${endpoint} is also used by ${other}`);
      endpoints.set(endpoint, key);
    }
    servers.set(id, server);
  }
  return [...servers.values()].sort((a, b) => a.id - b.id);
}

/** The id in the first line of the myid file (QuorumPeerConfig.setupMyId), or null without one. */
function readMyid(reader: Reader, myidText: string | null | undefined, maxId: number): number | null {
  if (myidText === undefined || myidText === null) return null;
  const first = (myidText.split(/\r\n|\r|\n/)[0] ?? '').trim();
  const id = /^\d{1,3}$/.test(first) ? Number(first) : Number.NaN;
  if (!(id >= 1 && id <= maxId)) reader.fail('myid', `expected a server id in 1..${maxId}, got "${first}"`);
  return id;
}

interface Topology {
  readonly isStandalone: boolean;
  readonly serverId: number;
  readonly peerType: 'participant' | 'observer' | null;
}

/** Standalone or ensemble, following QuorumPeerConfig.parseDynamicConfig and isDistributed. */
function resolveTopology(reader: Reader, servers: readonly QuorumServerConfig[], myid: number | null): Topology {
  const standaloneEnabled = reader.get('standaloneEnabled') ?? true;
  const voting = servers.filter((s) => s.role === 'participant').length;
  const observers = servers.length - voting;
  if (servers.length > 0 && voting === 0) reader.fail('server.N', 'observers need at least one participant');
  if (!standaloneEnabled && voting === 0) reader.fail('standaloneEnabled', 'false needs at least one server.N participant');
  if (voting === 1 && standaloneEnabled) {
    if (observers > 0) reader.fail('standaloneEnabled', 'observers need a quorum; set standaloneEnabled=false');
    if (servers.length > 0) reader.warn('server.N', 'only one server listed; running standalone');
  }
  const isDistributed = voting > 1 || (!standaloneEnabled && voting >= 1);
  if (!isDistributed) return { isStandalone: true, serverId: 0, peerType: null };
  if (voting <= 2) reader.warn('server.N', 'no server failure will be tolerated; you need at least 3 servers');
  else if (voting % 2 === 0) reader.warn('server.N', 'consider an odd number of servers');
  reader.require('initLimit', 'required for an ensemble');
  reader.require('syncLimit', 'required for an ensemble');
  if (myid === null) reader.fail('myid', 'myid file is missing');
  const me = servers.find((s) => s.id === myid);
  if (me === undefined) reader.fail('myid', `${myid} is not in the server.N list`);
  const peerType = reader.get('peerType');
  if (peerType !== undefined && peerType !== me.role) {
    reader.warn('peerType', `is ${peerType} but server.${me.id} is listed as ${me.role}; the list wins`);
  }
  return { isStandalone: false, serverId: me.id, peerType: me.role };
}

/** clientPort and clientPortAddress, reconciled with this server's line (QuorumPeerConfig.setupClientPort). */
function resolveClient(reader: Reader, me: QuorumServerConfig | undefined) {
  let clientPort = reader.get('clientPort') ?? null;
  let clientPortAddress = reader.get('clientPortAddress') ?? null;
  if (clientPortAddress !== null && clientPort === null) reader.fail('clientPortAddress', 'is set but clientPort is not');
  if (me?.clientPort !== undefined) {
    if (clientPort !== null && clientPort !== me.clientPort) {
      reader.fail('clientPort', `${clientPort} differs from ${me.clientPort} in server.${me.id}`);
    }
    clientPort = me.clientPort;
    clientPortAddress = me.clientHost ?? clientPortAddress;
  }
  return { clientPort, clientPortAddress };
}

/** `4lw.commands.whitelist` as FourLetterCommands reads it: `*`, or names plus `srvr`. */
function readWhitelist(reader: Reader): '*' | string[] {
  const raw = reader.get('4lw.commands.whitelist');
  if (raw === undefined) return ['srvr'];
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.includes('*')) return '*';
  for (const name of names) {
    if (!knownFourLetterWords.has(name)) reader.warn('4lw.commands.whitelist', `unknown command "${name}"`);
  }
  return [...new Set([...names, 'srvr'])];
}

/** A config value raised to ZooKeeper's minimum, with the warning ZooKeeper logs. */
function atLeast(reader: Reader, key: 'snapCount' | 'autopurge.snapRetainCount', min: number, fallback: number): number {
  const value = reader.get(key) ?? fallback;
  if (value >= min) return value;
  reader.warn(key, `${value} is below the minimum; using ${min}`);
  return min;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses zoo.cfg text (and the myid file's text) into a frozen ServerConfig (reference §10),
 * throwing ConfigError for anything ZooKeeper would refuse and warning about keys it ignores.
 */
export function parseZooCfg(textIn: string, options: ParseZooCfgOptions): ParsedZooCfg {
  const reader = new Reader(options.file);
  const serverLines = readEntries(reader, textIn);
  const extendedTypesEnabled = reader.get('extendedTypesEnabled') ?? false;
  const maxId = extendedTypesEnabled ? 254 : 255;
  const servers = readServers(reader, serverLines, maxId);
  const myid = readMyid(reader, options.myidText, maxId);
  const topology = resolveTopology(reader, servers, myid);
  const tickTimeMs = reader.get('tickTime') ?? 3000;
  const dataDir = reader.require('dataDir', 'required');
  const minSessionTimeoutMs = reader.get('minSessionTimeout') ?? 2 * tickTimeMs;
  const maxSessionTimeoutMs = reader.get('maxSessionTimeout') ?? 20 * tickTimeMs;
  if (minSessionTimeoutMs > maxSessionTimeoutMs) {
    reader.fail('minSessionTimeout', `${minSessionTimeoutMs} is larger than maxSessionTimeout ${maxSessionTimeoutMs}`);
  }
  const juteMaxBuffer = options.juteMaxBuffer ?? 0xfffff;
  if (!Number.isSafeInteger(juteMaxBuffer) || juteMaxBuffer <= 0) {
    reader.fail('jute.maxbuffer', `expected a positive integer, got "${juteMaxBuffer}"`);
  }
  const draft = {
    tickTimeMs,
    initLimitTicks: reader.get('initLimit') ?? null,
    syncLimitTicks: reader.get('syncLimit') ?? null,
    dataDir,
    dataLogDir: reader.get('dataLogDir') ?? dataDir,
    ...resolveClient(reader, servers.find((s) => s.id === myid)),
    maxClientCnxns: reader.get('maxClientCnxns') ?? 60,
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    snapCount: atLeast(reader, 'snapCount', 2, 100_000),
    snapRetainCount: atLeast(reader, 'autopurge.snapRetainCount', 3, 3),
    purgeIntervalHours: reader.get('autopurge.purgeInterval') ?? 0,
    fourLetterWordWhitelist: readWhitelist(reader),
    extendedTypesEnabled,
    globalOutstandingLimit: reader.get('globalOutstandingLimit') ?? 1000,
    skipAcl: reader.get('skipACL') ?? false,
    reconfigEnabled: reader.get('reconfigEnabled') ?? false,
    standaloneEnabled: reader.get('standaloneEnabled') ?? true,
    readOnlyModeEnabled: reader.get('readonlymode.enabled') ?? false,
    maxFrameBytes: juteMaxBuffer,
    superDigest: reader.get('DigestAuthenticationProvider.superDigest') ?? null,
    containerCheckIntervalMs: reader.get('znode.container.checkIntervalMs') ?? 60_000,
    containerMaxNeverUsedIntervalMs: reader.get('znode.container.maxNeverUsedIntervalMs') ?? 0,
    servers,
    myid,
    ...topology,
  };
  const result = serverConfigSchema.safeParse(draft);
  assert(result.success, `validated zoo.cfg does not fit ServerConfig: ${result.error?.message ?? ''}`);
  return { config: deepFreeze(result.data), warnings: reader.warnings };
}
