"""Interop scenarios for the kazoo Python client (Debian's python3-kazoo).

Usage: /usr/bin/python3 kazoo_scenarios.py HOST:PORT SCENARIO

Runs one named scenario against the server and prints one JSON object on stdout: the scenario's
outcomes, with everything that legitimately differs between two servers (zxids, times, session
ids) left out or reduced to a fact such as "is this the session's id". The interop tests run the
same scenario against Apache ZooKeeper 3.8 and Corral and compare these objects. With several
hosts (an ensemble) each client gets the next one, so a client that reads what another client
wrote syncs first, as any ZooKeeper client must. Every wait is
bounded; a scenario that cannot finish raises, and the script exits non-zero.
"""

import json
import logging
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.security import make_digest_acl

WAIT_S = 15.0
HOSTS = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1:2181'


_next_member = [0]


def member():
    """With one host, that host; with several (an ensemble), the next one in turn, so the
    clients of a scenario sit on different members."""
    hosts = HOSTS.split(',')
    host = hosts[_next_member[0] % len(hosts)]
    _next_member[0] += 1
    return host


def connect(**kwargs):
    """A started client that retries its connection every 0.1-1 s; the scenario stops it."""
    retry = {'max_tries': -1, 'delay': 0.1, 'backoff': 1.5, 'max_delay': 1.0}
    client = KazooClient(hosts=member(), timeout=10.0, connection_retry=retry, **kwargs)
    client.start(timeout=WAIT_S)
    return client


def outcome(fn):
    """The value of fn(), or the name of the exception it raised (outcomes, not messages)."""
    try:
        return fn()
    except KazooException as err:
        return {'error': type(err).__name__}


def wait_for(cond, what):
    """Polls cond until it holds or WAIT_S passes."""
    deadline = time.monotonic() + WAIT_S
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError('timed out waiting for ' + what)
        time.sleep(0.02)


def stat_facts(stat):
    """The Stat fields that two servers must agree on for the same history."""
    return {
        'version': stat.version,
        'cversion': stat.cversion,
        'aversion': stat.aversion,
        'dataLength': stat.dataLength,
        'numChildren': stat.numChildren,
        'ephemeral': stat.ephemeralOwner != 0,
    }


def scenario_crud(c):
    """Create, read, update and delete with versions, and the error outcomes around them."""
    r = {}
    r['create'] = c.create('/kz-crud', b'v0')
    data, stat = c.get('/kz-crud')
    r['get'] = [data.decode(), stat_facts(stat)]
    r['mzxidIsCzxid'] = stat.mzxid == stat.czxid
    r['set'] = stat_facts(c.set('/kz-crud', b'v1', version=0))
    r['setStale'] = outcome(lambda: c.set('/kz-crud', b'v2', version=0))
    r['deleteStale'] = outcome(lambda: c.delete('/kz-crud', version=0))
    r['createAgain'] = outcome(lambda: c.create('/kz-crud'))
    r['createOrphan'] = outcome(lambda: c.create('/kz-missing/child'))
    r['makepath'] = c.create('/kz-crud/a/b/c', b'deep', makepath=True)
    r['ensurePath'] = c.ensure_path('/kz-crud/a/b/c')
    path, created = c.create('/kz-crud/with-stat', b'xyz', include_data=True)
    r['includeData'] = [path, stat_facts(created)]
    r['children'] = sorted(c.get_children('/kz-crud'))
    children, parent = c.get_children('/kz-crud', include_data=True)
    r['childrenStat'] = stat_facts(parent)
    r['deleteNotEmpty'] = outcome(lambda: c.delete('/kz-crud'))
    r['deleteMissing'] = outcome(lambda: c.delete('/kz-crud/nope'))
    r['getMissing'] = outcome(lambda: c.get('/kz-crud/nope'))
    r['deleteRecursive'] = c.delete('/kz-crud', recursive=True)
    r['existsAfter'] = c.exists('/kz-crud')
    r['emptyValue'] = c.create('/kz-empty')
    r['emptyGet'] = c.get('/kz-empty')[0].decode()
    r['sync'] = c.sync('/kz-empty')
    r['badVersionSetNegative'] = stat_facts(c.set('/kz-empty', b'any', version=-1))
    return r


def scenario_sequential_ephemeral(c):
    """Sequence suffixes, ephemeral ownership, and ephemerals vanishing with their session."""
    r = {}
    c.create('/kz-seq')
    r['seq'] = [c.create('/kz-seq/n-', b'', sequence=True) for _ in range(3)]
    c.delete('/kz-seq/n-0000000001')
    r['seqAfterDelete'] = c.create('/kz-seq/n-', sequence=True)
    r['seqNoPrefix'] = c.create('/kz-seq/', sequence=True)
    other = connect()
    try:
        r['ephemeral'] = other.create('/kz-seq/eph', b'e', ephemeral=True)
        r['ephemeralSeq'] = other.create('/kz-seq/eseq-', ephemeral=True, sequence=True)
        # Another client's writes: on an ensemble this client's member may lag until a sync.
        c.sync('/kz-seq')
        stat = c.exists('/kz-seq/eph')
        r['ownerIsSession'] = stat.ephemeralOwner == other.client_id[0]
        r['ownerOfPersistent'] = c.exists('/kz-seq').ephemeralOwner
        r['childOfEphemeral'] = outcome(lambda: other.create('/kz-seq/eph/child'))
        r['childrenBefore'] = sorted(c.get_children('/kz-seq'))
    finally:
        other.stop()
        other.close()
    c.sync('/kz-seq')
    r['childrenAfterClose'] = sorted(c.get_children('/kz-seq'))
    return r


def scenario_watches(c):
    """DataWatch, ChildrenWatch and one-shot watches: the events each sees, in order."""
    r = {}
    data_events = []
    child_events = []
    oneshot = []
    c.create('/kz-w')

    @c.DataWatch('/kz-w/data')
    def on_data(data, stat, event=None):
        data_events.append([None if data is None else data.decode(),
                            None if event is None else [event.type, event.path]])

    @c.ChildrenWatch('/kz-w')
    def on_children(children):
        child_events.append(sorted(children))

    wait_for(lambda: len(data_events) == 1 and len(child_events) == 1, 'initial watch calls')
    c.create('/kz-w/data', b'one')
    wait_for(lambda: len(data_events) == 2 and len(child_events) == 2, 'create events')
    c.set('/kz-w/data', b'two')
    wait_for(lambda: len(data_events) == 3, 'change event')
    c.create('/kz-w/other')
    wait_for(lambda: len(child_events) == 3, 'second child event')
    c.delete('/kz-w/data')
    wait_for(lambda: len(data_events) == 4 and len(child_events) == 4, 'delete events')
    c.get('/kz-w/other', watch=lambda e: oneshot.append(['get', e.type, e.path]))
    c.exists('/kz-w/later', watch=lambda e: oneshot.append(['exists', e.type, e.path]))
    c.get_children('/kz-w/other', watch=lambda e: oneshot.append(['children', e.type, e.path]))
    c.create('/kz-w/later')
    c.create('/kz-w/other/kid')
    c.set('/kz-w/other', b'x')
    c.set('/kz-w/other', b'y')
    wait_for(lambda: len(oneshot) >= 3 and len(child_events) == 5, 'one-shot events')
    c.sync('/kz-w')
    r['data'] = data_events
    r['children'] = child_events
    r['oneshot'] = sorted(oneshot)
    return r


def transaction_result(value):
    """A transaction result as JSON: a path, a Stat, True, or an exception's class name."""
    if isinstance(value, Exception):
        return {'error': type(value).__name__}
    if hasattr(value, 'version'):
        return stat_facts(value)
    return value


def scenario_transaction(c):
    """client.transaction(): a committed one and one that fails on its third op."""
    r = {}
    c.create('/kz-tx')
    c.create('/kz-tx/gone')
    t = c.transaction()
    t.create('/kz-tx/a', b'a')
    t.create('/kz-tx/s-', b'', sequence=True)
    t.set_data('/kz-tx', b'root', version=0)
    t.check('/kz-tx/gone', 0)
    t.delete('/kz-tx/gone')
    r['committed'] = [transaction_result(v) for v in t.commit()]
    r['afterCommit'] = sorted(c.get_children('/kz-tx'))
    t = c.transaction()
    t.create('/kz-tx/b')
    t.set_data('/kz-tx/a', b'x', version=5)
    t.delete('/kz-tx/a')
    r['failed'] = [transaction_result(v) for v in t.commit()]
    r['afterFailed'] = sorted(c.get_children('/kz-tx'))
    t = c.transaction()
    t.check('/kz-tx/missing', 0)
    r['checkMissing'] = [transaction_result(v) for v in t.commit()]
    return r


def acl_facts(acls):
    """ACLs as sorted [perms, scheme, id] triples."""
    return sorted([acl.perms, acl.id.scheme, acl.id.id] for acl in acls)


def scenario_acl(c):
    """Digest ACLs: who may read and write, getAcls/setAcls, and a bad auth scheme."""
    r = {}
    acl = make_digest_acl('alice', 'secret', all=True)
    c.create('/kz-acl', b'private', acl=[acl])
    r['noAuthGet'] = outcome(lambda: c.get('/kz-acl'))
    r['noAuthExists'] = c.exists('/kz-acl') is not None
    alice = connect(auth_data=[('digest', 'alice:secret')])
    bob = connect(auth_data=[('digest', 'bob:wrong')])
    bad = connect()
    try:
        r['aliceGet'] = alice.get('/kz-acl')[0].decode()
        r['bobSet'] = outcome(lambda: bob.set('/kz-acl', b'x'))
        r['noAuthGetAcls'] = outcome(lambda: c.get_acls('/kz-acl'))
        r['getAcls'] = acl_facts(alice.get_acls('/kz-acl')[0])
        read_only = make_digest_acl('alice', 'secret', read=True)
        r['aliceSetAcls'] = stat_facts(alice.set_acls('/kz-acl', [read_only, make_digest_acl('bob', 'wrong', all=True)]))
        r['aclsAfter'] = acl_facts(alice.get_acls('/kz-acl')[0])
        r['aliceSetAfter'] = outcome(lambda: alice.set('/kz-acl', b'y'))
        r['bobSetAfter'] = stat_facts(bob.set('/kz-acl', b'y'))
        r['aliceChildCreate'] = outcome(lambda: alice.create('/kz-acl/child'))
        bob.add_auth('digest', 'alice:secret')
        r['bobAfterAddAuth'] = bob.get('/kz-acl')[0].decode()
        r['badScheme'] = outcome(lambda: bad.add_auth('nosuchscheme', 'x'))
    finally:
        for client in (alice, bob, bad):
            client.stop()
            client.close()
    return r


def scenario_lock(c):
    """kazoo Lock: two clients contend; the second gets the lock once the first releases."""
    r = {}
    other = connect()
    try:
        first = c.Lock('/kz-lock', 'first')
        second = other.Lock('/kz-lock', 'second')
        r['firstAcquire'] = first.acquire(timeout=WAIT_S)
        r['secondNonBlocking'] = second.acquire(blocking=False)
        got = []
        waiter = threading.Thread(target=lambda: got.append(second.acquire(timeout=WAIT_S)))
        waiter.start()
        wait_for(lambda: len(first.contenders()) == 2, 'two contenders')
        r['contenders'] = first.contenders()
        r['lockNodes'] = len(c.get_children('/kz-lock'))
        first.release()
        waiter.join(WAIT_S)
        r['secondAcquire'] = got
        r['contendersAfter'] = second.contenders()
        second.release()
        c.sync('/kz-lock')
        r['nodesAfterRelease'] = c.get_children('/kz-lock')
    finally:
        other.stop()
        other.close()
    return r


def scenario_election(c):
    """kazoo Election: the first contender leads; the second leads after the first steps down."""
    r = {}
    other = connect()
    leaders = []
    release_first = threading.Event()

    def lead_first():
        leaders.append('first')
        release_first.wait(WAIT_S)

    try:
        first = c.Election('/kz-election', 'first')
        second = other.Election('/kz-election', 'second')
        t1 = threading.Thread(target=lambda: first.run(lead_first))
        t1.start()
        wait_for(lambda: leaders == ['first'], 'first leader')
        t2 = threading.Thread(target=lambda: second.run(lambda: leaders.append('second')))
        t2.start()
        wait_for(lambda: len(first.contenders()) == 2, 'two contenders')
        r['contenders'] = first.contenders()
        release_first.set()
        t1.join(WAIT_S)
        t2.join(WAIT_S)
        r['leaders'] = leaders
        r['contendersAfter'] = first.contenders()
    finally:
        other.stop()
        other.close()
    return r


def scenario_counter(c):
    """kazoo Counter: integer and float counters with pre/post values."""
    counter = c.Counter('/kz-counter')
    counter += 2
    r = {'afterAdd': [counter.pre_value, counter.post_value, counter.value]}
    counter -= 1
    r['afterSub'] = [counter.pre_value, counter.post_value, counter.value]
    floats = c.Counter('/kz-counter-f', default=0.5)
    floats += 1.25
    r['float'] = floats.value
    r['raw'] = c.get('/kz-counter')[0].decode()
    return r


def scenario_barrier(c):
    """kazoo Barrier and DoubleBarrier (two clients enter and leave together)."""
    r = {}
    barrier = c.Barrier('/kz-barrier')
    barrier.create()
    r['waitWhileUp'] = barrier.wait(timeout=0.2)
    barrier.remove()
    r['waitAfterRemove'] = barrier.wait(timeout=WAIT_S)
    other = connect()
    try:
        entered = []
        doubles = [cl.DoubleBarrier('/kz-double', 2, identifier=name) for cl, name in ((c, 'a'), (other, 'b'))]
        threads = [threading.Thread(target=lambda d=d: (d.enter(), entered.append(True), d.leave())) for d in doubles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT_S)
        r['doubleEntered'] = len(entered)
        r['doubleLeftAll'] = not any(thread.is_alive() for thread in threads)
        c.sync('/kz-double')
        r['doubleChildrenAfter'] = c.get_children('/kz-double')
    finally:
        other.stop()
        other.close()
    return r


def scenario_queue(c):
    """kazoo Queue (priorities, FIFO within a priority) and LockingQueue."""
    r = {}
    queue = c.Queue('/kz-queue')
    queue.put(b'low', priority=200)
    queue.put(b'first', priority=100)
    queue.put(b'second', priority=100)
    queue.put(b'third', priority=100)
    queue.put(b'fourth', priority=100)
    r['length'] = len(queue)
    r['order'] = [queue.get().decode() for _ in range(5)]
    r['empty'] = queue.get()
    locking = c.LockingQueue('/kz-lqueue')
    locking.put(b'job-1')
    locking.put_all([b'job-2', b'job-3'], priority=1)
    r['lockingLength'] = len(locking)
    r['lockingGet'] = locking.get(timeout=WAIT_S).decode()
    r['holds'] = locking.holds_lock()
    r['consume'] = locking.consume()
    r['lockingNext'] = locking.get(timeout=WAIT_S).decode()
    r['release'] = locking.release()
    r['lockingLengthAfter'] = len(locking)
    return r


def scenario_party(c):
    """kazoo Party and ShallowParty: members join and leave."""
    r = {}
    other = connect()
    try:
        mine = c.Party('/kz-party', 'alpha')
        theirs = other.Party('/kz-party', 'beta')
        mine.join()
        theirs.join()
        c.sync('/kz-party')
        r['members'] = sorted(mine)
        r['length'] = len(mine)
        theirs.leave()
        c.sync('/kz-party')
        r['afterLeave'] = sorted(mine)
        shallow = c.ShallowParty('/kz-shallow', 'gamma')
        shallow.join()
        r['shallow'] = sorted(shallow)
    finally:
        other.stop()
        other.close()
    c.sync('/kz-party')
    r['afterClose'] = sorted(c.Party('/kz-party'))
    return r


def scenario_server_info(c):
    """server_version() (the envi four-letter word) and command(b'ruok')."""
    return {'version': list(c.server_version()), 'ruok': c.command(b'ruok')}


def scenario_restart_watches(c):
    """Session, ephemerals and watches across a server restart that the test performs.

    Prints "ready" once the watches are set, then waits for the connection to drop and come back
    (the test restarts the server meanwhile); kazoo re-registers its watches with SetWatches.
    """
    r = {}
    states = []
    c.add_listener(lambda state: states.append(state))
    data_events = []
    child_events = []
    oneshot = []
    c.create('/kz-rs/data', b'0', makepath=True)
    c.create('/kz-rs/eph', ephemeral=True)
    session_id = c.client_id[0]
    c.DataWatch('/kz-rs/data', lambda data, stat, event=None: data_events.append(
        [None if data is None else data.decode(), None if event is None else event.type]))
    c.ChildrenWatch('/kz-rs', lambda children: child_events.append(sorted(children)))
    # kazoo hands the connection loss to one-shot watchers as a NONE event, which uses them up.
    c.exists('/kz-rs/later', watch=lambda e: oneshot.append([e.type, e.path]))
    wait_for(lambda: len(data_events) == 1 and len(child_events) == 1, 'initial watch calls')
    print('ready', flush=True)
    deadline = WAIT_S * 4
    start = time.monotonic()
    while not ('SUSPENDED' in states and states[-1] == 'CONNECTED'):
        if time.monotonic() - start > deadline:
            raise TimeoutError('no reconnect after the restart; states: %s' % states)
        time.sleep(0.05)
    r['states'] = list(states)
    r['sameSession'] = c.client_id[0] == session_id
    r['ephemeralKept'] = c.exists('/kz-rs/eph') is not None
    c.set('/kz-rs/data', b'1')
    c.create('/kz-rs/later')
    wait_for(lambda: len(data_events) == 2 and len(child_events) == 2, 'events after the restart')
    c.sync('/kz-rs')
    r['data'] = data_events
    r['children'] = child_events
    r['oneshot'] = oneshot
    return r


SCENARIOS = {
    'restart-watches': scenario_restart_watches,
    'crud': scenario_crud,
    'sequential-ephemeral': scenario_sequential_ephemeral,
    'watches': scenario_watches,
    'transaction': scenario_transaction,
    'acl': scenario_acl,
    'lock': scenario_lock,
    'election': scenario_election,
    'counter': scenario_counter,
    'barrier': scenario_barrier,
    'queue': scenario_queue,
    'party': scenario_party,
    'server-info': scenario_server_info,
}


def main():
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    name = sys.argv[2]
    client = connect()
    try:
        result = SCENARIOS[name](client)
    finally:
        client.stop()
        client.close()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
