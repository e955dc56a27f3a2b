import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests start real servers, real SQLite files and real Chromium; two cores, so keep parallelism low.
export default defineConfig({
  resolve: {
    alias: { electron: fileURLToPath(new URL('./test/setup/electron-forbidden.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup/forbid-electron.ts'],
  },
});
