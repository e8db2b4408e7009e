import { afterEach, describe, expect, it } from 'vitest';
import { cliMtAvailability, CliMtSession } from './clients/cli-mt.js';
import { nextMember } from '../helpers/index.js';
import { ensembleTargets, suiteName, useServer } from './targets.js';

/**
 * The ZooKeeper C client's shell, cli_mt (zookeeper-bin), driven through stdin one command at a
 * time. Each command's output lines, normalised (times, zxids, session ids, child order), must be
 * the ones Apache ZooKeeper 3.8.0 gives.
 */

/** The Stat block cli_mt prints (dumpStat), normalised. */
function statLines(fields: { version: number; aversion?: string; owner?: string }): string[] {
  return [
    '\tctime = <time>',
    '\tczxid=<zxid>',
    '\tmtime=<time>',
    '\tmzxid=<zxid>',
    `\tversion=${fields.version}\taversion=${fields.aversion ?? '0'}`,
    `\tephemeralOwner = ${fields.owner ?? '0'}`,
  ];
}

/** What `get PATH` prints for a node holding `data`. */
function getLines(path: string, data: string, fields: { version: number; aversion?: string; owner?: string }): string[] {
  return [`${path}: rc = 0`, ` value_len = ${data.length}`, ...(data === '' ? [] : [data]), 'Stat:', ...statLines(fields)];
}

const cli = cliMtAvailability();

describe.each(ensembleTargets)('$label', (target) => {
  const name = cli.ok ? suiteName(target, 'C client cli_mt') : `C client cli_mt SKIPPED: ${cli.reason}`;
  describe.skipIf(target.skip || !cli.ok)(name, () => {
    const fx = useServer(target);
    const sessions: CliMtSession[] = [];
    const memberTurn = { next: 0 };
    const start = async () => {
      const session = await CliMtSession.start(nextMember(fx.server.connectString, memberTurn));
      sessions.push(session);
      return (line: string) => session.command(line);
    };
    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((session) => session.close()));
    });

    it('create, set, get, create2, ls, ls2, exists, delete print the same outcome lines', async () => {
      const cmd = await start();
      // cli_mt's create takes no data argument: every node it creates holds "new".
      expect(await cmd('create /cm')).toEqual(['[/cm]: rc = 0', '\tname = /cm']);
      expect(await cmd('set /cm hello')).toEqual(['/cm: rc = 0 Stat:', ...statLines({ version: 1 })]);
      expect(await cmd('get /cm')).toEqual(getLines('/cm', 'hello', { version: 1 }));
      expect(await cmd('create /cm/a')).toEqual(['[/cm/a]: rc = 0', '\tname = /cm/a']);
      expect(await cmd('create2 /cm/b')).toEqual(['[/cm/b]: rc = 0', '\tname = /cm/b', ...statLines({ version: 0 })]);
      // get and ls leave watches behind; the create below fires the child watch set by ls.
      expect(await cmd('ls /cm')).toEqual(['/cm: rc = 0', '\ta', '\tb']);
      expect(await cmd('ls2 /cm')).toEqual(['/cm: rc = 0', '\ta', '\tb', ...statLines({ version: 1 })]);
      expect(await cmd('exists /cm')).toEqual([]);
      expect(await cmd('create /cm/c')).toEqual([
        'Watcher CHILD_EVENT state = CONNECTED_STATE for path /cm',
        '[/cm/c]: rc = 0',
        '\tname = /cm/c',
      ]);
      expect(await cmd('get /cm/c')).toEqual(getLines('/cm/c', 'new', { version: 0 }));
      expect(await cmd('delete /cm/c')).toEqual([
        'Watcher DELETED_EVENT state = CONNECTED_STATE for path /cm/c',
        '/cm/c: rc = 0',
      ]);
      expect(await cmd('sync /cm')).toEqual(['[/cm]: rc = 0', '\tname = /cm']);
    });

    it('error codes: NodeExists, NoNode, NotEmpty, BadArguments for /zookeeper', async () => {
      const cmd = await start();
      await cmd('create /err');
      await cmd('create /err/child');
      expect(await cmd('create /err')).toEqual(['[/err]: rc = -110']);
      expect(await cmd('delete /err')).toEqual(['/err: rc = -111']);
      expect(await cmd('create /nope/x')).toEqual(['[/nope/x]: rc = -101']);
      expect(await cmd('get /nope')).toEqual(['/nope: rc = -101', 'Stat:', 'null']);
      expect(await cmd('set /nope x')).toEqual(['/nope: rc = -101 Stat:', 'null']);
      expect(await cmd('delete /nope')).toEqual(['/nope: rc = -101']);
      expect(await cmd('ls /nope')).toEqual(['/nope: rc = -101']);
      expect(await cmd('exists /nope')).toEqual(['Error -101 for /nope']);
      expect(await cmd('delete /zookeeper')).toEqual(['/zookeeper: rc = -8']);
    });

    it('create flags: ephemeral, sequential, container; TTL without extended types is Unimplemented', async () => {
      const cmd = await start();
      await cmd('create /modes');
      expect(await cmd('create +e /modes/e')).toEqual(['[/modes/e]: rc = 0', '\tname = /modes/e']);
      expect(await cmd('create +s /modes/s-')).toEqual(['[/modes/s-]: rc = 0', '\tname = /modes/s-0000000001']);
      expect(await cmd('create +es /modes/es-')).toEqual(['[/modes/es-]: rc = 0', '\tname = /modes/es-0000000002']);
      expect(await cmd('create +c /modes/c')).toEqual(['[/modes/c]: rc = 0', '\tname = /modes/c']);
      expect(await cmd('create +t=1000 /modes/t')).toEqual(['[/modes/t]: rc = -6']);
      expect(await cmd('create2 +e /modes/e2')).toEqual([
        '[/modes/e2]: rc = 0',
        '\tname = /modes/e2',
        ...statLines({ version: 0, owner: '<session>' }),
      ]);
      expect(await cmd('get /modes/e')).toEqual(getLines('/modes/e', 'new', { version: 0, owner: '<session>' }));
      expect(await cmd('ls /modes')).toEqual(['/modes: rc = 0', '\tc', '\te', '\te2', '\tes-0000000002', '\ts-0000000001']);
    });

    it('watches: data, child and exists watches fire once, as Watcher lines before the reply', async () => {
      const cmd = await start();
      await cmd('create /w');
      expect(await cmd('get /w')).toEqual(getLines('/w', 'new', { version: 0 }));
      expect(await cmd('ls /w')).toEqual(['/w: rc = 0']);
      expect(await cmd('wexists /w/x')).toEqual(['Error -101 for /w/x']);
      expect(await cmd('set /w v1')).toEqual([
        'Watcher CHANGED_EVENT state = CONNECTED_STATE for path /w',
        '/w: rc = 0 Stat:',
        ...statLines({ version: 1 }),
      ]);
      expect(await cmd('create /w/x')).toEqual([
        'Watcher CREATED_EVENT state = CONNECTED_STATE for path /w/x',
        'Watcher CHILD_EVENT state = CONNECTED_STATE for path /w',
        '[/w/x]: rc = 0',
        '\tname = /w/x',
      ]);
      expect(await cmd('delete /w/x')).toEqual(['/w/x: rc = 0']);
      expect(await cmd('set /w v2')).toEqual(['/w: rc = 0 Stat:', ...statLines({ version: 2 })]);
    });

    it('config and the /zookeeper subtree read the same', async () => {
      const cmd = await start();
      const configLines = getLines('/zookeeper/config', '', { version: 0, aversion: 'ffffffff' });
      expect(await cmd('config')).toEqual(configLines);
      expect(await cmd('get /zookeeper/config')).toEqual(configLines);
      expect(await cmd('ls /zookeeper')).toEqual(['/zookeeper: rc = 0', '\tconfig', '\tquota']);
      expect(await cmd('create /zookeeper/x')).toEqual([
        'Watcher CHILD_EVENT state = CONNECTED_STATE for path /zookeeper',
        '[/zookeeper/x]: rc = 0',
        '\tname = /zookeeper/x',
      ]);
    });
  });
});
