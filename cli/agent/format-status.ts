/** Text forms of a running agent's status and of a failover group, for people. */
import type { AgentStatus, GroupStatus } from '../../agent/index.js';

function ago(wallMs: number | null): string {
  if (wallMs === null) return 'never';
  return `${Math.max(0, Math.round((Date.now() - wallMs) / 1000))}s ago`;
}

/** The agent's status as a few aligned sections. */
export function formatAgentStatus(status: AgentStatus): string {
  const lines: string[] = [];
  const a = status.agent;
  lines.push(`agent: ${a.connected ? 'connected' : 'NOT CONNECTED'} to ${a.server} (session ${a.sessionId}), config ${a.configFile}`);
  if (a.lastConfigError !== null) lines.push(`  config change refused: ${a.lastConfigError}`);
  lines.push('services:');
  if (status.services.length === 0) lines.push('  (none)');
  for (const s of status.services) {
    const flags = [s.healthy ? 'healthy' : 'unhealthy', ...(s.maintenance ? ['maintenance'] : [])].join(', ');
    lines.push(`  ${s.id} (${s.name} ${s.address}:${s.port}): ${s.state}, ${flags}${s.lastError === null ? '' : `; error: ${s.lastError}`}`);
    for (const c of s.checks) lines.push(`    check ${c.name}: ${c.healthy ? 'passing' : 'failing'}${c.lastOutput === null ? '' : ` (${c.lastOutput})`}`);
  }
  lines.push('templates:');
  if (status.templates.length === 0) lines.push('  (none)');
  for (const t of status.templates) {
    lines.push(`  ${t.destination}: ${t.state}, rendered ${ago(t.lastRenderWallMs)}, written ${ago(t.lastWriteWallMs)}${t.lastError === null ? '' : `; error: ${t.lastError}`}`);
  }
  if (status.app !== null) {
    const app = status.app;
    lines.push(`app: ${app.state}${app.pid === null ? '' : ` (pid ${app.pid})`}, started ${app.starts} time(s)${app.lastExitCode === null ? '' : `, last exit ${app.lastExitCode}`}`);
  }
  if (status.failover !== null) {
    const f = status.failover;
    lines.push(`failover: ${f.group}/${f.member} is ${f.role} (${f.reason}); health ${f.healthy ? 'passing' : 'failing'}${f.token === null ? '' : `; token ${f.token}`}`);
  }
  return lines.join('\n');
}

/** A failover group: who is active, who is standby, and why. */
export function formatGroupStatus(status: GroupStatus): string {
  const lines = [`group ${status.group}: active ${status.active === null ? '(none)' : `${status.active.id} (${status.active.address})`}`];
  if (status.breadcrumb !== null && status.breadcrumb.id !== status.active?.id) {
    lines.push(`  last active ${status.breadcrumb.id} did not hand over cleanly: it is fenced before anyone goes active`);
  }
  if (status.requestedActive !== null) lines.push(`  manual failover to ${status.requestedActive} requested`);
  if (status.members.length === 0) lines.push('  no member is connected');
  for (const m of status.members) lines.push(`  ${m.id}: ${m.role}, ${m.healthy ? 'healthy' : 'unhealthy'} (${m.reason})`);
  return lines.join('\n');
}
