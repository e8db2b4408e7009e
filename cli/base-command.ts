/**
 * The base of every `corral` command: the global flags (`--json`, `--log-level`,
 * `--log-format`), the one root logger of the process, text-or-JSON output of the command's
 * result, and the mapping of failures to exit codes (cli/exit-codes.ts).
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { rootLogger, type Logger } from '../util/index.js';
import { ZkError, errorCodeName } from '../protocol/index.js';
import { describeZkError } from './error-messages.js';
import { exitCodeOf, ExitCode, isConfigError, UsageError } from './exit-codes.js';

/** The parsed flags of a command `T`, global flags included. */
export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/** The parsed arguments of a command `T`. */
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * A command returns its result from `execute()`; the base prints it with `renderText` or, under
 * `--json`, as JSON on stdout. Logs go to stderr, so stdout stays parseable.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'log-level': Flags.option({
      options: logLevels,
      default: 'info' as const,
      env: 'CORRAL_LOG',
      helpGroup: 'GLOBAL',
      summary: 'Lowest level of log lines written to stderr.',
    })(),
    'log-format': Flags.option({
      options: ['json', 'pretty'] as const,
      default: 'json' as const,
      helpGroup: 'GLOBAL',
      summary: 'JSON lines, or pino-pretty for people.',
    })(),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  #logger: Logger | null = null;

  /** The root logger, made once from the global flags (STYLE.md §7). */
  protected get logger(): Logger {
    if (this.#logger === null) throw new Error('logger used before init');
    return this.#logger;
  }

  override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    this.#logger = rootLogger({ level: this.flags['log-level'], format: this.flags['log-format'] });
  }

  /** Does the command's work and returns its result (printed by `run`). */
  protected abstract execute(): Promise<unknown>;

  /** The result as text for stdout, or null to print nothing. */
  protected renderText(result: unknown): string | null {
    return result === undefined || result === null ? null : String(result);
  }

  async run(): Promise<unknown> {
    const result = await this.execute();
    if (!this.jsonEnabled()) {
      const text = this.renderText(result);
      if (text !== null) this.log(text);
    }
    // oclif prints the returned value as JSON when --json is given.
    return result;
  }

  /** Prints the failure (stderr, or JSON on stdout under --json) and exits with its code. */
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const code = exitCodeOf(err);
    // oclif's own parse errors already carry exit code 2 and a usage hint; let it print them.
    if (code === ExitCode.Usage && !this.jsonEnabled() && !(err instanceof UsageError)) return super.catch(err);
    // A ConfigError's message is already `zoo.cfg: tickTime: reason` (STYLE.md §5.3); a
    // ZooKeeper outcome is worded as zkCli does (`Node does not exist: /x`), without a prefix.
    const message = err instanceof ZkError ? describeZkError(err) : err.message;
    if (this.jsonEnabled()) {
      const config = isConfigError(err) ? { file: err.file, key: err.key, reason: err.reason } : {};
      this.logJson({ error: { name: err.name, message, exitCode: code, ...zkCodeOf(err), ...config } });
    } else if (code !== ExitCode.Interrupted) {
      // An interrupt is the user's own doing; the exit code (130) says enough.
      this.logToStderr(isConfigError(err) || err instanceof ZkError ? message : `error: ${message}`);
      if (err instanceof UsageError) this.logToStderr(`See: ${this.config.bin} ${this.id ?? ''} --help`);
    }
    if (code !== ExitCode.InvalidConfig && code !== ExitCode.Usage) this.#logger?.debug({ err }, 'command failed');
    return this.exit(code);
  }
}

function zkCodeOf(err: Error): { zkCode?: number; zkCodeName?: string; path?: string } {
  if (!(err instanceof ZkError)) return {};
  return { zkCode: err.code, zkCodeName: errorCodeName(err.code), ...(err.path === undefined ? {} : { path: err.path }) };
}
