#!/usr/bin/env node
// The `corral` executable (package.json "bin"): oclif finds the commands under dist/cli/commands.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
