// Starts the real reference server for tests: in-process on 127.0.0.1 (port 0) with a tmp SQLite file, or
// as a child process (tsx server/cli.ts) for crash and signal tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer, type StartServerOptions } from '../../server/app';
import { createTestDatabase } from './pg-cluster';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The database the server suites run on. vitest.config.ts runs the suites listed in its PG_SUITES twice: in
 * the default project on SQLite, and in the `postgres` project with DB_KIND=postgres, each suite on a fresh
 * database of the run's throwaway cluster (test/helpers/pg-cluster.ts).
 */
export type DbKind = 'sqlite' | 'postgres';
export const DB_KIND: DbKind = process.env.DB_KIND === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh database of DB_KIND: a SQLite file in `dir`, or a new database on the test cluster (its URL). */
export async function newDatabaseTarget(dir: string, name = 'central'): Promise<string> {
  return DB_KIND === 'postgres' ? createTestDatabase(name) : join(dir, `${name}.sqlite`);
}

export interface TestServer {
  url: string;
  /** The SQLite file, or the postgres:// URL of the suite's database (DB_KIND=postgres). */
  dbFile: string;
  close(): Promise<void>;
  /** The in-process server: addUser, upsertQueue, sweepLeases, app, database. */
  server: RunningServer;
}

/**
 * In-process server on a free port, on a fresh database of DB_KIND (`dbFile` is then the SQLite file or the
 * postgres:// URL). The tmp directory is removed on close unless `dbFile` was given.
 */
export async function startTestServer(opts: { seed?: 'demo'; dbFile?: string } & Partial<StartServerOptions> = {}): Promise<TestServer> {
  const dir = opts.dbFile ? null : mkdtempSync(join(tmpdir(), 'desk-server-'));
  const dbFile = opts.dbFile ?? await newDatabaseTarget(dir!);
  const server = await startServer({ validateResponses: true, ...opts, dbFile, port: 0, logger: false });
  return {
    url: server.url, dbFile, server,
    async close() {
      await server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SpawnedServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Sends a signal (default SIGTERM) and resolves with the exit code (null when killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  stopped: Promise<number | null>;
  /** Everything the server printed so far (JSON log lines). */
  output(): string;
}

/** The server as a child process via tsx running server/cli.ts; resolves once it logs "server ready". */
export async function spawnServer(opts: { dbFile: string; port?: number; seed?: 'demo'; maxLeasedPerUser?: number;
  /** Another checkout's server (the server bench's A/B); default this one. */
  root?: string;
  /** Node's own flags before the script (the profiling aids' --cpu-prof). */
  nodeArgs?: string[] }): Promise<SpawnedServer> {
  const root = opts.root ?? ROOT;
  const args = [...(opts.nodeArgs ?? []), '--import', 'tsx', join(root, 'server', 'cli.ts'), '--port', String(opts.port ?? 0), '--db', opts.dbFile];
  if (opts.seed) args.push('--seed', opts.seed);
  if (opts.maxLeasedPerUser !== undefined) args.push('--max-leased-per-user', String(opts.maxLeasedPerUser));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let isReady = false;
  const stopped = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    // Generous: a demo seed lives eight weeks of history (a few CPU seconds) on a machine that may be busy.
    const timer = setTimeout(() => reject(new Error(`server did not become ready in 90 s; output:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (isReady) return;
      for (const line of out.split('\n')) {
        if (!line.includes('"server ready"')) continue;
        try {
          const { url } = JSON.parse(line) as { url: string };
          clearTimeout(timer);
          isReady = true;
          resolve({ url, port: Number(new URL(url).port) });
          return;
        } catch { /* a partial line; wait for more */ }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    void stopped.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before ready; output:\n${out}`)); });
  });
  const { url, port } = await ready;
  return {
    url, port, child, stopped,
    output: () => out,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return stopped;
    },
  };
}
