/**
 * `corral shell`: an interactive zkCli-like shell (node:readline) with history and tab
 * completion of znode paths. With stdin not a terminal it reads commands line by line, prints
 * no prompt, and exits with the status of the last command.
 */
import { createInterface, type Interface } from 'node:readline';
import type { ZkClient } from '../../client/index.js';
import { isTerminal } from '../../client/index.js';
import { connectClient, connectionFlags, resolveConnectString } from '../connect.js';
import { DataCommand } from '../data-command.js';
import { ExitCode, InterruptedError } from '../exit-codes.js';
import { complete } from '../shell/completer.js';
import { appendHistory, historyPath, loadHistory, maxHistoryLines } from '../shell/history.js';
import { runShellLine, shellCommandNames } from '../shell/shell-commands.js';

/** How the shell ended. */
interface ShellResult {
  readonly status: number;
  readonly commands: number;
}

/** Runs the interactive shell. */
export default class Shell extends DataCommand<typeof Shell> {
  static override summary = 'Open an interactive zkCli-like shell (ls, get, set, create, delete, deleteall, stat, ...).';

  static override description =
    'Type help for the commands. Tab completes command names and znode paths; history is kept in ' +
    '~/.corral_history (or $CORRAL_HISTORY). When stdin is not a terminal, commands are read line by line and the ' +
    'exit status is that of the last command (0 ok, 1 ZooKeeper error, 2 usage, 3 connection lost). With --json, ' +
    'each command line prints one JSON object on its own line: {"command","status","output","error"}.';

  static override examples = ['<%= config.bin %> shell --server zk1:2181', 'printf "create /a x\\nget /a\\n" | <%= config.bin %> shell'];

  static override flags = { ...connectionFlags };

  protected override async execute(): Promise<ShellResult> {
    const isInteractive = process.stdin.isTTY === true;
    const client = await connectClient(this.connection(), this.logger);
    const history = isInteractive ? historyPath() : null;
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: isInteractive,
      prompt: `[corral ${resolveConnectString(this.connection().server)}] `,
      history: history === null ? [] : (await loadHistory(history)).reverse(),
      historySize: maxHistoryLines,
      completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
        complete(line, shellCommandNames, (path) => client.getChildren(path)).then(
          (result) => callback(null, result),
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), [[], line]),
        );
      },
    });
    try {
      return await this.#loop(rl, client, { isInteractive, history });
    } finally {
      rl.close();
      await client.close();
    }
  }

  async #loop(rl: Interface, client: ZkClient, options: { isInteractive: boolean; history: string | null }): Promise<ShellResult> {
    let status: number = ExitCode.Ok;
    let commands = 0;
    if (options.isInteractive) {
      this.note('Connected. Type help for the commands, quit or Ctrl-D to leave.');
      // Ctrl-C at the prompt clears the line, as in bash; Ctrl-D leaves.
      rl.on('SIGINT', () => {
        rl.write('', { ctrl: true, name: 'u' });
        process.stdout.write('\n');
        rl.prompt();
      });
      rl.prompt();
    }
    // Without a terminal, Ctrl-C stops reading; the shell then exits 130.
    let isInterrupted = false;
    const onSignal = (): void => {
      isInterrupted = true;
      rl.close();
    };
    if (!options.isInteractive) process.once('SIGINT', onSignal);
    for await (const line of rl) {
      if (options.history !== null && line.trim() !== '') await appendHistory(options.history, line);
      const outcome = await runShellLine(line, client);
      if (this.jsonEnabled()) {
        // JSON lines, as `watch --json`: one object per command line, in order.
        if (line.trim() !== '' && !outcome.isQuit) {
          this.printLine(JSON.stringify({ command: line.trim(), status: outcome.status, output: outcome.output, error: outcome.error }));
        }
      } else {
        if (outcome.output !== null) this.printLine(outcome.output);
        if (outcome.error !== null) this.note(outcome.error);
      }
      if (outcome.isQuit) break;
      if (line.trim() !== '') {
        status = outcome.status;
        commands++;
      }
      if (isTerminal(client.state)) {
        this.note(`The session ended (${client.state}); leaving the shell.`);
        return { status: ExitCode.ConnectionLost, commands };
      }
      if (options.isInteractive) rl.prompt();
    }
    process.off('SIGINT', onSignal);
    if (isInterrupted) throw new InterruptedError('interrupted');
    return { status, commands };
  }

  protected override renderText(): string | null {
    return null;
  }

  override async run(): Promise<unknown> {
    const result = (await super.run()) as ShellResult;
    // The status of the last command is the shell's, as with `sh -c`.
    if (result.status !== ExitCode.Ok) process.exitCode = result.status;
    // Under --json every command line already printed its own object; no summary after them.
    return this.jsonEnabled() ? undefined : result;
  }
}
