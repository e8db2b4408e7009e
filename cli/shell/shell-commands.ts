/**
 * The commands of `corral shell`, named and flagged as in zkCli.sh (ls, get, set, create,
 * delete, deleteall, stat, getAcl, setAcl, sync, addauth, ...). Each takes the words after its
 * name and returns the text to print; a failure becomes a message and an exit status, and the
 * shell goes on.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { ZkClient } from '../../client/index.js';
import { ErrorCode, ZkError, zkErrorFromCode } from '../../protocol/index.js';
import { createModeOf } from '../create-mode.js';
import { describeZkError } from '../error-messages.js';
import { ExitCode, UsageError, exitCodeOf } from '../exit-codes.js';
import { encodeData, formatAcl, formatStat, joinZnodePath, parseAclList, statToJson } from '../format.js';
import { depthFirst, readTree } from '../remote-tree.js';
import { type Change, applyChanges } from '../tree-sync.js';
import { tokenize } from './tokenize.js';

/** One shell command: its usage line and what it does with the words after its name. */
interface ShellCommand {
  readonly usage: string;
  readonly run: (args: string[], client: ZkClient) => Promise<string | null>;
}

/** The outcome of one line: its exit status (cli/exit-codes.ts), the text to print, and whether to quit. */
export interface LineOutcome {
  readonly status: number;
  readonly output: string | null;
  readonly error: string | null;
  readonly isQuit: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with positionals, turning its errors into usage errors. */
function parse<O extends Options>(args: string[], options: O, positionalsMin: number, positionalsMax: number): { values: Record<string, unknown>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Record<string, unknown>; positionals: string[] };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.positionals.length < positionalsMin || parsed.positionals.length > positionalsMax) throw new UsageError('wrong number of arguments');
  return parsed;
}

function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n)) throw new UsageError(`-${name} expects an integer, got ${JSON.stringify(value)}`);
  return n;
}

function pathArg(positionals: readonly string[], index = 0): string {
  return positionals[index] ?? '/';
}

const commands: Readonly<Record<string, ShellCommand>> = {
  ls: {
    usage: 'ls [-s] [-R] path',
    run: async (args, client) => {
      const { values, positionals } = parse(args, { stat: { type: 'boolean', short: 's' }, recursive: { type: 'boolean', short: 'R' } }, 0, 1);
      const path = pathArg(positionals);
      if (values['recursive'] === true) {
        const tree = await readTree(client, path);
        if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
        return depthFirst(tree).map((relative) => joinZnodePath(path, relative)).join('\n');
      }
      const { children, stat } = await client.getChildrenWithStat(path);
      const list = `[${children.sort().join(', ')}]`;
      return values['stat'] === true ? `${list}\n${formatStat(statToJson(stat))}` : list;
    },
  },
  get: {
    usage: 'get [-s] path',
    run: async (args, client) => {
      const { values, positionals } = parse(args, { stat: { type: 'boolean', short: 's' } }, 1, 1);
      const { data, stat } = await client.getData(pathArg(positionals));
      const encoded = encodeData(data);
      const text = encoded.data === null ? 'null' : encoded.encoding === 'base64' ? `(binary, base64) ${encoded.data}` : encoded.data;
      return values['stat'] === true ? `${text}\n${formatStat(statToJson(stat))}` : text;
    },
  },
  set: {
    usage: 'set [-s] [-v version] path data',
    run: async (args, client) => {
      const { values, positionals } = parse(args, { stat: { type: 'boolean', short: 's' }, version: { type: 'string', short: 'v' } }, 2, 2);
      const stat = await client.setData(pathArg(positionals), positionals[1] ?? '', intOption(values['version'], 'v') ?? -1);
      return values['stat'] === true ? formatStat(statToJson(stat)) : null;
    },
  },
  create: {
    usage: 'create [-s] [-e] [-c] [-t ttl] path [data] [acl]',
    run: async (args, client) => {
      const flags = { sequential: { type: 'boolean', short: 's' }, ephemeral: { type: 'boolean', short: 'e' }, container: { type: 'boolean', short: 'c' }, ttl: { type: 'string', short: 't' } } as const;
      const { values, positionals } = parse(args, flags, 1, 3);
      const ttl = intOption(values['ttl'], 't');
      const mode = createModeOf({ sequential: values['sequential'] === true, ephemeral: values['ephemeral'] === true, container: values['container'] === true, ttl });
      const acl = positionals[2] === undefined ? undefined : parseAclList(positionals[2]);
      const options = { mode, ...(ttl === undefined ? {} : { ttlMs: ttl }), ...(acl === undefined ? {} : { acl }) };
      return `Created ${await client.create(pathArg(positionals), positionals[1] ?? null, options)}`;
    },
  },
  delete: {
    usage: 'delete [-v version] path',
    run: async (args, client) => {
      const { values, positionals } = parse(args, { version: { type: 'string', short: 'v' } }, 1, 1);
      await client.delete(pathArg(positionals), intOption(values['version'], 'v') ?? -1);
      return null;
    },
  },
  deleteall: {
    usage: 'deleteall path',
    run: async (args, client) => {
      const path = pathArg(parse(args, {}, 1, 1).positionals);
      if (path === '/') throw new UsageError('refusing to delete / recursively');
      const tree = await readTree(client, path);
      if (tree === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
      const deletes: Change[] = depthFirst(tree).reverse().map((relative) => ({ op: 'delete', path: joinZnodePath(path, relative), version: -1 }));
      await applyChanges(client, deletes);
      return null;
    },
  },
  stat: {
    usage: 'stat path',
    run: async (args, client) => {
      const path = pathArg(parse(args, {}, 1, 1).positionals);
      const stat = await client.exists(path);
      if (stat === null) throw zkErrorFromCode(ErrorCode.NoNode, path);
      return formatStat(statToJson(stat));
    },
  },
  getAcl: {
    usage: 'getAcl path',
    run: async (args, client) => {
      const { acl } = await client.getACL(pathArg(parse(args, {}, 1, 1).positionals));
      return acl.map(formatAcl).join('\n');
    },
  },
  setAcl: {
    usage: 'setAcl [-v version] path acl',
    run: async (args, client) => {
      const { values, positionals } = parse(args, { version: { type: 'string', short: 'v' } }, 2, 2);
      await client.setACL(pathArg(positionals), parseAclList(positionals[1] ?? ''), intOption(values['version'], 'v') ?? -1);
      return null;
    },
  },
  sync: {
    usage: 'sync path',
    run: async (args, client) => {
      const path = pathArg(parse(args, {}, 1, 1).positionals);
      await client.sync(path);
      return `Sync is OK for ${path}`;
    },
  },
  addauth: {
    usage: 'addauth scheme auth',
    run: async (args, client) => {
      const { positionals } = parse(args, {}, 2, 2);
      await client.addAuth(positionals[0] ?? '', positionals[1] ?? '');
      return null;
    },
  },
  whoami: {
    usage: 'whoami',
    run: async (args, client) => {
      parse(args, {}, 0, 0);
      return (await client.whoAmI()).map((info) => `${info.authScheme}:${info.user}`).join('\n');
    },
  },
};

/** Other names for commands, as zkCli and Unix users type them. */
const aliases: Readonly<Record<string, string>> = { rm: 'delete', rmr: 'deleteall', getacl: 'getAcl', setacl: 'setAcl' };

/** Every word the shell understands as a command (for completion and help). */
export const shellCommandNames: readonly string[] = [...Object.keys(commands), ...Object.keys(aliases), 'help', 'quit', 'exit'].sort();

/** The text of `help`. */
export function helpText(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}`);
  return ['Commands (paths are absolute; quote data with spaces):', ...lines, '  rm = delete, rmr = deleteall', '  help', '  quit | exit'].join('\n');
}

/** Runs one line of input against `client`; never throws for ZooKeeper outcomes or bad input. */
export async function runShellLine(line: string, client: ZkClient): Promise<LineOutcome> {
  let words: string[];
  try {
    words = tokenize(line);
  } catch (err) {
    return failure(err, null);
  }
  const [name, ...args] = words;
  if (name === undefined) return { status: ExitCode.Ok, output: null, error: null, isQuit: false };
  if (name === 'quit' || name === 'exit') return { status: ExitCode.Ok, output: null, error: null, isQuit: true };
  if (name === 'help') return { status: ExitCode.Ok, output: helpText(), error: null, isQuit: false };
  const command = commands[aliases[name] ?? name];
  if (command === undefined) return { status: ExitCode.Usage, output: null, error: `unknown command ${JSON.stringify(name)}; type help for the list`, isQuit: false };
  try {
    return { status: ExitCode.Ok, output: await command.run(args, client), error: null, isQuit: false };
  } catch (err) {
    return failure(err, command.usage);
  }
}

function failure(err: unknown, usage: string | null): LineOutcome {
  if (!(err instanceof Error)) throw err;
  const status = exitCodeOf(err);
  const message = err instanceof ZkError ? describeZkError(err) : err.message;
  const withUsage = err instanceof UsageError && usage !== null ? `${message}\nusage: ${usage}` : message;
  return { status, output: null, error: withUsage, isQuit: false };
}
