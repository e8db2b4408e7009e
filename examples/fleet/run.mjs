#!/usr/bin/env node
// The fleet demo: a 3-member Corral ensemble, two agents each supervising and registering one
// instance of web-app.mjs (service "web", env GREETING from the znode subtree /fleet/web/env),
// and a third agent rendering an HAProxy backend and an nginx upstream from the healthy
// instances. It then walks through a few changes and prints what happens.
// Run `npm run build` once, then: node examples/fleet/run.mjs   (Ctrl-C stops everything)
import { readFileSync, watchFile, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cli, corralBin, repoRoot, start, startCorralEnsemble, stopOnSignals, tempFolder } from './processes.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

stopOnSignals();
const dir = tempFolder('corral-fleet-');
const server = await startCorralEnsemble(3);
console.log(`corral ensemble of 3 on ${server} (configs in ${dir})`);
await cli(['create', '/fleet', '--server', server]).catch(() => undefined);
await cli(['create', '/fleet/web', '--server', server]).catch(() => undefined);
await cli(['create', '/fleet/web/env', '--server', server]).catch(() => undefined);
await cli(['create', '/fleet/web/env/greeting', 'hello', '--server', server]).catch(() => undefined);

const statusPorts = [];
for (const n of [1, 2]) {
  const port = await freePort();
  const statusPort = await freePort();
  statusPorts.push(statusPort);
  const yaml = `sessionTimeoutMs: 6000
status: { port: ${statusPort} }
services:
  - name: web
    id: web-${n}
    address: 127.0.0.1
    port: ${port}
    tags: [demo]
    rise: 1
    fall: 2
    checks:
      - http: { url: "http://127.0.0.1:${port}/health", intervalMs: 1000, timeoutMs: 500 }
exec:
  command: ["${process.execPath}", "${join(repoRoot, 'examples', 'fleet', 'web-app.mjs')}", "${port}", "web-${n}"]
  killTimeoutMs: 3000
  splayMs: 500
  env: { prefix: /fleet/web/env }
`;
  writeFileSync(join(dir, `web-${n}.yaml`), yaml);
  start(`agent web-${n}`, process.execPath, [corralBin, 'agent', '--config', join(dir, `web-${n}.yaml`), '--server', server, '--log-format', 'pretty'], {
    quietStderr: (line) => !/WARN|ERROR|registration changed|child started|restarting/.test(line),
  });
}

const templates = join(repoRoot, 'templates');
writeFileSync(
  join(dir, 'lb.yaml'),
  `templates:
  - source: ${join(templates, 'haproxy-backend.cfg.hbs')}
    destination: ${join(dir, 'haproxy-web.cfg')}
    vars: { serviceName: web }
    allowEmpty: true
    wait: { minMs: 100, maxMs: 1000 }
  - source: ${join(templates, 'nginx-upstream.conf.hbs')}
    destination: ${join(dir, 'nginx-web.conf')}
    vars: { serviceName: web }
    allowEmpty: true
`,
);
start('agent lb', process.execPath, [corralBin, 'agent', '--config', join(dir, 'lb.yaml'), '--server', server, '--log-format', 'pretty'], {
  quietStderr: (line) => !/WARN|ERROR/.test(line),
});
const lbFile = join(dir, 'haproxy-web.cfg');
watchFile(lbFile, { interval: 200 }, (now) => {
  if (now.size === 0 && now.mtimeMs === 0) return; // not rendered yet
  console.log(`[lb] ${lbFile} now reads:\n${readFileSync(lbFile, 'utf8').replace(/^/gm, '      ')}`);
});

const step = async (text, action) => {
  await sleep(4_000);
  console.log(`\n=== ${text}`);
  try {
    await action();
  } catch (error) {
    console.log(`(${error.message})`);
  }
};
await step('both instances are registered; the load balancer config lists both', async () => {
  console.log(await cli(['ls', '/services/web', '--server', server]));
});
await step('maintenance on for web-2: it leaves discovery, the app keeps running', async () => {
  console.log(await cli(['agent', 'maint', 'web-2', 'on', '--status', `http://127.0.0.1:${statusPorts[1]}`]));
});
await step('maintenance off for web-2: it comes back', async () => {
  console.log(await cli(['agent', 'maint', 'web-2', 'off', '--status', `http://127.0.0.1:${statusPorts[1]}`]));
});
await step('set /fleet/web/env/greeting: both apps restart with GREETING=bonjour', async () => {
  await cli(['set', '/fleet/web/env/greeting', 'bonjour', '--server', server]);
});
await step('agent status of web-1', async () => {
  console.log(await cli(['agent', 'status', '--status', `http://127.0.0.1:${statusPorts[0]}`]));
});
console.log('\nthe demo keeps running; try `corral agent maint`, `corral set`, or kill an app. Ctrl-C stops everything.');
