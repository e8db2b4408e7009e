// The data commands run as a user would (`node dist/cli/run.js ...`, `npm run build` first)
// against a real Corral server: text and --json output, zkCli-worded errors, exit codes, and how
// the server address is found (--server, ZOOKEEPER_CONNECT, .env).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { corralBin } from '../helpers/corral.js';
import { reapAll, startCorral, tempDir, type ServerHandle, type TempDir } from '../helpers/index.js';
import { type CliEnv, runCli, runJson, stopAll } from './cli-process.js';

let server: ServerHandle;
let dir: TempDir;
let cli: CliEnv;

beforeAll(async () => {
  if (!existsSync(corralBin)) throw new Error(`${corralBin} is missing; run \`npm run build\` first`);
  server = await startCorral({ cfg: { extendedTypesEnabled: 'true' } });
});

beforeEach(async () => {
  dir = await tempDir('corral-cli-data-');
  cli = { cwd: dir.path, env: { ZOOKEEPER_CONNECT: server.connectString, HOME: dir.path } };
});

afterEach(async () => {
  await stopAll();
  await dir.cleanup();
});

afterAll(async () => {
  await server.dispose();
  await reapAll();
});

describe('corral create, get, set, ls, stat, rm', () => {
  it('create then get prints the data; set changes it and bumps the version', async () => {
    expect(await runCli(cli, ['create', '/crud', 'hello'])).toMatchObject({ code: 0, stdout: 'Created /crud\n' });
    expect((await runCli(cli, ['get', '/crud'])).stdout).toBe('hello');
    expect((await runCli(cli, ['set', '/crud', 'world'])).code).toBe(0);
    const got = (await runJson(cli, ['get', '-s', '/crud'])) as { data: string; stat: { version: number; dataLength: number } };
    expect(got.data).toBe('world');
    expect(got.stat).toMatchObject({ version: 1, dataLength: 5 });
  });

  it('get of a missing node says "Node does not exist: /x" on stderr and exits 1', async () => {
    const result = await runCli(cli, ['get', '/no-such-node']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Node does not exist: /no-such-node');
    expect(result.stdout).toBe('');
  });

  it('--json errors carry the ZooKeeper code and the exit code on stdout', async () => {
    const result = await runCli(cli, ['stat', '/no-such-node', '--json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { error: { zkCode: number; zkCodeName: string; exitCode: number; path: string } };
    expect(body.error).toMatchObject({ zkCode: -101, zkCodeName: 'NoNode', exitCode: 1, path: '/no-such-node' });
  });

  it('create of an existing node exits 1 with "Node already exists"', async () => {
    await runCli(cli, ['create', '/dup']);
    const result = await runCli(cli, ['create', '/dup']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Node already exists: /dup');
  });

  it('set -v with a stale version exits 1 (BadVersion) and leaves the data alone', async () => {
    await runCli(cli, ['create', '/versioned', 'v0']);
    await runCli(cli, ['set', '/versioned', 'v1']);
    const stale = await runCli(cli, ['set', '-v', '0', '/versioned', 'lost']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('/versioned');
    expect((await runCli(cli, ['get', '/versioned'])).stdout).toBe('v1');
    expect((await runCli(cli, ['set', '-v', '1', '/versioned', 'v2'])).code).toBe(0);
  });

  it('ls lists children sorted, one per line; ls -s adds the Stat; --json gives both', async () => {
    await runCli(cli, ['create', '-p', '/list/b']);
    await runCli(cli, ['create', '/list/a']);
    expect((await runCli(cli, ['ls', '/list'])).stdout).toBe('a\nb\n');
    expect((await runCli(cli, ['ls', '-s', '/list'])).stdout).toMatch(/^a\nb\ncZxid = 0x[0-9a-f]+\n[\s\S]*numChildren = 2\n$/);
    const json = (await runJson(cli, ['ls', '-s', '/list'])) as { children: string[]; stat: { numChildren: number } };
    expect(json.children).toEqual(['a', 'b']);
    expect(json.stat.numChildren).toBe(2);
  });

  it('ls -R lists every descendant by full path, depth first', async () => {
    await runCli(cli, ['create', '-p', '/deep/x/y']);
    await runCli(cli, ['create', '/deep/z']);
    expect((await runCli(cli, ['ls', '-R', '/deep'])).stdout).toBe('/deep/x\n/deep/x/y\n/deep/z\n');
  });

  it('create -s appends a sequence suffix (-s means sequential on create, as in zkCli)', async () => {
    await runCli(cli, ['create', '/seq']);
    const first = (await runJson(cli, ['create', '-s', '/seq/job-', 'x'])) as { path: string };
    const second = (await runJson(cli, ['create', '-s', '/seq/job-', 'y'])) as { path: string };
    expect(first.path).toMatch(/^\/seq\/job-\d{10}$/);
    expect(second.path > first.path).toBe(true);
  });

  it('create -e makes an ephemeral node that is gone once the command has exited', async () => {
    const created = (await runJson(cli, ['create', '-e', '/eph'])) as { path: string };
    expect(created.path).toBe('/eph');
    expect((await runCli(cli, ['stat', '/eph'])).code).toBe(1);
  });

  it('create --ttl and --container make nodes of those kinds', async () => {
    expect((await runCli(cli, ['create', '--ttl', '600000', '/ttl-node'])).code).toBe(0);
    expect((await runCli(cli, ['create', '--container', '/container-node'])).code).toBe(0);
    // Both kinds report ephemeralOwner 0 on the wire (reference §6.3); the markers stay on the server.
    for (const path of ['/ttl-node', '/container-node']) {
      const stat = (await runJson(cli, ['stat', path])) as { stat: { ephemeralOwner: string } };
      expect(stat.stat.ephemeralOwner).toBe('0x0');
    }
  });

  it('create with contradicting modes is a usage error (exit 2) before connecting', async () => {
    const result = await runCli(cli, ['create', '-e', '--container', '/bad', '--server', '127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('container');
  });

  it('rm of a node with children says what to do and exits 1; rm -r deletes the subtree', async () => {
    await runCli(cli, ['create', '-p', '/tree-rm/a/b']);
    const refused = await runCli(cli, ['rm', '/tree-rm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Node not empty: /tree-rm');
    expect(refused.stderr).toContain('rm -r');
    const removed = (await runJson(cli, ['rm', '-r', '/tree-rm'])) as { deleted: string[] };
    expect(removed.deleted).toEqual(['/tree-rm/a/b', '/tree-rm/a', '/tree-rm']);
    expect((await runCli(cli, ['stat', '/tree-rm'])).code).toBe(1);
  });

  it('delete is an alias of rm', async () => {
    await runCli(cli, ['create', '/alias-del']);
    expect((await runCli(cli, ['delete', '/alias-del'])).code).toBe(0);
    expect((await runCli(cli, ['stat', '/alias-del'])).code).toBe(1);
  });

  it('stat prints the zkCli fields', async () => {
    await runCli(cli, ['create', '/stat-me', 'abc']);
    const { stdout } = await runCli(cli, ['stat', '/stat-me']);
    for (const field of ['cZxid', 'ctime', 'mZxid', 'mtime', 'pZxid', 'cversion', 'dataVersion', 'aclVersion', 'ephemeralOwner', 'numChildren']) {
      expect(stdout).toMatch(new RegExp(`^${field} = `, 'm'));
    }
    expect(stdout).toMatch(/^dataLength = 3$/m);
  });
});

describe('corral tree, sync, acl', () => {
  it('tree draws the subtree with sorted children', async () => {
    await runCli(cli, ['create', '-p', '/drawn/b/c']);
    await runCli(cli, ['create', '/drawn/a']);
    expect((await runCli(cli, ['tree', '/drawn'])).stdout).toBe('/drawn\n├── a\n└── b\n    └── c\n');
    const json = (await runJson(cli, ['tree', '/drawn'])) as { children: { name: string; children: unknown[] }[] };
    expect(json.children.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('sync succeeds on an existing path', async () => {
    await runCli(cli, ['create', '/synced']);
    expect(await runCli(cli, ['sync', '/synced'])).toMatchObject({ code: 0, stdout: 'Sync is OK for /synced\n' });
  });

  it('acl prints world:anyone:cdrwa by default; --set with digest locks others out (exit 1) until --auth', async () => {
    await runCli(cli, ['create', '/guarded', 'secret']);
    expect((await runCli(cli, ['acl', '/guarded'])).stdout).toBe('world:anyone:cdrwa\n');
    const set = await runCli(cli, ['acl', '/guarded', '--set', 'auth::cdrwa', '--auth', 'digest:alice:pw']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^digest:alice:[A-Za-z0-9+/=]+:cdrwa\n$/);
    const denied = await runCli(cli, ['get', '/guarded']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Insufficient permission: /guarded');
    expect((await runCli(cli, ['get', '/guarded', '--auth', 'digest:alice:pw'])).stdout).toBe('secret');
  });

  it('acl --set with a malformed entry is a usage error (exit 2)', async () => {
    const result = await runCli(cli, ['acl', '/', '--set', 'world:anyone:xyz']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown permission');
  });
});

describe('finding the server and exit codes', () => {
  it('reads ZOOKEEPER_CONNECT from a .env file in the working directory', async () => {
    await writeFile(join(dir.path, '.env'), `ZOOKEEPER_CONNECT=${server.connectString}\n`);
    const result = await runCli({ cwd: dir.path, env: { HOME: dir.path } }, ['ls', '/']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('zookeeper');
  });

  it('--server wins over ZOOKEEPER_CONNECT', async () => {
    const result = await runCli({ cwd: dir.path, env: { ZOOKEEPER_CONNECT: '127.0.0.1:1' } }, ['ls', '/', '--server', server.connectString]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('an unreachable server exits 3 with advice, not a stack trace', async () => {
    const result = await runCli(cli, ['ls', '/', '--server', '127.0.0.1:1', '--connect-timeout-ms', '1000']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Cannot connect to 127.0.0.1:1');
    expect(result.stderr).toContain('ZOOKEEPER_CONNECT');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('a missing argument is a usage error (exit 2)', async () => {
    const result = await runCli(cli, ['get']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Missing 1 required arg');
  });

  it('an invalid connect string is a usage error (exit 2)', async () => {
    const result = await runCli(cli, ['ls', '/', '--server', 'host:notaport']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid connect string');
  });

  it('an invalid path is reported with the reason and exits 1', async () => {
    const result = await runCli(cli, ['get', 'no-slash']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no-slash');
  });

  it('--help lists the data commands', async () => {
    const { stdout } = await runCli(cli, ['--help']);
    for (const name of ['acl', 'create', 'export', 'get', 'import', 'ls', 'pull', 'push', 'rm', 'set', 'shell', 'stat', 'sync', 'tree', 'watch']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
    }
  });
});
