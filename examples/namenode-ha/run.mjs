#!/usr/bin/env node
// The namenode-ha demo: one standalone Corral server, two masters (master-app.mjs on 9871 and
// 9872) and their two agents (nn1.yaml, nn2.yaml), with the masters' roles printed as they
// change. Run `npm run build` once, then: node examples/namenode-ha/run.mjs   (Ctrl-C stops all)
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corralBin, start, startCorral, stopOnSignals } from '../fleet/processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
stopOnSignals();
const server = await startCorral();
console.log(`corral server on ${server}`);
const masters = { nn1: 9871, nn2: 9872 };
for (const [id, port] of Object.entries(masters)) start(id, process.execPath, ['master-app.mjs', String(port), id], { cwd: here });
for (const id of Object.keys(masters)) {
  start(`agent ${id}`, process.execPath, [corralBin, 'agent', '--config', `${id}.yaml`, '--server', server, '--log-format', 'pretty'], {
    cwd: here,
    // Only the agents' warnings and role changes are worth printing in a demo.
    quietStderr: (line) => !/WARN|ERROR|active|standby|fenc/i.test(line),
  });
}
console.log(`
try:
  node dist/cli/run.js failover namenode-ha --server ${server}             # who is active, and why
  node dist/cli/run.js failover namenode-ha --to nn2 --server ${server}    # graceful hand-over
  kill -9 <pid of the active master>                                          # failover with fencing
  node dist/cli/run.js agent status --status http://127.0.0.1:8501
`);
let last = '';
setInterval(async () => {
  const roles = [];
  for (const [id, port] of Object.entries(masters)) {
    try {
      const state = await (await fetch(`http://127.0.0.1:${port}/state`)).json();
      roles.push(`${id}=${state.role}${state.fenced ? ' (fenced)' : ''}${state.token ? ` token ${state.token}` : ''} pid ${state.pid}`);
    } catch {
      roles.push(`${id}=down`);
    }
  }
  const line = roles.join(', ');
  if (line !== last) console.log(`[roles] ${line}`);
  last = line;
}, 250);
