import { afterAll, describe, expect, it } from 'vitest';
import { ManagedClient, ServiceRegistry, ZkClient, makeServiceInstance } from '../../client/index.js';
import { nextMember, signalGroup, stopProcess, type TrackedProcess, until, waitForExit } from '../helpers/index.js';
import {
  disposeJavaBuild,
  javaClientsAvailability,
  runJavaScenario,
  startLatchMember,
} from './clients/java.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';

/**
 * Apache ZooKeeper's Java client (zookeeper.jar 3.8) and Apache Curator 5.4 run the scenarios of
 * clients/ZkClientScenarios.java and clients/CuratorScenarios.java against each target. The
 * expected outcomes are the ones Apache ZooKeeper 3.8.0 gives; the programs reduce zxids, times and
 * session ids to facts, so Corral must give exactly the same objects.
 */

type Owner = 'none' | 'this session';

/** A Stat as the Java programs reduce it. */
function stat(fields: {
  version?: number;
  cversion?: number;
  aversion?: number;
  dataLength: number;
  numChildren?: number;
  owner?: Owner;
  mzxidIsCzxid?: boolean;
}) {
  return { version: 0, cversion: 0, aversion: 0, numChildren: 0, owner: 'none', mzxidIsCzxid: true, ...fields };
}

function created(path: string, owner: Owner = 'none') {
  return { path, create2Stat: stat({ dataLength: 1, owner }), getStat: stat({ dataLength: 1, owner }) };
}

const java = javaClientsAvailability();

afterAll(async () => {
  await disposeJavaBuild();
});

describe.each(ensembleTargets)('$label', (target) => {
  const name = (what: string) => (java.ok ? suiteName(target, what) : `${what} SKIPPED: ${java.reason}`);

  describe.skipIf(target.skip || !java.ok)(name('ZooKeeper Java client'), () => {
    const fx = useServer(target);
    const run = (scenario: string) => runJavaScenario('ZkClientScenarios', fx.server.connectString, scenario);

    it('create modes: create2 stats, owners, sequence suffixes; TTL without extended types is Unimplemented', async () => {
      expect(await run('create-modes')).toEqual({
        PERSISTENT: created('/j-modes/persistent-'),
        EPHEMERAL: created('/j-modes/ephemeral-', 'this session'),
        PERSISTENT_SEQUENTIAL: created('/j-modes/persistent_sequential-0000000002'),
        EPHEMERAL_SEQUENTIAL: created('/j-modes/ephemeral_sequential-0000000003', 'this session'),
        CONTAINER: created('/j-modes/container-'),
        ttlWithoutExtendedTypes: { error: 'UNIMPLEMENTED' },
        childOfEphemeral: { error: 'NOCHILDRENFOREPHEMERALS' },
        emptyAcl: { error: 'INVALIDACL' },
        authAclWithoutAuth: { error: 'INVALIDACL' },
        children: ['container-', 'ephemeral-', 'ephemeral_sequential-0000000003', 'persistent-', 'persistent_sequential-0000000002'],
        parent: stat({ cversion: 5, dataLength: 0, numChildren: 5 }),
      });
    });

    it('getData/exists/getChildren watchers fire once each; removeWatches then NoWatcher', async () => {
      expect(await run('watchers')).toEqual({
        getData: '0',
        existsMissing: null,
        removeAgain: { error: 'NOWATCHER' },
        watcherEvents: [
          'mine DataWatchRemoved /j-w',
          'mine NodeChildrenChanged /j-w',
          'mine NodeCreated /j-w/new',
          'mine NodeDataChanged /j-w',
          'mine NodeDeleted /j-w/del',
          'sync 0',
        ],
        defaultWatcherEvents: ['NodeDataChanged /j-w', 'NodeDeleted /j-w/del'],
      });
    });

    it('multi: op results of a committed multi, ErrorResults of failed ones, read-only multi, transaction()', async () => {
      const multiStat = stat({ version: 1, cversion: 4, dataLength: 2, numChildren: 4, mzxidIsCzxid: false });
      expect(await run('multi')).toEqual({
        committed: [
          { class: 'CreateResult', path: '/j-multi/a', stat: null },
          { class: 'CreateResult', path: '/j-multi/s-0000000002', stat: null },
          { class: 'CreateResult', path: '/j-multi/e', stat: null },
          { class: 'SetDataResult', stat: multiStat },
          { class: 'CheckResult' },
          { class: 'DeleteResult' },
        ],
        failed: {
          error: 'BADVERSION',
          results: [
            { class: 'ErrorResult', err: 'OK' },
            { class: 'ErrorResult', err: 'BADVERSION' },
            { class: 'ErrorResult', err: 'RUNTIMEINCONSISTENCY' },
          ],
        },
        failedOnMissingParent: {
          error: 'NONODE',
          results: [{ class: 'ErrorResult', err: 'OK' }, { class: 'ErrorResult', err: 'NONODE' }],
        },
        reads: [
          { class: 'GetDataResult', data: 'a', stat: stat({ dataLength: 1 }) },
          { class: 'GetChildrenResult', children: ['a', 'e', 's-0000000002'] },
          { class: 'ErrorResult', err: 'NONODE' },
        ],
        transaction: [
          { class: 'CreateResult', path: '/j-multi/t', stat: null },
          { class: 'SetDataResult', stat: stat({ version: 1, dataLength: 2 }) },
          { class: 'DeleteResult' },
        ],
        empty: [],
        children: ['e', 's-0000000002', 't'],
      });
    });

    it('getEphemerals (all, by path prefix, per session) and getAllChildrenNumber', async () => {
      const mine = ['/j-eph/p/a', '/j-eph/p/b-0000000001', '/j-eph/pq', '/j-eph/q'];
      expect(await run('ephemerals-and-counts')).toEqual({
        all: mine,
        prefixDir: ['/j-eph/p/b-0000000001'],
        prefixString: ['/j-eph/p/a', '/j-eph/p/b-0000000001', '/j-eph/pq'],
        prefixRoot: mine,
        prefixNone: [],
        theirs: ['/j-eph/theirs'],
        countTree: 5,
        countLeaf: 0,
        countZookeeper: 2,
        countMissing: { error: 'NONODE' },
      });
    });

    it('addWatch: PERSISTENT_RECURSIVE and PERSISTENT events in order; removal and NoWatcher', async () => {
      expect(await run('persistent-watches')).toEqual({
        recursive: [
          'NodeCreated /j-pr',
          'NodeCreated /j-pr/a',
          'NodeCreated /j-pr/a/b',
          'NodeDataChanged /j-pr/a/b',
          'NodeDeleted /j-pr/a/b',
          'NodeCreated /j-pr/end',
          'NodeCreated /j-pr/end2',
        ],
        persistent: [
          'NodeCreated /j-pp',
          'NodeChildrenChanged /j-pp',
          'NodeDataChanged /j-pp',
          'NodeDataChanged /j-pp',
          'NodeChildrenChanged /j-pp',
          'PersistentWatchRemoved /j-pp',
        ],
        removeMissing: { error: 'NOWATCHER' },
      });
    });

    it('whoAmI before and after digest auth; creator ACL, setACL versions, NoAuth for others', async () => {
      expect(await run('whoami-and-acls')).toEqual({
        whoAmI: ['ip:127.0.0.1'],
        whoAmIAfterAuth: ['digest:bob', 'ip:127.0.0.1'],
        creatorAcl: '31 digest true',
        setAclStale: { error: 'BADVERSION' },
        setAcl: stat({ aversion: 1, dataLength: 1 }),
        anonGet: { error: 'NOAUTH' },
        anonExists: true,
        anonGetAcl: { error: 'NOAUTH' },
        anonDelete: 'deleted',
        anonWhoAmI: ['ip:127.0.0.1'],
      });
    });
    it('sessions: negotiated timeouts, reattach by id and password, wrong password, jute.maxbuffer', async () => {
      expect(await run('sessions-and-limits')).toEqual({
        negotiatedLow: 4000,
        negotiatedHigh: 40000,
        reattach: { state: 'SyncConnected', sameSession: true },
        victimEphemeralAfterClose: false,
        wrongPassword: { state: 'Expired', sameSession: true },
        ephemeralKept: true,
        rootAcl: ['31 world:anyone'],
        configAcl: ['1 world:anyone'],
        almostMaxData: '/j-big',
        overMaxData: { error: 'CONNECTIONLOSS' },
        hugeExists: false,
        bigLength: 1000000,
      });
    });

    it('multi edge cases: duplicate create, create-then-check, delete-then-create, rollbacks', async () => {
      const ok = { class: 'ErrorResult', err: 'OK' };
      expect(await run('multi-edges')).toEqual({
        duplicateCreate: { error: 'NODEEXISTS', results: [ok, { class: 'ErrorResult', err: 'NODEEXISTS' }] },
        createThenCheckAndSet: [
          { class: 'CreateResult', path: '/j-me/y', stat: null },
          { class: 'CheckResult' },
          { class: 'SetDataResult', stat: stat({ version: 1, dataLength: 1 }) },
          { class: 'CheckResult' },
          { class: 'CreateResult', path: '/j-me/y/child', stat: null },
        ],
        deleteThenCreate: [{ class: 'DeleteResult' }, { class: 'DeleteResult' }, { class: 'CreateResult', path: '/j-me/y', stat: null }],
        childOfEphemeralInMulti: {
          error: 'NOCHILDRENFOREPHEMERALS',
          results: [ok, { class: 'ErrorResult', err: 'NOCHILDRENFOREPHEMERALS' }],
        },
        deleteNotEmptyInMulti: { error: 'NOTEMPTY', results: [ok, ok, { class: 'ErrorResult', err: 'NOTEMPTY' }] },
        sequentialTwice: [
          { class: 'CreateResult', path: '/j-me/s-0000000002', stat: null },
          { class: 'CreateResult', path: '/j-me/s-0000000003', stat: null },
        ],
        children: ['s-0000000002', 's-0000000003', 'y'],
        parent: stat({ cversion: 5, dataLength: 0, numChildren: 3 }),
      });
    });
  });

  describe.skipIf(target.skip || !java.ok)(name('Curator recipes'), () => {
    const fx = useServer(target);
    const run = (scenario: string) => runJavaScenario('CuratorScenarios', fx.server.connectString, scenario);
    const memberTurn = { next: 0 };

    it('InterProcessMutex: reentrant, a second client times out, then gets the lock on release', async () => {
      expect(await run('mutex')).toEqual({
        reentrant: true,
        secondTimedOut: false,
        participantsAfterTimeout: 1,
        participantsWhileWaiting: 2,
        stillHeldAfterOneRelease: true,
        secondAcquiredHeldReleased: [true, true],
        participantsAfterRelease: 0,
      });
    });

    it('LeaderLatch with 3 participants: the first leads; closing its client hands over to the next', async () => {
      expect(await run('leader-latch')).toEqual({
        leader: ['p1'],
        leaderSeenByP3: 'p1',
        participants: ['p1 (leader)', 'p2', 'p3'],
        leaderAfterClose: ['p2'],
        participantsAfterClose: ['p2 (leader)', 'p3'],
      });
    });

    it('LeaderLatch: when the leader process is killed, the next member leads once its session expires', async () => {
      const members: TrackedProcess[] = [];
      try {
        for (const id of ['p1', 'p2', 'p3']) {
          const member = await startLatchMember(nextMember(fx.server.connectString, memberTurn), id);
          members.push(member);
          await until(() => member.stdout().includes(`joined ${id}`) || member.hasExited(), {
            timeoutMs: 30_000,
            what: `latch member ${id} to join`,
          });
          expect(member.stdout()).toContain(`joined ${id}`);
        }
        const [p1, p2, p3] = members as [TrackedProcess, TrackedProcess, TrackedProcess];
        expect(p1.stdout()).toContain('leader p1 participants 1');
        // SIGKILL, not SIGTERM: no shutdown hook may close the session; the server must expire it.
        signalGroup(p1, 'SIGKILL');
        expect(await waitForExit(p1, 10_000)).toBe(true);
        await until(() => /leader p[23]/.test(p2.stdout() + p3.stdout()), {
          timeoutMs: 30_000,
          what: 'another latch member to take over',
        });
        expect(p2.stdout()).toMatch(/^leader p2 participants 2$/m);
        expect(p3.stdout()).not.toContain('leader');
      } finally {
        await Promise.all(members.map((member) => stopProcess(member, 0)));
      }
    });

    it('CuratorCache and PathChildrenCache: initial data, then create/change/delete events', async () => {
      expect(await run('caches')).toEqual({
        initial: ['created /c-cache/a=1', 'created /c-cache/b=2', 'created /c-cache=', 'initialized'],
        initialChildren: ['CHILD_ADDED /c-cache/a=1', 'CHILD_ADDED /c-cache/b=2', 'INITIALIZED 2'],
        events: [
          'created /c-cache/c=3',
          'changed /c-cache/a=1 -> /c-cache/a=1b',
          'created /c-cache/a/deep=d',
          'deleted /c-cache/a/deep=d',
          'deleted /c-cache/a=1b',
          'changed /c-cache= -> /c-cache=root',
        ],
        childEvents: ['CHILD_ADDED /c-cache/c=3', 'CHILD_UPDATED /c-cache/a=1b', 'CHILD_REMOVED /c-cache/a=1b'],
        cacheSize: 3,
        currentChildren: 2,
      });
    });

    it('ServiceDiscovery: register, query, provider, unregister; the instance znode JSON', async () => {
      // The znode text is what Curator writes, kept verbatim so that Corral's own discovery recipe
      // can be checked against it later.
      const znodeJson =
        '{"name":"web","id":"web-1","address":"127.0.0.1","port":8080,"sslPort":null,' +
        '"payload":{"@class":"CuratorScenarios$Details","zone":"eu-1","weight":5},' +
        '"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":{"parts":[' +
        '{"value":"scheme","variable":true},{"value":"://","variable":false},' +
        '{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true}]}}';
      expect(await run('discovery')).toEqual({
        names: ['web'],
        instances: ['web-1@127.0.0.1:8080', 'web-2@127.0.0.2:8081'],
        payloadZone: 'eu-1',
        uri: 'http://127.0.0.1:8080',
        znodeJson,
        znodeEphemeral: true,
        providerHasInstance: true,
        afterUnregister: 1,
        afterClose: [],
      });
    });

    it("ServiceDiscovery reads the instances Corral's ServiceRegistry registered, payload included", async () => {
      const zk = new ZkClient(fx.server.connectString, { sessionTimeoutMs: 10_000 });
      const managed = ManagedClient.wrap(zk);
      try {
        await zk.connect({ timeoutMs: 10_000 });
        const registry = new ServiceRegistry(managed, { basePath: '/corral-services' });
        await registry.start();
        const uriSpec = {
          parts: [
            { value: 'scheme', variable: true },
            { value: '://', variable: false },
            { value: 'address', variable: true },
            { value: ':', variable: false },
            { value: 'port', variable: true },
          ],
        };
        const payload = { '@class': 'CuratorScenarios$Details', zone: 'us-2', weight: 7 };
        const stamp = { wallMs: 1_700_000_000_000, id: 'unused' };
        await registry.register(makeServiceInstance({ name: 'api', id: 'api-1', address: '10.0.0.1', port: 9000, sslPort: 9443, payload, uriSpec }, stamp));
        await registry.register(makeServiceInstance({ name: 'api', id: 'api-2', address: '10.0.0.2', port: 9001 }, stamp));
        // Curator's buildUriSpec picks https when an sslPort is set, and the plain port first.
        expect(await run('discovery-of-corral')).toEqual({
          names: ['api'],
          instances: [
            'api-1@10.0.0.1:9000 ssl=9443 DYNAMIC t=1700000000000 payload=us-2/7 uri=https://10.0.0.1:9000',
            'api-2@10.0.0.2:9001 ssl=null DYNAMIC t=1700000000000 payload=null uri=null',
          ],
        });
        await registry.close();
      } finally {
        await managed.close();
        await zk.close();
      }
    });

    it('SharedCount (versioned trySetCount, listener) and DistributedAtomicLong', async () => {
      expect(await run('shared-count')).toEqual({
        initial: 3,
        trySetStale: false,
        trySetCurrent: true,
        theirsSeesVersion: 2,
        increment: [true, 0, 1],
        add: [true, 1, 11],
        casHit: [true, 11, 20],
        casMiss: [false, 20, 0],
        decrement: [true, 20, 19],
        get: [true, 19, 19],
      });
    });
  });
});
