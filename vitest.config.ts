import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The whole server suite runs on both databases: once in the default project on SQLite, and again in the
 * `postgres` project (DB_KIND=postgres, test/helpers/server.ts) on a throwaway PostgreSQL cluster that
 * test/setup/pg-global.ts starts once per run, only when a file of that project is selected. A new server suite
 * is on both by being in test/server; it reads the database through test/helpers/db-snapshot.ts (openProbe,
 * snapshotOf), which speaks both. `test/server/pg-*.test.ts` need PostgreSQL itself (several nodes on one
 * database, the migrate command).
 */
const BOTH_DATABASES = ['test/server/*.test.ts'];
const POSTGRES_ONLY = 'test/server/pg-*.test.ts';

// Tests start real servers, real SQLite files, real PostgreSQL and real Chromium; two cores, so keep
// parallelism low.
export default defineConfig({
  resolve: {
    alias: { electron: fileURLToPath(new URL('./test/setup/electron-forbidden.ts', import.meta.url)) },
  },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup/forbid-electron.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/bench/**', 'node_modules/**', POSTGRES_ONLY],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...BOTH_DATABASES, POSTGRES_ONLY],
          env: { DB_KIND: 'postgres' },
          globalSetup: ['test/setup/pg-global.ts'],
        },
      },
    ],
  },
});
