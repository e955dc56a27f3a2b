// server/db/connection.ts loads `pg` only when a PostgreSQL URL is opened: a SQLite node (the desk starts one)
// never pays for loading the driver. Checked in a fresh process, where nothing else has loaded it: the whole
// server is started on the suite's database and the process's CommonJS cache is read for pg's files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DB_KIND, newDatabaseTarget } from '../helpers/server';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'desk-lazy-pg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROBE = `
import { createRequire } from 'node:module';
const { startServer } = await import('./server/app.ts');
const server = await startServer({ dbFile: process.env.PROBE_DB, port: 0, logger: false });
const res = await fetch(server.url + '/v1/health');
const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => /node_modules[\\\\/]pg[\\\\/]/.test(k));
await server.close();
console.log(JSON.stringify({ health: res.status, pgLoaded: loaded }));
`;

function probe(dbTarget: string): { health: number; pgLoaded: boolean } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    cwd: ROOT, env: { ...process.env, PROBE_DB: dbTarget }, encoding: 'utf8', timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { health: number; pgLoaded: boolean };
}

describe('the PostgreSQL driver is loaded lazily', () => {
  it(`a server on ${DB_KIND} loads pg only if its database is PostgreSQL`, async () => {
    const target = await newDatabaseTarget(dir, 'lazy');
    expect(probe(target)).toEqual({ health: 200, pgLoaded: DB_KIND === 'postgres' });
  });
});
