#!/usr/bin/env node
// Fencing method for master-app.mjs, run by the agent that is about to go active, with the old
// active in CORRAL_FENCE_TARGET_ADDRESS (host:port). It asks the old master to fence itself
// (POST /fence). If nothing listens on that address any more ("connection refused"), the old
// master's process is gone, which fences it too: this holds only when the masters run on this
// host (as in this demo); across hosts use a method that reaches the machine (ssh, a PDU, the
// storage's own token check). A master that does not answer in time is NOT fenced (exit 1): it may
// be paused, and could wake up active.
const address = process.env.CORRAL_FENCE_TARGET_ADDRESS ?? process.argv[2];
if (address === undefined || address === '') {
  console.error('fence: no target (CORRAL_FENCE_TARGET_ADDRESS)');
  process.exit(2);
}
try {
  const res = await fetch(`http://${address}/fence`, { method: 'POST', signal: AbortSignal.timeout(2_000) });
  console.log(`fence: ${address} answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  const code = error?.cause?.code;
  if (code === 'ECONNREFUSED') {
    console.log(`fence: nothing listens on ${address}; the old master is down`);
    process.exit(0);
  }
  console.error(`fence: ${address}: ${code ?? error.message}`);
  process.exit(1);
}
