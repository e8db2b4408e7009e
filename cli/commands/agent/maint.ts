/** `corral agent maint SERVICE on|off`: takes an instance out of discovery without stopping it. */
import { Args } from '@oclif/core';
import type { MaintenanceResult } from '../../../agent/index.js';
import { BaseCommand } from '../../base-command.js';
import { UsageError } from '../../exit-codes.js';
import { agentEndpoint, callAgent, endpointFlags } from '../../agent/agent-endpoint.js';

/** Turns maintenance mode of a service on or off in a running agent. */
export default class AgentMaint extends BaseCommand<typeof AgentMaint> {
  static override summary = 'Take a service instance out of discovery (on) or put it back (off), without stopping it.';

  static override examples = ['<%= config.bin %> agent maint web on --status http://127.0.0.1:8500'];

  static override args = {
    service: Args.string({ required: true, description: 'service id, or a name (every instance of it)' }),
    mode: Args.string({ required: true, options: ['on', 'off'], description: 'on or off' }),
  };

  static override flags = { ...endpointFlags };

  protected override async execute(): Promise<MaintenanceResult> {
    const base = await agentEndpoint(this.flags);
    const { service, mode } = this.args;
    const { body } = await callAgent(base, `/maintenance/${encodeURIComponent(service)}/${mode}`, 'POST');
    const result = body as MaintenanceResult;
    if (!result.ok) throw new UsageError(result.error);
    return result;
  }

  protected override renderText(result: unknown): string {
    const r = result as MaintenanceResult & { ok: true };
    return `maintenance ${this.args.mode} for ${r.services.join(', ')}`;
  }
}
