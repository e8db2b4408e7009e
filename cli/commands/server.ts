/**
 * `corral server --config <zoo.cfg>`: runs a Corral server until SIGINT or SIGTERM. Its first
 * stdout line is `corral server listening on <host>:<port>`; test harnesses and scripts parse it.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { InterruptedError } from '../exit-codes.js';

/** How the server run ended. */
interface ServerResult {
  readonly host: string;
  readonly port: number;
  readonly stoppedBy: NodeJS.Signals | null;
}

/** Runs a ZooKeeper-compatible server from a zoo.cfg file. */
export default class Server extends BaseCommand<typeof Server> {
  static override summary = 'Run a Corral server from a zoo.cfg file.';

  static override description =
    'Runs until SIGINT or SIGTERM. The first line on stdout is "corral server listening on <host>:<port>"; ' +
    'clientPort=0 lets the OS choose the port. Logs go to stderr. As with zkServer.sh, ' +
    '-Djute.maxbuffer=<bytes> in SERVER_JVMFLAGS or JVMFLAGS raises the largest accepted request.';

  static override examples = ['<%= config.bin %> server --config examples/standalone/zoo.cfg'];

  static override flags = {
    config: Flags.string({ char: 'c', required: true, summary: 'Path of the zoo.cfg file.' }),
  };

  protected override async execute(): Promise<ServerResult> {
    // Loaded here, not at the top, so that `corral --help` and the client commands never load
    // the server (and start faster).
    const { runServer, juteMaxBufferFromJvmFlags } = await import('../../server/index.js');
    // ZooKeeper takes jute.maxbuffer only as a JVM system property, which zkServer.sh passes
    // from these variables; reading them here keeps one spelling for both servers.
    const juteMaxBuffer = juteMaxBufferFromJvmFlags(process.env.SERVER_JVMFLAGS, process.env.JVMFLAGS);
    const handle = await runServer({ configPath: this.flags.config, logger: this.logger, ...(juteMaxBuffer === undefined ? {} : { juteMaxBuffer }) });
    this.log(`corral server listening on ${handle.host}:${handle.port}`);
    this.log(`connect with: corral ls / --server ${handle.host}:${handle.port}  (or zkCli.sh -server ${handle.host}:${handle.port})`);
    let stoppedBy: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stoppedBy !== null) return;
      stoppedBy = signal;
      this.logger.info({ signal }, 'stopping server');
      handle.stop().catch((err: unknown) => this.logger.error({ err }, 'server stop failed'));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await handle.stopped;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    // Ctrl-C reports "interrupted" (130) as shells expect; SIGTERM is an orderly stop (0).
    if (stoppedBy === 'SIGINT') throw new InterruptedError('interrupted');
    return { host: handle.host, port: handle.port, stoppedBy };
  }

  protected override renderText(result: unknown): string | null {
    const { stoppedBy } = result as ServerResult;
    return stoppedBy === null ? 'corral server stopped' : `corral server stopped by ${stoppedBy}`;
  }
}
