#!/usr/bin/env node
// Moves a master-app.mjs between roles, as the agent's failover commands do.
// Usage: node haadmin.mjs active <host:port> <token> | standby <host:port> | fence <host:port>
// Exit code 0 means done; fencing an unreachable master fails (exit 1), so the agent keeps trying.
const [action, address, token] = process.argv.slice(2);
const paths = { active: `/active?token=${encodeURIComponent(token ?? '')}`, standby: '/standby', fence: '/fence' };
if (!(action in paths) || address === undefined) {
  console.error('usage: haadmin.mjs active <host:port> <token> | standby <host:port> | fence <host:port>');
  process.exit(2);
}
try {
  const res = await fetch(`http://${address}${paths[action]}`, { method: 'POST', signal: AbortSignal.timeout(3_000) });
  console.log(await res.text());
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  console.error(`haadmin: ${action} ${address}: ${error.message}`);
  process.exit(1);
}
