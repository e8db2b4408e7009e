import { describe, expect, it } from 'vitest';
import { formatConf, parseZooCfg } from '../../../server/config/index.js';

describe('formatConf (reference §9.2 Format B)', () => {
  it('prints the standalone conf text exactly as ZooKeeper 3.8.0 does', () => {
    const { config } = parseZooCfg('tickTime=2000\ndataDir=/path/to/dataDir\ndataLogDir=/path/to/dataLogDir\nclientPort=0', {
      file: 'zoo.cfg',
    });
    expect(formatConf(config, { clientPort: 21810, dataDirSizeBytes: 1024, dataLogSizeBytes: 67108880 })).toBe(
      [
        'clientPort=21810',
        'secureClientPort=-1',
        'dataDir=/path/to/dataDir/version-2',
        'dataDirSize=1024',
        'dataLogDir=/path/to/dataLogDir/version-2',
        'dataLogSize=67108880',
        'tickTime=2000',
        'maxClientCnxns=60',
        'minSessionTimeout=4000',
        'maxSessionTimeout=40000',
        'clientPortListenBacklog=-1',
        'serverId=0',
        '',
      ].join('\n'),
    );
  });

  it('appends the ensemble lines and membership without a trailing newline', () => {
    const { config } = parseZooCfg(
      [
        'tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/d', 'clientPort=22191',
        'server.1=127.0.0.1:2288:3388', 'server.2=127.0.0.1:2289:3389;22192',
        'server.3=127.0.0.1:2290:3390:participant;127.0.0.1:22193',
      ].join('\n'),
      { file: 'zoo.cfg', myidText: '1' },
    );
    const text = formatConf(config, { clientPort: 22191, dataDirSizeBytes: 0, dataLogSizeBytes: 0, membershipVersion: 0x100000000n });
    expect(text.split('\n').slice(11)).toEqual([
      'serverId=1',
      'initLimit=10',
      'syncLimit=5',
      'electionAlg=3',
      'electionPort=3388',
      'quorumPort=2288',
      'peerType=0',
      'membership: ',
      // No client part for a line without one, this server's own included (observed on 3.8.0).
      'server.1=127.0.0.1:2288:3388:participant',
      'server.2=127.0.0.1:2289:3389:participant;0.0.0.0:22192',
      'server.3=127.0.0.1:2290:3390:participant;127.0.0.1:22193',
      'version=100000000',
    ]);
  });
});
