import { defineConfig } from 'vitest/config';

// One vitest project per test layer (STYLE.md §9). Integration-style layers run files one at a
// time so that process-heavy tests do not starve each other on the 2-core machines.
// Every layer seeds fast-check the same fixed way (FC_SEED overrides it; see the setup file).
const setupFiles = ['test/helpers/fast-check-seed.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles, testTimeout: 30_000 } },
      { test: { name: 'sim', include: ['test/sim/**/*.test.ts'], setupFiles, testTimeout: 300_000 } },
      {
        test: {
          name: 'integration',
          setupFiles,
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'interop',
          setupFiles,
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cli',
          setupFiles,
          include: ['test/cli/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
