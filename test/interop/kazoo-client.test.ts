import { describe, expect, it } from 'vitest';
import { until } from '../helpers/index.js';
import { jsonResult } from './clients/client-process.js';
import { kazooAvailability, runKazoo, startKazoo } from './clients/kazoo.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';

/**
 * The kazoo Python client (python3-kazoo) runs the scenarios of clients/kazoo_scenarios.py against
 * each target. The expected outcomes are the ones Apache ZooKeeper 3.8.0 gives; the script leaves
 * out zxids, times and session ids, so Corral must give exactly the same objects.
 */

/** A Stat as the script reduces it (ephemeral = ephemeralOwner != 0). */
function stat(fields: { version?: number; cversion?: number; aversion?: number; dataLength: number; numChildren?: number }) {
  return { version: 0, cversion: 0, aversion: 0, numChildren: 0, ephemeral: false, ...fields };
}

const kazoo = kazooAvailability();

describe.each(ensembleTargets)('$label', (target) => {
  const name = kazoo.ok ? suiteName(target, 'kazoo client') : `kazoo client SKIPPED: ${kazoo.reason}`;
  describe.skipIf(target.skip || !kazoo.ok)(name, () => {
    const fx = useServer(target);
    const run = (scenario: string) => runKazoo(fx.server.connectString, scenario);

    it('CRUD with versions: the same paths, stats and error classes', async () => {
      expect(await run('crud')).toEqual({
        create: '/kz-crud',
        get: ['v0', stat({ dataLength: 2 })],
        mzxidIsCzxid: true,
        set: stat({ version: 1, dataLength: 2 }),
        setStale: { error: 'BadVersionError' },
        deleteStale: { error: 'BadVersionError' },
        createAgain: { error: 'NodeExistsError' },
        createOrphan: { error: 'NoNodeError' },
        makepath: '/kz-crud/a/b/c',
        ensurePath: true,
        includeData: ['/kz-crud/with-stat', stat({ dataLength: 3 })],
        children: ['a', 'with-stat'],
        childrenStat: stat({ version: 1, cversion: 2, dataLength: 2, numChildren: 2 }),
        deleteNotEmpty: { error: 'NotEmptyError' },
        deleteMissing: { error: 'NoNodeError' },
        getMissing: { error: 'NoNodeError' },
        deleteRecursive: null,
        existsAfter: null,
        emptyValue: '/kz-empty',
        emptyGet: '',
        sync: '/kz-empty',
        badVersionSetNegative: stat({ version: 1, dataLength: 3 }),
      });
    });

    it('sequential and ephemeral nodes: suffixes, owner, no children, gone with the session', async () => {
      expect(await run('sequential-ephemeral')).toEqual({
        seq: ['/kz-seq/n-0000000000', '/kz-seq/n-0000000001', '/kz-seq/n-0000000002'],
        seqAfterDelete: '/kz-seq/n-0000000003',
        seqNoPrefix: '/kz-seq/0000000004',
        ephemeral: '/kz-seq/eph',
        ephemeralSeq: '/kz-seq/eseq-0000000006',
        ownerIsSession: true,
        ownerOfPersistent: 0,
        childOfEphemeral: { error: 'NoChildrenForEphemeralsError' },
        childrenBefore: ['0000000004', 'eph', 'eseq-0000000006', 'n-0000000000', 'n-0000000002', 'n-0000000003'],
        childrenAfterClose: ['0000000004', 'n-0000000000', 'n-0000000002', 'n-0000000003'],
      });
    });

    it('DataWatch, ChildrenWatch and one-shot watches see the same events', async () => {
      expect(await run('watches')).toEqual({
        data: [
          [null, null],
          ['one', ['CREATED', '/kz-w/data']],
          ['two', ['CHANGED', '/kz-w/data']],
          [null, ['DELETED', '/kz-w/data']],
        ],
        children: [[], ['data'], ['data', 'other'], ['other'], ['later', 'other']],
        oneshot: [
          ['children', 'CHILD', '/kz-w/other'],
          ['exists', 'CREATED', '/kz-w/later'],
          ['get', 'CHANGED', '/kz-w/other'],
        ],
      });
    });

    it('transactions: per-op results of a committed one, rolled-back results of a failed one', async () => {
      expect(await run('transaction')).toEqual({
        committed: ['/kz-tx/a', '/kz-tx/s-0000000002', stat({ version: 1, cversion: 3, dataLength: 4, numChildren: 3 }), true, true],
        afterCommit: ['a', 's-0000000002'],
        failed: [{ error: 'RolledBackError' }, { error: 'BadVersionError' }, { error: 'RuntimeInconsistency' }],
        afterFailed: ['a', 's-0000000002'],
        checkMissing: [{ error: 'NoNodeError' }],
      });
    });

    it('digest ACLs: NoAuth without the id, access with it, setAcls, and a failed auth scheme', async () => {
      expect(await run('acl')).toEqual({
        noAuthGet: { error: 'NoAuthError' },
        noAuthExists: true,
        noAuthGetAcls: { error: 'NoAuthError' },
        aliceGet: 'private',
        bobSet: { error: 'NoAuthError' },
        getAcls: [[31, 'digest', 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=']],
        aliceSetAcls: stat({ aversion: 1, dataLength: 7 }),
        aclsAfter: [[1, 'digest', 'alice:x'], [31, 'digest', 'bob:x']],
        aliceSetAfter: { error: 'NoAuthError' },
        bobSetAfter: stat({ version: 1, aversion: 1, dataLength: 1 }),
        aliceChildCreate: { error: 'NoAuthError' },
        bobAfterAddAuth: 'y',
        badScheme: { error: 'AuthFailedError' },
      });
    });

    it('Lock: the second client waits, then holds the lock once the first releases it', async () => {
      expect(await run('lock')).toEqual({
        firstAcquire: true,
        secondNonBlocking: false,
        contenders: ['first', 'second'],
        lockNodes: 2,
        secondAcquire: [true],
        contendersAfter: ['second'],
        nodesAfterRelease: [],
      });
    });

    it('Election: leaders in order of entry, none left afterwards', async () => {
      expect(await run('election')).toEqual({
        contenders: ['first', 'second'],
        leaders: ['first', 'second'],
        contendersAfter: [],
      });
    });

    it('Counter: pre and post values for integer and float counters', async () => {
      expect(await run('counter')).toEqual({ afterAdd: [0, 2, 2], afterSub: [2, 1, 1], float: 1.75, raw: '1' });
    });

    it('Barrier and DoubleBarrier: wait blocks while the barrier stands; two clients enter and leave', async () => {
      expect(await run('barrier')).toEqual({
        waitWhileUp: false,
        waitAfterRemove: true,
        doubleEntered: 2,
        doubleLeftAll: true,
        doubleChildrenAfter: [],
      });
    });

    it('Queue and LockingQueue: priority then FIFO order, consume and release', async () => {
      expect(await run('queue')).toEqual({
        length: 5,
        order: ['first', 'second', 'third', 'fourth', 'low'],
        empty: null,
        lockingLength: 3,
        lockingGet: 'job-2',
        holds: true,
        consume: true,
        lockingNext: 'job-3',
        release: true,
        lockingLengthAfter: 2,
      });
    });

    it('Party and ShallowParty: members join, leave, and vanish with their session', async () => {
      expect(await run('party')).toEqual({
        members: ['alpha', 'beta'],
        length: 2,
        afterLeave: ['alpha'],
        shallow: ['gamma'],
        afterClose: ['alpha'],
      });
    });

    it('a server restart keeps the session, its ephemerals and its watches (kazoo re-sends them)', async () => {
      const proc = startKazoo(fx.server.connectString, 'restart-watches');
      await until(() => proc.stdout().includes('ready') || proc.hasExited(), {
        timeoutMs: 30_000,
        what: 'the kazoo client to set its watches',
      });
      await fx.server.restart();
      expect(await jsonResult(proc, 'kazoo restart-watches', 90_000)).toEqual({
        states: ['SUSPENDED', 'CONNECTED'],
        sameSession: true,
        ephemeralKept: true,
        data: [['0', null], ['1', 'CHANGED']],
        children: [['data', 'eph'], ['data', 'eph', 'later']],
        oneshot: [['NONE', null]],
      });
    });

    it('server_version() parses envi as 3.8.0 and command(ruok) answers imok', async () => {
      expect(await run('server-info')).toEqual({ version: [3, 8, 0], ruok: 'imok' });
    });
  });
});
