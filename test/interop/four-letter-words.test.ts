import { describe, expect, it } from 'vitest';
import { fourLetterWord, until } from '../helpers/index.js';
import { type ServerFixture, suiteName, targets, useServer } from './targets.js';
import { CreateMode } from './zk-client.js';

/** The srvr lines (format A, reference §9.2) with their value shapes; times and counts vary. */
const srvrLines: readonly RegExp[] = [
  /^Zookeeper version: \S+, built on .+$/,
  /^Latency min\/avg\/max: \d+\/\d+(\.\d+)?\/\d+$/,
  /^Received: \d+$/,
  /^Sent: \d+$/,
  /^Connections: \d+$/,
  /^Outstanding: \d+$/,
  /^Zxid: 0x[0-9a-f]+$/,
  /^Mode: standalone$/,
  /^Node count: \d+$/,
];

/** The mntr keys every standalone 3.8 server prints (reference §9.3, "core"). */
const mntrCoreKeys = [
  'zk_version', 'zk_server_state', 'zk_avg_latency', 'zk_max_latency', 'zk_min_latency',
  'zk_packets_received', 'zk_packets_sent', 'zk_num_alive_connections', 'zk_outstanding_requests',
  'zk_uptime', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_approximate_data_size',
  'zk_global_sessions', 'zk_local_sessions', 'zk_open_file_descriptor_count',
  'zk_max_file_descriptor_count', 'zk_connection_drop_probability', 'zk_last_client_response_size',
  'zk_max_client_response_size', 'zk_min_client_response_size', 'zk_outstanding_tls_handshake',
  'zk_auth_failed_count', 'zk_non_mtls_remote_conn_count', 'zk_non_mtls_local_conn_count',
];

const confKeys = [
  'clientPort', 'secureClientPort', 'dataDir', 'dataDirSize', 'dataLogDir', 'dataLogSize', 'tickTime',
  'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'clientPortListenBacklog', 'serverId',
];

function flw(fx: ServerFixture, cmd: string): Promise<string> {
  return fourLetterWord(fx.server.host, fx.server.port, cmd);
}

function lines(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe.each(targets)('$label', (target) => {
  describe.skipIf(target.skip)(suiteName(target, 'four-letter words, whitelist *'), () => {
    const fx = useServer(target);

    it('ruok answers exactly imok and isro answers rw', async () => {
      expect(await flw(fx, 'ruok')).toBe('imok');
      expect(await flw(fx, 'isro')).toBe('rw');
    });

    it('srvr prints format A: the same lines in the same order and shapes', async () => {
      const got = lines(await flw(fx, 'srvr'));
      expect(got).toHaveLength(srvrLines.length);
      got.forEach((line, i) => expect(line).toMatch(srvrLines[i] ?? /^$/));
    });

    it('stat adds a Clients block (one line per connection, then an empty line) after the version', async () => {
      await fx.connect();
      const got = lines(await flw(fx, 'stat'));
      expect(got[1]).toBe('Clients:');
      const blank = got.indexOf('', 2);
      expect(blank).toBeGreaterThan(2);
      for (const client of got.slice(2, blank)) {
        expect(client).toMatch(/^ \/127\.0\.0\.1:\d+\[[0-9a-f]+\]\(queued=\d+,recved=\d+,sent=\d+[,)]/);
      }
      const rest = [got[0], ...got.slice(blank + 1)];
      rest.forEach((line, i) => expect(line).toMatch(srvrLines[i] ?? /^$/));
    });

    it('mntr prints tab-separated zk_ lines: version and state first, all core keys present', async () => {
      const got = lines(await flw(fx, 'mntr')).map((line) => line.split('\t'));
      for (const fields of got) expect(fields).toHaveLength(2);
      expect(got[0]?.[0]).toBe('zk_version');
      expect(got[1]).toEqual(['zk_server_state', 'standalone']);
      const keys = new Set(got.map((fields) => fields[0]));
      expect(mntrCoreKeys.filter((key) => !keys.has(key))).toEqual([]);
    });

    it('mntr reports the fsync and snapshot time summaries (avg as a double, min/max/cnt/sum as integers)', async () => {
      const c = await fx.connect();
      await c.create(`/mntr-${Date.now()}`);
      const values = new Map(lines(await flw(fx, 'mntr')).map((line) => line.split('\t') as [string, string]));
      for (const name of ['fsynctime', 'snapshottime']) {
        expect(values.get(`zk_avg_${name}`)).toMatch(/^\d+\.\d+(E\d+)?$/);
        for (const kind of ['min', 'max', 'cnt', 'sum']) expect(values.get(`zk_${kind}_${name}`)).toMatch(/^\d+$/);
      }
      // The create was fsynced before it was answered.
      expect(Number(values.get('zk_cnt_fsynctime'))).toBeGreaterThanOrEqual(1);
    });

    it('conf prints the standalone keys in order with the configured values', async () => {
      const got = lines(await flw(fx, 'conf')).map((line) => line.split('='));
      expect(got.map((kv) => kv[0])).toEqual(confKeys);
      const conf = new Map(got.map(([k, v]) => [k, v]));
      expect(conf.get('clientPort')).toBe(String(fx.server.port));
      expect(conf.get('tickTime')).toBe('2000');
      expect(conf.get('minSessionTimeout')).toBe('4000');
      expect(conf.get('maxSessionTimeout')).toBe('40000');
      expect(conf.get('serverId')).toBe('0');
      expect(conf.get('dataDir')).toMatch(/\/version-2$/);
    });

    it('wchs counts data watches (getData, exists) per connection and path, not child watches', async () => {
      const c = await fx.connect();
      await c.create('/fw');
      await c.create('/fw/a');
      await c.getData('/fw', { watch: true });
      await c.getData('/fw/a', { watch: true });
      await c.exists('/fw/missing', { watch: true });
      await c.exists('/fw', { watch: true });
      await c.getChildren('/fw', { watch: true });
      const expected = '1 connections watching 3 paths\nTotal watches:3\n';
      // Watches of connections closed by earlier tests go away with those connections.
      await until(async () => (await flw(fx, 'wchs')) === expected, { timeoutMs: 10_000, what: 'wchs' });
      await c.close();
      await until(async () => (await flw(fx, 'wchs')) === '0 connections watching 0 paths\nTotal watches:0\n', {
        timeoutMs: 10_000,
        what: 'wchs after close',
      });
    });
  });

  describe.skipIf(target.skip)(suiteName(target, 'four-letter words with a live session and a watch'), () => {
    const fx = useServer(target);

    let round = 0;
    /**
     * A session holding a data watch on /lwN and an exists watch on /lwN/eph (an ephemeral it
     * owns), once the sessions and watches of earlier tests (closed after each) are gone.
     */
    async function watchingSession(): Promise<{ sid: string; dir: string }> {
      await until(async () => (await flw(fx, 'wchs')).startsWith('0 connections'), { timeoutMs: 10_000, what: 'no watches left' });
      const dir = `/lw${round++}`;
      const c = await fx.connect();
      await c.create(dir);
      await c.create(`${dir}/eph`, null, { mode: CreateMode.ephemeral });
      await c.getData(dir, { watch: true });
      await c.exists(`${dir}/eph`, { watch: true });
      return { sid: `0x${c.sessionId.toString(16)}`, dir };
    }

    it('cons prints the long form (format C) for a connection with a session, then an empty line', async () => {
      const { sid } = await watchingSession();
      const got = lines(await flw(fx, 'cons'));
      expect(got.at(-1)).toBe('');
      const mine = got.filter((line) => line.includes(`,sid=${sid},`));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(
        /^ \/127\.0\.0\.1:\d+\[[0-9a-f]+\]\(queued=\d+,recved=\d+,sent=\d+,sid=0x[0-9a-f]+,lop=[A-Z0-9]+,est=\d+,to=\d+,lcxid=0x[0-9a-f]+,lzxid=0x[0-9a-f]+,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)$/,
      );
      // The connection asking has no session: the short form.
      for (const line of got.slice(0, -1).filter((line) => !line.includes(',sid='))) {
        expect(line).toMatch(/^ \/127\.0\.0\.1:\d+\[[0-9a-f]+\]\(queued=\d+,recved=\d+,sent=\d+\)$/);
      }
    });

    it('wchc lists the session then its watched paths; wchp lists each path then its sessions', async () => {
      const { sid, dir } = await watchingSession();
      const byConnection = await flw(fx, 'wchc');
      const connectionBlock = lines(byConnection);
      expect(connectionBlock[0]).toBe(sid);
      expect(connectionBlock.slice(1, 3).sort()).toEqual([`\t${dir}`, `\t${dir}/eph`]);
      expect(connectionBlock.slice(3)).toEqual(['']);
      const byPath = lines(await flw(fx, 'wchp'));
      const pairs = [`${byPath[0]} ${byPath[1]}`, `${byPath[2]} ${byPath[3]}`].sort();
      expect(pairs).toEqual([`${dir} \t${sid}`, `${dir}/eph \t${sid}`]);
      expect(byPath.slice(4)).toEqual(['']);
    });

    it('dump lists sessions, the ephemerals of each session, and connections (format D)', async () => {
      const { sid, dir } = await watchingSession();
      const got = lines(await flw(fx, 'dump'));
      expect(got[0]).toBe('SessionTracker dump:');
      expect(got[1]).toMatch(/^Session Sets \(\d+\)\/\(1\):$/);
      const ephemerals = got.indexOf('ephemeral nodes dump:');
      expect(ephemerals).toBeGreaterThan(3);
      // Session buckets in expiry order. ZooKeeper keeps a bucket its sessions have moved out of
      // until its expirer passes it, so a "0 expire at ...:" line with no sessions may come first.
      const bucket = /^(\d+) expire at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}:$/;
      const sessionLines = got.slice(2, ephemerals);
      expect(sessionLines[0]).toMatch(bucket);
      let counted = 0;
      for (const line of sessionLines) {
        const head = bucket.exec(line);
        if (head) counted += Number(head[1]);
        else expect(line).toMatch(/^\t0x[0-9a-f]+$/);
      }
      expect(sessionLines.filter((line) => line.startsWith('\t'))).toEqual([`\t${sid}`]);
      expect(counted).toBe(1);
      expect(got.slice(ephemerals + 1, ephemerals + 4)).toEqual(['Sessions with Ephemerals (1):', `${sid}:`, `\t${dir}/eph`]);
      const connections = got.indexOf('Connections dump:');
      expect(connections).toBe(ephemerals + 4);
      expect(got[connections + 1]).toMatch(/^Connections Sets \(\d+\)\/\(2\):$/);
      // Buckets follow each server's own connection-expiry rounding; each line is a bucket or a connection.
      const connectionLines = got.slice(connections + 2);
      for (const line of connectionLines) expect(line).toMatch(/^(\d+ expire at .+:|\tip: \/127\.0\.0\.1:\d+ sessionId: 0x[0-9a-f]+)$/);
      expect(connectionLines.filter((line) => line.endsWith(` sessionId: ${sid}`))).toHaveLength(1);
      expect(connectionLines.filter((line) => line.endsWith(' sessionId: 0x0'))).toHaveLength(1);
    });

    it('envi prints Environment: then key=value lines, with the keys both servers can report', async () => {
      const got = lines(await flw(fx, 'envi'));
      expect(got[0]).toBe('Environment:');
      const keys = got.slice(1).map((line) => {
        expect(line).toMatch(/^[A-Za-z.]+=/);
        return line.slice(0, line.indexOf('='));
      });
      // ZooKeeper adds java.* keys in between; Corral reports node.* ones there (it has no JVM).
      const shared = ['zookeeper.version', 'host.name', 'os.name', 'os.arch', 'os.version', 'user.name', 'user.home', 'user.dir', 'os.memory.free', 'os.memory.max', 'os.memory.total'];
      expect(keys.filter((key) => shared.includes(key))).toEqual(shared);
    });

    it('crst answers "Connection stats reset." and zeroes the per-connection counters', async () => {
      const { sid } = await watchingSession();
      expect(await flw(fx, 'crst')).toBe('Connection stats reset.\n');
      const mine = lines(await flw(fx, 'cons')).find((line) => line.includes(`,sid=${sid},`));
      expect(mine).toMatch(/\(queued=0,recved=0,sent=0,sid=/);
      // lcxid is left out once reset to -1; lzxid prints -1 as an unsigned hex.
      expect(mine).toMatch(/,lop=NA,est=\d+,to=\d+,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0\)$/);
    });

    it('srst answers "Server stats reset." and restarts the server counters', async () => {
      await watchingSession();
      expect(await flw(fx, 'srst')).toBe('Server stats reset.\n');
      const srvr = lines(await flw(fx, 'srvr'));
      expect(srvr[1]).toBe('Latency min/avg/max: 0/0.0/0');
      expect(srvr[2]).toMatch(/^Received: [0-2]$/);
      expect(srvr[3]).toMatch(/^Sent: [0-2]$/);
    });
  });

  describe.skipIf(target.skip)(suiteName(target, 'four-letter words, restricted whitelist'), () => {
    const fx = useServer(target, { '4lw.commands.whitelist': 'ruok, conf' });

    it('a command off the whitelist gets the exact refusal text; srvr is always allowed', async () => {
      expect(await flw(fx, 'mntr')).toBe('mntr is not executed because it is not in the whitelist.\n');
      expect(await flw(fx, 'wchs')).toBe('wchs is not executed because it is not in the whitelist.\n');
      expect(await flw(fx, 'ruok')).toBe('imok');
      expect(await flw(fx, 'srvr')).toMatch(/^Zookeeper version: /);
      expect(await flw(fx, 'conf')).toMatch(/^clientPort=/);
    });
  });
});
