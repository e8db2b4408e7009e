import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The agent's Prometheus metrics, in a registry of its own (never prom-client's global one), so
 * two agents in one process, as in tests, never share counters.
 */
export class AgentMetrics {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();
  /** 1 while the agent's session is connected. */
  readonly connected = new Gauge({ name: 'corral_agent_connected', help: '1 while connected to the ensemble', registers: [this.registry] });
  /** 1 while an instance is visible in discovery. */
  readonly registered = new Gauge({
    name: 'corral_agent_service_registered',
    help: '1 while the service instance is registered and enabled',
    labelNames: ['service', 'id'] as const,
    registers: [this.registry],
  });
  /** 1 while a check passes (after rise/fall). */
  readonly checkHealthy = new Gauge({
    name: 'corral_agent_check_healthy',
    help: '1 while the check is healthy after rise/fall',
    labelNames: ['service', 'check'] as const,
    registers: [this.registry],
  });
  /** Render attempts by outcome. */
  readonly renders = new Counter({
    name: 'corral_agent_renders_total',
    help: 'Template render attempts by outcome',
    labelNames: ['template', 'outcome'] as const,
    registers: [this.registry],
  });
  /** How long a render (template, write, command) took. */
  readonly renderSeconds = new Histogram({
    name: 'corral_agent_render_seconds',
    help: 'Duration of a render including the write',
    labelNames: ['template'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  /** Starts of the supervised app. */
  readonly appStarts = new Counter({ name: 'corral_agent_app_starts_total', help: 'Starts of the supervised app', registers: [this.registry] });
  /** 1 while this member is the active one of its failover group. */
  readonly failoverActive = new Gauge({
    name: 'corral_agent_failover_active',
    help: '1 while this member is active in its failover group',
    labelNames: ['group', 'member'] as const,
    registers: [this.registry],
  });
}
