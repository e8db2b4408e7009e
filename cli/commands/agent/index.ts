/**
 * `corral agent --config agent.yaml [--server ...] [--once] [--dry-run]`: runs the per-host agent
 * until SIGTERM or SIGINT (deregister first, then stop the app; the app's exit code is passed
 * on). Logs go to stderr; stdout belongs to the supervised app (and to `--dry-run` renders).
 */
import { Flags } from '@oclif/core';
import { Agent, forwardSignals } from '../../../agent/index.js';
import { BaseCommand } from '../../base-command.js';
import { agentOverrides } from '../../agent/agent-settings.js';

/** How the agent run ended. */
interface AgentResult {
  readonly exitCode: number;
  readonly stoppedBy: NodeJS.Signals | null;
}

/** Runs the agent. */
export default class AgentRun extends BaseCommand<typeof AgentRun> {
  static override summary = 'Run the agent: register services, render templates, supervise the app, take part in failover.';

  static override description =
    'The server comes from --server, else ZOOKEEPER_CONNECT (environment or .env), else the config file. ' +
    'SIGHUP, SIGUSR1 and SIGUSR2 are passed on to the supervised app; SIGTERM and SIGINT deregister every ' +
    'service first and then stop the app, whose exit code becomes the agent\'s.';

  static override examples = [
    '<%= config.bin %> agent --config agent.yaml',
    '<%= config.bin %> agent --config agent.yaml --once',
    '<%= config.bin %> agent --config agent.yaml --dry-run --once',
  ];

  static override flags = {
    config: Flags.string({ char: 'c', required: true, summary: 'Path of the agent YAML file.' }),
    server: Flags.string({ summary: 'Connect string; wins over ZOOKEEPER_CONNECT and the config file.' }),
    once: Flags.boolean({ summary: 'Render every template once, run their commands, and exit (1 if any failed).' }),
    'dry-run': Flags.boolean({ summary: 'Print renders to stdout; write no file, register nothing, run nothing.' }),
    'connect-timeout-ms': Flags.integer({ default: 30_000, min: 1, summary: 'With --once: give up when no server answers in time.' }),
  };

  protected override async execute(): Promise<AgentResult> {
    const agent = await Agent.create({
      configFile: this.flags.config,
      overrides: agentOverrides(this.flags.server),
      logger: this.logger,
      env: process.env,
      ...(this.flags['dry-run'] ? { dryRunOutput: process.stdout } : {}),
    });
    if (this.flags.once) {
      const exitCode = await agent.renderOnce(this.flags['connect-timeout-ms']);
      process.exitCode = exitCode;
      return { exitCode, stoppedBy: null };
    }
    let stoppedBy: NodeJS.Signals | null = null;
    const onStop = (signal: NodeJS.Signals): void => {
      if (stoppedBy !== null) return;
      stoppedBy = signal;
      this.logger.info({ signal }, 'stopping agent');
      void agent.stop();
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    const unforward = forwardSignals(process, agent, ['SIGHUP', 'SIGUSR1', 'SIGUSR2']);
    try {
      await agent.start();
      const exitCode = await agent.done;
      process.exitCode = exitCode;
      return { exitCode, stoppedBy };
    } catch (err) {
      await agent.stop();
      throw err;
    } finally {
      unforward();
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    }
  }

  protected override renderText(): string | null {
    return null;
  }
}
