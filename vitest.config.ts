import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Server suites that run on both databases: once in the default project on SQLite, and again in the
 * `postgres` project (DB_KIND=postgres, test/helpers/server.ts) on a throwaway PostgreSQL cluster that
 * test/setup/pg-global.ts starts once per run, only when a file of that project is selected.
 * `test/server/pg-*.test.ts` need PostgreSQL itself (several nodes on one database, the migrate command).
 */
const BOTH_DATABASES = [
  'test/server/matrix-endpoints.test.ts',
  'test/server/matrix-push-idempotency.test.ts',
  'test/server/matrix-claims-concurrency.test.ts',
  'test/server/matrix-pull-convergence.test.ts',
  'test/server/demo-seed.test.ts',
  'test/server/ops-contract.test.ts',
  'test/server/matrix-conflicts.test.ts',
  'test/server/matrix-authorization.test.ts',
  'test/server/matrix-bad-input.test.ts',
  'test/server/push-guarantees.test.ts',
  'test/server/sync-flow.test.ts',
  'test/server/leases.test.ts',
  'test/server/ops-rollback.test.ts',
  'test/server/ops-override.test.ts',
  'test/server/logs.test.ts',
  'test/server/bad-input.test.ts',
  'test/server/cli.test.ts',
  'test/server/demo-payloads.test.ts',
  'test/server/fuzz-central-api.test.ts',
  'test/server/lease-renew.test.ts',
  'test/server/matrix-crash.test.ts',
  'test/server/ops-inputs.test.ts',
  'test/server/ops-metrics-fixture.test.ts',
  'test/server/trust-auth-protocol.test.ts',
  'test/server/trust-write-limits.test.ts',
];
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
