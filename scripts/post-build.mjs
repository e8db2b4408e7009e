// Marks the CLI entry point executable after tsc, which does not keep file modes.
import { chmodSync, existsSync } from 'node:fs';

const bin = new URL('../dist/cli/run.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
