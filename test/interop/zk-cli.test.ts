import { describe, expect, it } from 'vitest';
import { nextMember, zkCli, type ZkCliResult, zookeeperAvailability } from '../helpers/index.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';

/**
 * Makes zkCli output comparable across servers: zxids and times become placeholders, and the
 * child list printed by `ls` is sorted, since the server's child order is unspecified.
 */
function normalise(text: string): string {
  return text
    .replace(/^([cmp]Zxid = )0x[0-9a-f]+$/gm, '$1<zxid>')
    .replace(/^([cm]time = ).+$/gm, '$1<time>')
    .replace(/^\[(.*)\]$/gm, (_all, list: string) => `[${list.split(', ').sort().join(', ')}]`)
    .trim();
}

/** stdout and stderr of one run joined, normalised, with the exit code. */
function outcome(result: ZkCliResult): { out: string; code: number } {
  return { out: normalise(`${result.stdout}\n${result.stderr}`), code: result.exitCode };
}

function statBlock(fields: { dataVersion: number; dataLength: number; numChildren: number; cversion: number }): string {
  return [
    'cZxid = <zxid>',
    'ctime = <time>',
    'mZxid = <zxid>',
    'mtime = <time>',
    'pZxid = <zxid>',
    `cversion = ${fields.cversion}`,
    `dataVersion = ${fields.dataVersion}`,
    'aclVersion = 0',
    'ephemeralOwner = 0x0',
    `dataLength = ${fields.dataLength}`,
    `numChildren = ${fields.numChildren}`,
  ].join('\n');
}

/** zkCli.sh comes with ZooKeeper, so without it even the Corral half of this file is skipped. */
const cli = zookeeperAvailability();

describe.each(ensembleTargets)('$label', (target) => {
  const name = cli.ok ? suiteName(target, 'zkCli.sh') : `zkCli.sh SKIPPED: zkCli.sh is not installed: ${cli.reason}`;
  describe.skipIf(target.skip || !cli.ok)(name, () => {
    const fx = useServer(target);
    const memberTurn = { next: 0 };
    const cli = async (...args: string[]) => outcome(await zkCli(nextMember(fx.server.connectString, memberTurn), args));

    it('create, get, set, get -s and stat print the same outcomes', async () => {
      expect(await cli('create', '/cli', 'hello')).toEqual({ out: 'Created /cli', code: 0 });
      expect(await cli('get', '/cli')).toEqual({ out: 'hello', code: 0 });
      expect(await cli('stat', '/cli')).toEqual({
        out: statBlock({ dataVersion: 0, dataLength: 5, numChildren: 0, cversion: 0 }),
        code: 0,
      });
      expect(await cli('set', '/cli', 'world!')).toEqual({ out: '', code: 0 });
      expect(await cli('get', '-s', '/cli')).toEqual({
        out: `world!\n${statBlock({ dataVersion: 1, dataLength: 6, numChildren: 0, cversion: 0 })}`,
        code: 0,
      });
    });

    it('ls lists children; ls /zookeeper shows the built-in nodes', async () => {
      await cli('create', '/ls');
      await cli('create', '/ls/b');
      await cli('create', '/ls/a');
      expect(await cli('ls', '/ls')).toEqual({ out: '[a, b]', code: 0 });
      expect(await cli('ls', '/zookeeper')).toEqual({ out: '[config, quota]', code: 0 });
    });

    it('errors: create of an existing node, delete of a missing one, delete of a non-empty one', async () => {
      await cli('create', '/err');
      await cli('create', '/err/child');
      expect(await cli('create', '/err')).toEqual({ out: 'Node already exists: /err', code: 1 });
      expect(await cli('delete', '/err/nope')).toEqual({ out: 'Node does not exist: /err/nope', code: 1 });
      expect(await cli('delete', '/err')).toEqual({ out: 'Node not empty: /err', code: 1 });
      expect(await cli('create', '/nope/child')).toEqual({ out: 'Node does not exist: /nope/child', code: 1 });
    });

    it('delete removes a leaf; deleteall removes a subtree', async () => {
      await cli('create', '/tree');
      await cli('create', '/tree/a');
      await cli('create', '/tree/a/b');
      await cli('create', '/leaf');
      expect(await cli('delete', '/leaf')).toEqual({ out: '', code: 0 });
      expect(await cli('deleteall', '/tree')).toEqual({ out: '', code: 0 });
      expect(await cli('ls', '/tree')).toEqual({ out: 'Node does not exist: /tree', code: 1 });
    });

    it('delete /zookeeper is refused with BadArguments', async () => {
      expect(await cli('delete', '/zookeeper')).toEqual({ out: 'Arguments are not valid : /zookeeper', code: 1 });
    });
  });
});
