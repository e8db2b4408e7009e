import { describe, expect, it } from 'vitest';
import { ConfigError, isFourLetterWordAllowed, parseZooCfg, type ParseZooCfgOptions } from '../../../server/config/index.js';

const opts: ParseZooCfgOptions = { file: '/etc/corral/zoo.cfg' };
const parse = (text: string, extra: Partial<ParseZooCfgOptions> = {}) => parseZooCfg(text, { ...opts, ...extra });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const ensemble = [
  'tickTime=2000',
  'initLimit=10',
  'syncLimit=5',
  'dataDir=/var/lib/zk',
  'clientPort=2181',
  'server.1=10.0.0.1:2888:3888',
  'server.2=10.0.0.2:2888:3888',
  'server.3=10.0.0.3:2888:3888',
].join('\n');

describe('parseZooCfg: standalone', () => {
  it('applies ZooKeeper defaults to a minimal config', () => {
    const { config, warnings } = parse('dataDir=/data\n');
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      tickTimeMs: 3000,
      dataDir: '/data',
      dataLogDir: '/data',
      clientPort: null,
      clientPortAddress: null,
      maxClientCnxns: 60,
      minSessionTimeoutMs: 6000,
      maxSessionTimeoutMs: 60000,
      snapCount: 100_000,
      snapRetainCount: 3,
      purgeIntervalHours: 0,
      fourLetterWordWhitelist: ['srvr'],
      extendedTypesEnabled: false,
      globalOutstandingLimit: 1000,
      skipAcl: false,
      reconfigEnabled: false,
      standaloneEnabled: true,
      maxFrameBytes: 0xfffff,
      superDigest: null,
      servers: [],
      myid: null,
      serverId: 0,
      peerType: null,
      isStandalone: true,
      initLimitTicks: null,
    });
  });

  it('reads every supported key', () => {
    const { config, warnings } = parse(
      [
        'tickTime=2000',
        'dataDir=/d',
        'dataLogDir=/l',
        'clientPort=0',
        'clientPortAddress=127.0.0.1',
        'maxClientCnxns=0',
        'minSessionTimeout=1000',
        'maxSessionTimeout=90000',
        'snapCount=50',
        'autopurge.snapRetainCount=5',
        'autopurge.purgeInterval=1',
        '4lw.commands.whitelist=stat, ruok ,, conf',
        'extendedTypesEnabled=TRUE',
        'globalOutstandingLimit=5',
        'skipACL=yes',
        'reconfigEnabled=true',
        'DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
      ].join('\n'),
      { juteMaxBuffer: 4096 },
    );
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      tickTimeMs: 2000,
      dataLogDir: '/l',
      clientPort: 0,
      clientPortAddress: '127.0.0.1',
      maxClientCnxns: 0,
      minSessionTimeoutMs: 1000,
      maxSessionTimeoutMs: 90000,
      snapCount: 50,
      snapRetainCount: 5,
      purgeIntervalHours: 1,
      fourLetterWordWhitelist: ['stat', 'ruok', 'conf', 'srvr'],
      extendedTypesEnabled: true,
      globalOutstandingLimit: 5,
      skipAcl: true,
      reconfigEnabled: true,
      maxFrameBytes: 4096,
      superDigest: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
    });
  });

  it('derives session timeout bounds from tickTime (2x and 20x)', () => {
    const { config } = parse('tickTime=2000\ndataDir=/d');
    expect([config.minSessionTimeoutMs, config.maxSessionTimeoutMs]).toEqual([4000, 40000]);
  });

  it('returns a deeply frozen config', () => {
    const { config } = parse(ensemble, { myidText: '1\n' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.servers)).toBe(true);
    expect(Object.isFrozen(config.servers[0])).toBe(true);
    expect(Object.isFrozen(config.fourLetterWordWhitelist)).toBe(true);
  });

  it('treats * in the 4lw whitelist as every command, and always allows srvr', () => {
    const all = parse('dataDir=/d\n4lw.commands.whitelist=ruok, *').config;
    expect(all.fourLetterWordWhitelist).toBe('*');
    expect(isFourLetterWordAllowed(all, 'mntr')).toBe(true);
    const none = parse('dataDir=/d\n4lw.commands.whitelist=').config;
    expect(isFourLetterWordAllowed(none, 'srvr')).toBe(true);
    expect(isFourLetterWordAllowed(none, 'ruok')).toBe(false);
  });

  it('raises snapCount below 2 and snapRetainCount below 3, with a warning each', () => {
    const { config, warnings } = parse('dataDir=/d\nsnapCount=1\nautopurge.snapRetainCount=1');
    expect([config.snapCount, config.snapRetainCount]).toEqual([2, 3]);
    expect(warnings).toHaveLength(2);
  });

  it('warns once per unknown, ignored or duplicated key and for jute.maxbuffer', () => {
    const { warnings } = parse('dataDir=/d\nfoo=1\nadmin.serverPort=8080\njute.maxbuffer=10\ntickTime=1\ntickTime=2');
    expect(warnings).toEqual([
      'zoo.cfg: foo: unknown key; ignored',
      'zoo.cfg: admin.serverPort: not supported by corral; ignored',
      'zoo.cfg: jute.maxbuffer: ZooKeeper reads it only as a system property; ignored (pass -Djute.maxbuffer=<bytes> in SERVER_JVMFLAGS or JVMFLAGS)',
      'zoo.cfg: tickTime: set more than once; the last value wins',
    ]);
  });

  it('runs a single server.N line standalone, with a warning', () => {
    const { config, warnings } = parse('dataDir=/d\nserver.1=localhost:2888:3888');
    expect(config.isStandalone).toBe(true);
    expect(config.serverId).toBe(0);
    expect(warnings.join()).toMatch(/only one server/);
  });

  it('validates myid even when standalone', () => {
    expect(parse('dataDir=/d', { myidText: '7\n' }).config.myid).toBe(7);
    expect(errorOf(() => parse('dataDir=/d', { myidText: 'seven' })).key).toBe('myid');
  });
});

describe('parseZooCfg: errors', () => {
  it('formats errors as "<basename>: <key>: <reason>"', () => {
    const err = errorOf(() => parse('tickTime=abc\ndataDir=/d'));
    expect(err.message).toBe('zoo.cfg: tickTime: expected a positive integer, got "abc"');
    expect([err.file, err.key, err.reason]).toEqual(['/etc/corral/zoo.cfg', 'tickTime', 'expected a positive integer, got "abc"']);
  });

  it.each([
    ['', 'dataDir', 'required'],
    ['dataDir=/d\ntickTime=0', 'tickTime', 'expected a positive integer, got "0"'],
    ['dataDir=/d\nclientPort=65536', 'clientPort', 'expected a port number (0-65535), got "65536"'],
    ['dataDir=/d\nmaxClientCnxns=-1', 'maxClientCnxns', 'expected a non-negative integer, got "-1"'],
    ['dataDir=/d\nstandaloneEnabled=maybe', 'standaloneEnabled', 'expected true or false, got "maybe"'],
    ['dataDir=/d\nminSessionTimeout=5000\nmaxSessionTimeout=4000', 'minSessionTimeout', '5000 is larger than maxSessionTimeout 4000'],
    ['dataDir=/d\ntickTime=2000\nminSessionTimeout=50000', 'minSessionTimeout', '50000 is larger than maxSessionTimeout 40000'],
    ['dataDir=/d\nclientPortAddress=127.0.0.1', 'clientPortAddress', 'is set but clientPort is not'],
    ['dataDir=/d\ndynamicConfigFile=/x', 'dynamicConfigFile', 'dynamic config files are not supported'],
    ['dataDir=/d\nelectionAlg=1', 'electionAlg', 'only 3 (fast leader election) is supported, got "1"'],
    ['dataDir=/d\nstandaloneEnabled=false', 'standaloneEnabled', 'false needs at least one server.N participant'],
  ])('rejects %j at key %s', (textIn, key, reason) => {
    const err = errorOf(() => parse(textIn));
    expect([err.key, err.reason]).toEqual([key, reason]);
  });

  it('reports the first bad key in file order', () => {
    expect(errorOf(() => parse('dataDir=/d\nsyncLimit=x\ntickTime=y')).key).toBe('syncLimit');
  });
});

describe('parseZooCfg: ensembles', () => {
  it('parses server.N lines and runs distributed with myid', () => {
    const { config } = parse(ensemble, { myidText: '2\n' });
    expect(config.isStandalone).toBe(false);
    expect(config.serverId).toBe(2);
    expect(config.peerType).toBe('participant');
    expect(config.initLimitTicks).toBe(10);
    expect(config.servers[1]).toEqual({ id: 2, host: '10.0.0.2', quorumPort: 2888, electionPort: 3888, role: 'participant' });
  });

  it('reads roles, client parts and IPv6 hosts', () => {
    const { config } = parse(
      [
        'dataDir=/d', 'initLimit=5', 'syncLimit=2',
        'server.1=[::1]:2888:3888;2181',
        'server.2=h2:2888:3888:PARTICIPANT;[::1]:2182',
        'server.3=h3:2888:3888:observer;127.0.0.1:2183',
      ].join('\n'),
      { myidText: '3' },
    );
    expect(config.servers).toEqual([
      { id: 1, host: '::1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientPort: 2181 },
      { id: 2, host: 'h2', quorumPort: 2888, electionPort: 3888, role: 'participant', clientHost: '::1', clientPort: 2182 },
      { id: 3, host: 'h3', quorumPort: 2888, electionPort: 3888, role: 'observer', clientHost: '127.0.0.1', clientPort: 2183 },
    ]);
    expect(config.peerType).toBe('observer');
    expect([config.clientPort, config.clientPortAddress]).toEqual([2183, '127.0.0.1']);
  });

  it('takes readonlymode.enabled from zoo.cfg (ZooKeeper reads it as a system property) without a warning', () => {
    const { config, warnings } = parse(`${ensemble}\nreadonlymode.enabled=true`, { myidText: '2' });
    expect(config.readOnlyModeEnabled).toBe(true);
    expect(warnings).toEqual([]);
    expect(parse(ensemble, { myidText: '2' }).config.readOnlyModeEnabled).toBe(false);
    expect(errorOf(() => parse(`${ensemble}\nreadonlymode.enabled=yes`, { myidText: '2' })).key).toBe('readonlymode.enabled');
  });

  it('runs one participant distributed when standaloneEnabled=false', () => {
    const { config } = parse('dataDir=/d\ninitLimit=5\nsyncLimit=2\nstandaloneEnabled=false\nserver.1=h:1:2', { myidText: '1' });
    expect(config.isStandalone).toBe(false);
  });

  it.each([
    ['server.x=h:1:2', 'server.x', 'expected a server id in 1..255, got "x"'],
    ['server.256=h:1:2', 'server.256', 'expected a server id in 1..255, got "256"'],
    ['server.1=h:1:2\nserver.01=g:1:2', 'server.01', 'server id 1 is listed twice'],
    ['server.1=h:1:1', 'server.1', 'quorumPort and electionPort must differ, got "h:1:1"'],
    ['server.1=h:1:70000', 'server.1', 'expected ports in 1..65535, got "h:1:70000"'],
    ['server.1=h:1', 'server.1', expect.stringMatching(/^expected host:quorumPort/)],
    ['server.1=h:1:2:voter', 'server.1', 'expected participant or observer, got "voter"'],
    ['server.1=h:1:2;x:y', 'server.1', 'expected a client port or host:port after ";", got "x:y"'],
    ['server.1=h:1:2|g:1:2', 'server.1', 'multiple addresses per server are not supported'],
    ['server.1=h:1:2\nserver.2=h:2:3', 'server.2', 'address h:2 is also used by server.1'],
  ])('rejects %j', (lines, key, reason) => {
    const err = errorOf(() => parse(`dataDir=/d\ninitLimit=5\nsyncLimit=2\n${lines}\nserver.9=z:1:2`, { myidText: '9' }));
    expect(err.key).toBe(key);
    expect(err.reason).toEqual(reason);
  });

  it('limits server ids to 254 with extendedTypesEnabled', () => {
    const err = errorOf(() => parse('dataDir=/d\nextendedTypesEnabled=true\nserver.255=h:1:2'));
    expect(err.reason).toBe('expected a server id in 1..254, got "255"');
  });

  it('needs a myid file, a listed myid, initLimit and syncLimit in an ensemble', () => {
    expect(errorOf(() => parse(ensemble)).message).toBe('zoo.cfg: myid: myid file is missing');
    expect(errorOf(() => parse(ensemble, { myidText: '4' })).reason).toBe('4 is not in the server.N list');
    expect(errorOf(() => parse(ensemble.replace('initLimit=10\n', ''), { myidText: '1' })).key).toBe('initLimit');
  });

  it('rejects observers without participants, and with a single participant', () => {
    expect(errorOf(() => parse('dataDir=/d\nserver.1=h:1:2:observer')).reason).toMatch(/participant/);
    expect(errorOf(() => parse('dataDir=/d\nserver.1=h:1:2\nserver.2=g:1:2:observer')).reason).toMatch(/quorum/);
  });

  it('refuses a clientPort that contradicts this server’s line', () => {
    const err = errorOf(() => parse(`${ensemble.replace('10.0.0.1:2888:3888', '10.0.0.1:2888:3888;2182')}`, { myidText: '1' }));
    expect([err.key, err.reason]).toEqual(['clientPort', '2181 differs from 2182 in server.1']);
  });

  it('warns about an even number of voters and a peerType the list contradicts', () => {
    const fourth = `${ensemble}\nserver.4=10.0.0.4:2888:3888\npeerType=observer`;
    const { warnings } = parse(fourth, { myidText: '1' });
    expect(warnings.join('\n')).toMatch(/odd number/);
    expect(warnings.join('\n')).toMatch(/peerType: is observer but server.1 is listed as participant/);
  });
});
