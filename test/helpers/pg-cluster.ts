// A throwaway PostgreSQL 15 cluster for tests: initdb into a temp folder as the unprivileged `postgres`
// user (initdb refuses root), pg_ctl on a free 127.0.0.1 port with its unix socket in the same folder,
// stopped and removed at the end. Nothing depends on a database someone started by hand.
//
// One cluster per test run: the vitest project `postgres` (vitest.config.ts) has test/setup/pg-global.ts as
// its globalSetup, which vitest runs only when that project has a test file to run, so a run without
// PostgreSQL suites pays nothing. Each suite gets its own database on it (createTestDatabase).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'desk';

export interface PgCluster {
  port: number;
  /** The folder holding data/, the unix socket and the log. */
  dir: string;
  /** postgres://desk@127.0.0.1:<port>/<database> */
  url(database: string): string;
}

function asPostgres(args: string[]): string[] {
  // Run the binaries as the postgres user when we are root (initdb and postgres refuse root).
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

function run(args: string[]): void {
  const [cmd, ...rest] = asPostgres(args);
  const r = spawnSync(cmd, rest, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status}): ${r.stderr || r.stdout}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function ownByPostgres(path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(path, uid, gid);
}

export interface PgClusterOptions {
  /**
   * Off for a suite that counts every committed transaction id of the cluster (db-snapshot.ts watchCommits):
   * autovacuum's ANALYZE writes pg_statistic in transactions of its own, which look like commits of the server.
   */
  autovacuum?: boolean;
}

/** initdb + pg_ctl start into a fresh temp folder. About a second. */
export async function startPgCluster(parent = tmpdir(), options: PgClusterOptions = {}): Promise<PgCluster> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb missing): apt-get install -y postgresql-15`);
  }
  const dir = mkdtempSync(join(parent, 'desk-pg-'));
  ownByPostgres(dir);
  const data = join(dir, 'data');
  // C collation: text sorts byte-wise, as in SQLite, so ids and ISO times order the same on both.
  run([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', SUPERUSER, '--no-sync', '--locale=C', '--encoding=UTF8']);
  const port = await freePort();
  // fsync off: a test cluster is thrown away; durability is PostgreSQL's business, not the tests'.
  const opts = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200${options.autovacuum === false ? ' -c autovacuum=off' : ''}`;
  run([join(PG_BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '30', 'start']);
  return { port, dir, url: (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}` };
}

export function stopPgCluster(dir: string): void {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    try { run([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext { pgCluster?: { port: number; dir: string } }
}

const clusterAt = (port: number, dir: string): PgCluster =>
  ({ port, dir, url: (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}` });

/**
 * The run's cluster: the one test/setup/pg-global.ts started for the `postgres` project (vitest provide /
 * inject), or, outside it (a bench, a script), a private one removed when the process exits.
 */
let shared: Promise<PgCluster> | null = null;
export function sharedPgCluster(): Promise<PgCluster> {
  shared ??= (async () => {
    if (process.env.VITEST) {
      const { inject } = await import('vitest');
      const provided = inject('pgCluster');
      if (provided) return clusterAt(provided.port, provided.dir);
    }
    const cluster = await startPgCluster();
    process.once('exit', () => stopPgCluster(cluster.dir));
    return cluster;
  })();
  return shared;
}

/** A fresh, empty database on the shared cluster; returns its URL. */
export async function createTestDatabase(prefix = 'desk'): Promise<string> {
  const cluster = await sharedPgCluster();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return cluster.url(name);
}

