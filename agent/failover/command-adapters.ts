/**
 * Shell-command forms of the failover controller's app transitions and fencing (what the agent
 * config names): the fencing token and the fenced member reach the commands as environment
 * variables, and `{{token}}` in a transition command is replaced by the token.
 */
import type { Logger } from '../../util/logger.js';
import type { FailoverApp, Fencer } from './failover-controller.js';
import { runShellCommand } from './shell-command.js';

/** Commands that move the local app between roles. */
export interface TransitionCommands {
  readonly toActive: string;
  readonly toStandby: string;
  readonly timeoutMs: number;
}

/** A FailoverApp that runs `toActive`/`toStandby` commands; a non-zero exit rejects. */
export function commandApp(commands: TransitionCommands, log: Logger, stop?: () => Promise<void>): FailoverApp {
  const run = async (command: string, env: Record<string, string>): Promise<void> => {
    const outcome = await runShellCommand(command, { env, timeoutMs: commands.timeoutMs });
    if (outcome.exitCode !== 0) {
      log.warn({ command, exitCode: outcome.exitCode, timedOut: outcome.timedOut, output: outcome.output }, 'transition command failed');
      throw new Error(`transition command failed (exit ${String(outcome.exitCode)}): ${command}`);
    }
  };
  const app: FailoverApp = {
    toActive: (token) =>
      run(commands.toActive.replaceAll('{{token}}', token), { CORRAL_FENCING_TOKEN: token, CORRAL_FAILOVER_ROLE: 'active' }),
    toStandby: () => run(commands.toStandby, { CORRAL_FAILOVER_ROLE: 'standby' }),
  };
  return stop === undefined ? app : { ...app, stop };
}

/**
 * A Fencer that runs a shell command with the previous active's details in the environment:
 * CORRAL_FENCE_TARGET_ID, CORRAL_FENCE_TARGET_ADDRESS, CORRAL_FENCE_TARGET_TOKEN,
 * CORRAL_FAILOVER_GROUP and CORRAL_FAILOVER_NEW_ACTIVE. Exit code 0 means fenced.
 */
export function commandFencer(command: string, timeoutMs: number, log: Logger): Fencer {
  return async (target, context) => {
    const outcome = await runShellCommand(command, {
      timeoutMs,
      env: {
        CORRAL_FENCE_TARGET_ID: target.id,
        CORRAL_FENCE_TARGET_ADDRESS: target.address,
        CORRAL_FENCE_TARGET_TOKEN: target.token,
        CORRAL_FAILOVER_GROUP: context.group,
        CORRAL_FAILOVER_NEW_ACTIVE: context.newActive,
      },
    });
    if (outcome.exitCode !== 0) {
      log.warn({ command, exitCode: outcome.exitCode, timedOut: outcome.timedOut, output: outcome.output }, 'fencing command failed');
    }
    return outcome.exitCode === 0;
  };
}
