/** `corral agent check SERVICE CHECK pass|fail [--note TEXT]`: reports a TTL check to a running agent. */
import { Args, Flags } from '@oclif/core';
import type { CheckReportResult } from '../../../agent/index.js';
import { BaseCommand } from '../../base-command.js';
import { UsageError } from '../../exit-codes.js';
import { agentEndpoint, callAgent, endpointFlags } from '../../agent/agent-endpoint.js';

/** Reports a TTL check of a service as passing or failing, as the app would over HTTP. */
export default class AgentCheck extends BaseCommand<typeof AgentCheck> {
  static override summary = 'Report a TTL check of a service as passing or failing (what the app does with PUT /check/SERVICE/CHECK/pass|fail).';

  static override description =
    'The report re-arms the check\'s TTL; without another report within ttlMs the check fails. ' +
    'The service\'s rise/fall thresholds apply to reports as to any check result.';

  static override examples = [
    '<%= config.bin %> agent check web-1 heartbeat pass --config agent.yaml',
    '<%= config.bin %> agent check web heartbeat fail --note "queue full" --status http://127.0.0.1:8500',
  ];

  static override args = {
    service: Args.string({ required: true, description: 'service id, or a name (every instance of it)' }),
    check: Args.string({ required: true, description: 'the name of a TTL check of that service' }),
    status: Args.string({ required: true, options: ['pass', 'fail'], description: 'pass or fail' }),
  };

  static override flags = {
    ...endpointFlags,
    note: Flags.string({ summary: 'A note shown as the check\'s last output in `corral agent status`.' }),
  };

  protected override async execute(): Promise<CheckReportResult> {
    const base = await agentEndpoint(this.flags);
    const { service, check, status } = this.args;
    const path = `/check/${encodeURIComponent(service)}/${encodeURIComponent(check)}/${status}`;
    const { body } = await callAgent(base, path, 'PUT', this.flags.note ?? '');
    const result = body as CheckReportResult;
    if (!result.ok) throw new UsageError(result.error);
    return result;
  }

  protected override renderText(result: unknown): string {
    const r = result as CheckReportResult & { ok: true };
    return `${r.check} ${r.status} for ${r.services.join(', ')}`;
  }
}
