import { z } from 'zod';

/** Where a server listed in `server.N` takes part: voting or not. */
export const peerRoleSchema = z.enum(['participant', 'observer']);

/** One `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]` line (reference §10.3). */
export const quorumServerSchema = z
  .object({
    id: z.number().int().min(1).max(255),
    host: z.string().min(1),
    quorumPort: z.number().int().min(1).max(65535),
    electionPort: z.number().int().min(1).max(65535),
    role: peerRoleSchema,
    /** Set only when the line names a client host (`;host:port`). */
    clientHost: z.string().min(1).optional(),
    /** Set only when the line has a client part. */
    clientPort: z.number().int().min(0).max(65535).optional(),
  })
  .readonly();

/** A parsed `server.N` line. */
export type QuorumServerConfig = z.output<typeof quorumServerSchema>;

/**
 * The validated server configuration with its defaults (reference §10.2). Field names are
 * camelCase with units; zoo.cfg spellings live only in the parser.
 */
export const serverConfigSchema = z
  .object({
    tickTimeMs: z.number().int().positive().default(3000),
    /** zoo.cfg `initLimit`; required in an ensemble. */
    initLimitTicks: z.number().int().positive().nullable().default(null),
    /** zoo.cfg `syncLimit`; required in an ensemble. */
    syncLimitTicks: z.number().int().positive().nullable().default(null),
    dataDir: z.string().min(1),
    /** Defaults to dataDir. */
    dataLogDir: z.string().min(1),
    /** null: no client listener; 0: bind a port the OS chooses. */
    clientPort: z.number().int().min(0).max(65535).nullable().default(null),
    /** null: all interfaces. */
    clientPortAddress: z.string().min(1).nullable().default(null),
    /** Concurrent connections per client IP; 0 = unlimited. */
    maxClientCnxns: z.number().int().nonnegative().default(60),
    /** Default 2 × tickTime. */
    minSessionTimeoutMs: z.number().int().positive(),
    /** Default 20 × tickTime. */
    maxSessionTimeoutMs: z.number().int().positive(),
    snapCount: z.number().int().min(2).default(100_000),
    snapRetainCount: z.number().int().min(3).default(3),
    /** 0 disables autopurge. */
    purgeIntervalHours: z.number().int().nonnegative().default(0),
    /** `'*'` allows every four-letter word; a list always contains `srvr`. */
    fourLetterWordWhitelist: z.union([z.literal('*'), z.array(z.string()).readonly()]).default(['srvr']),
    extendedTypesEnabled: z.boolean().default(false),
    globalOutstandingLimit: z.number().int().positive().default(1000),
    skipAcl: z.boolean().default(false),
    reconfigEnabled: z.boolean().default(false),
    standaloneEnabled: z.boolean().default(true),
    /** readonlymode.enabled: a member without a quorum serves read-only clients (reference §2.3). */
    readOnlyModeEnabled: z.boolean().default(false),
    /** jute.maxbuffer: the largest frame accepted. */
    maxFrameBytes: z.number().int().positive().default(0xfffff),
    /** `user:base64(sha1(user:password))` of the digest super user, or null. */
    superDigest: z.string().nullable().default(null),
    /** How often empty containers and expired TTL nodes are reaped (znode.container.checkIntervalMs). */
    containerCheckIntervalMs: z.number().int().positive().default(60_000),
    /** Containers never given a child are reaped after this long; 0 = never (ZooKeeper's default). */
    containerMaxNeverUsedIntervalMs: z.number().int().nonnegative().default(0),
    servers: z.array(quorumServerSchema).readonly().default([]),
    /** The id read from the myid file, or null when there was none. */
    myid: z.number().int().min(1).max(255).nullable().default(null),
    /** The id this server runs as: myid in an ensemble, 0 standalone (as `conf` prints it). */
    serverId: z.number().int().min(0).max(255),
    /** This server's role in an ensemble; null standalone. */
    peerType: peerRoleSchema.nullable().default(null),
    /** True unless the config lists more than one voting server, or sets standaloneEnabled=false. */
    isStandalone: z.boolean(),
  })
  .readonly();

/** The frozen, typed server configuration that components receive through their constructors. */
export type ServerConfig = z.output<typeof serverConfigSchema>;

/** True when `word` may run under the config's `4lw.commands.whitelist` (reference §9.1). */
export function isFourLetterWordAllowed(config: ServerConfig, word: string): boolean {
  const list = config.fourLetterWordWhitelist;
  return list === '*' || word === 'srvr' || list.includes(word);
}
