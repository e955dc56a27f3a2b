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
// Need PostgreSQL itself: several nodes on one database, the migrate command, the desk's faults against nodes.
const POSTGRES_ONLY = ['test/server/pg-*.test.ts', 'test/core/faults-pg-*.test.ts'];
/**
 * The desk core's whole fault suite against three nodes on PostgreSQL (test/helpers/fault-rig.ts), minutes
 * long, so only on demand: `FAULT_BACKEND=pg-multinode npx vitest run --project faults-multinode`. In `npm test`
 * its bounded subset runs instead (test/core/faults-pg-multinode.test.ts).
 */
const FAULTS_MULTINODE = process.env.FAULT_BACKEND === 'pg-multinode' ? [{
  extends: true as const,
  test: {
    name: 'faults-multinode',
    include: ['test/core/faults-*.test.ts'],
    exclude: ['test/core/faults-invariants.test.ts', 'test/core/faults-proxy.test.ts', 'test/core/faults-pg-*.test.ts'],
    env: { FAULT_BACKEND: 'pg-multinode' },
    globalSetup: ['test/setup/pg-global.ts'],
  },
}] : [];

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
    // expect.poll's own default (1 s) is shorter than a busy 2-core CI machine takes to answer a key press
    // in Chromium; a poll still ends as soon as its condition holds.
    expect: { poll: { timeout: 5_000 } },
    setupFiles: ['test/setup/forbid-electron.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/bench/**', 'node_modules/**', ...POSTGRES_ONLY],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...BOTH_DATABASES, ...POSTGRES_ONLY],
          env: { DB_KIND: 'postgres' },
          globalSetup: ['test/setup/pg-global.ts'],
        },
      },
      ...FAULTS_MULTINODE,
    ],
  },
});
