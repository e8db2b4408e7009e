/** `corral agent status [--json]`: what a running agent is doing, from its status endpoint. */
import type { AgentStatus } from '../../../agent/index.js';
import { BaseCommand } from '../../base-command.js';
import { agentEndpoint, callAgent, endpointFlags } from '../../agent/agent-endpoint.js';
import { formatAgentStatus } from '../../agent/format-status.js';

/** Shows a running agent's registrations, checks, renders, app and failover role. */
export default class AgentStatusCommand extends BaseCommand<typeof AgentStatusCommand> {
  static override summary = "Show a running agent's registrations, checks, last renders, app and failover role.";

  static override examples = [
    '<%= config.bin %> agent status --status http://127.0.0.1:8500',
    '<%= config.bin %> agent status --config agent.yaml --json',
  ];

  static override flags = { ...endpointFlags };

  protected override async execute(): Promise<AgentStatus> {
    const base = await agentEndpoint(this.flags);
    const { body } = await callAgent(base, '/status', 'GET');
    return body as AgentStatus;
  }

  protected override renderText(result: unknown): string {
    return formatAgentStatus(result as AgentStatus);
  }
}
