import type { QuorumServerConfig, ServerConfig } from './server-config.js';

/** Run-time facts the `conf` text needs that the config file does not hold. */
export interface ConfExtras {
  /** The port the client listener is bound to, or -1 without one (ZooKeeperServer.getClientPort). */
  readonly clientPort: number;
  readonly dataDirSizeBytes: number;
  readonly dataLogSizeBytes: number;
  /** The membership's config version for ensemble members (printed as `version=<hex>`); default 0. */
  readonly membershipVersion?: bigint;
}

/** A host as InetSocketAddress prints it: IPv6 literals in brackets. */
function delimitedHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * QuorumServer.toString: `host:quorumPort:electionPort:role[;clientHost:clientPort]`. The client
 * part appears only when the server line has one: setupClientPort gives this server's entry the
 * zoo.cfg client address but marks it isClientAddrFromStatic, which toString leaves out (observed
 * on a 3.8.0 ensemble, with and without clientPortAddress).
 */
function formatServer(server: QuorumServerConfig): string {
  const clientPart = server.clientPort === undefined ? '' : `;${delimitedHost(server.clientHost ?? '0.0.0.0')}:${server.clientPort}`;
  return `${delimitedHost(server.host)}:${server.quorumPort}:${server.electionPort}:${server.role}${clientPart}`;
}

/** The lines QuorumZooKeeperServer.dumpConf adds for an ensemble member, then the membership. */
function ensembleLines(config: ServerConfig, extras: ConfExtras): string {
  const me = config.servers.find((s) => s.id === config.serverId);
  const members = config.servers.map((s) => `server.${s.id}=${formatServer(s)}\n`);
  return [
    `initLimit=${config.initLimitTicks ?? 0}\n`,
    `syncLimit=${config.syncLimitTicks ?? 0}\n`,
    'electionAlg=3\n',
    `electionPort=${me?.electionPort ?? -1}\n`,
    `quorumPort=${me?.quorumPort ?? -1}\n`,
    `peerType=${config.peerType === 'observer' ? 1 : 0}\n`,
    'membership: \n',
    ...members,
    `version=${(extras.membershipVersion ?? 0n).toString(16)}`,
  ].join('');
}

/**
 * The `conf` four-letter word's text (reference §9.2 Format B), as ZooKeeperServer.dumpConf
 * prints it. dataDir and dataLogDir are printed as given plus `/version-2`, so the shell passes a
 * config whose directories it has made absolute.
 */
export function formatConf(config: ServerConfig, extras: ConfExtras): string {
  const lines = [
    `clientPort=${extras.clientPort}`,
    'secureClientPort=-1',
    `dataDir=${config.dataDir}/version-2`,
    `dataDirSize=${extras.dataDirSizeBytes}`,
    `dataLogDir=${config.dataLogDir}/version-2`,
    `dataLogSize=${extras.dataLogSizeBytes}`,
    `tickTime=${config.tickTimeMs}`,
    `maxClientCnxns=${config.maxClientCnxns}`,
    `minSessionTimeout=${config.minSessionTimeoutMs}`,
    `maxSessionTimeout=${config.maxSessionTimeoutMs}`,
    'clientPortListenBacklog=-1',
    `serverId=${config.serverId}`,
  ];
  const standalone = `${lines.join('\n')}\n`;
  return config.isStandalone ? standalone : standalone + ensembleLines(config, extras);
}
