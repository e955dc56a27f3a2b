// The server as a user runs it: `users add`, `queues add`, `queues policy`, demo tokens confined to demo databases,
// and a graceful SIGTERM that lets an in-flight request finish and closes the database cleanly. The commands run
// in-process through runCli (a tsx child costs seconds each on a loaded machine); one real child-process run of
// `users add` checks the entry point, its exit code and its stderr as a user sees them. On both databases:
// `--db` is a SQLite file or a postgres:// URL (DB_KIND, test/helpers/server.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli';
import { CentralClient } from '../helpers/central-client';
import { integrityCheck, openProbe, openReadonly } from '../helpers/db-snapshot';
import { DB_KIND, newDatabaseTarget, spawnServer } from '../helpers/server';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'desk-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in-process, collecting what it writes. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } });
  return { code, stdout, stderr };
}

describe('server CLI', () => {
  it('creates users whose token works once printed; demo tokens do not work in a non-demo database', async () => {
    const dbFile = await newDatabaseTarget(dir, 'plain');
    const { stdout } = await cli('users', 'add', 'rita', '--role', 'reviewer,owner', '--db', dbFile);
    const token = stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^edk_/);
    const db = await openProbe(dbFile);
    const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM tokens');
    await db.close();
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);

    expect(await cli('users', 'add', 'x', '--role', 'wizard', '--db', dbFile)).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^server: unknown role/) });
    expect(await cli('users', 'revoke', 'nobody', '--db', dbFile)).toMatchObject({ code: 2, stderr: "server: no user 'nobody'\n" });

    const queueFile = join(dir, 'queue.json');
    writeFileSync(queueFile, JSON.stringify({ id: 'claims-triage', name: 'Claims · triage', workflow: 'insurance-claims', stage: 'triage',
      exceptionClass: 'confidence', ownerId: 'rita', ownerName: 'rita', slaTargetMinutes: 90, reasonCodes: [{ code: 'other', label: 'Other' }] }));
    const added = await cli('queues', 'add', queueFile, '--db', dbFile);
    expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/queue claims-triage saved/) });
    const policy = await cli('queues', 'policy', 'claims-triage', '--db', dbFile,
      '--sla-minutes', '120', '--labor-cost', '48.50 EUR', '--trigger', '{"kind":"corrections_count","atLeast":5,"windowHours":24}');
    expect(policy.code).toBe(0);
    expect(policy.stdout).toMatch(/queue claims-triage policy saved: owner rita, SLA 120 min, idle 60 s, defer cooldown 30 min, labor cost 48.5 EUR\/h, rollback trigger \{"kind":"corrections_count","atLeast":5,"windowHours":24\}/);
    expect(await cli('queues', 'policy', 'claims-triage', '--db', dbFile, '--labor-cost', '48 euros'))
      .toMatchObject({ code: 2, stderr: expect.stringMatching(/--labor-cost must be "AMOUNT CUR"/) });
    expect(await cli('queues', 'policy', 'claims-triage', '--db', dbFile, '--sla-minutes', '0'))
      .toMatchObject({ code: 2, stderr: expect.stringMatching(/invalid policy/) });
    // The defer cooldown is a queue policy (issue 14 item 3): 0 to 1440 minutes.
    expect(await cli('queues', 'policy', 'claims-triage', '--db', dbFile, '--defer-cooldown-min', '5'))
      .toMatchObject({ code: 0, stdout: expect.stringMatching(/idle 60 s, defer cooldown 5 min,/) });
    for (const bad of ['-1', '1441', '2.5', 'soon']) {
      expect(await cli('queues', 'policy', 'claims-triage', '--db', dbFile, `--defer-cooldown-min=${bad}`))
        .toMatchObject({ code: 2, stderr: expect.stringMatching(/invalid policy[\s\S]*deferCooldownMinutes/) });
    }
    writeFileSync(queueFile, JSON.stringify({ id: 'broken', ownerId: 'nobody' }));
    expect(await cli('queues', 'add', queueFile, '--db', dbFile)).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not a queue/) });

    const srv = await spawnServer({ dbFile });
    try {
      const rita = new CentralClient(srv.url, token);
      expect(await rita.me()).toEqual({ id: 'rita', name: 'rita', roles: ['reviewer', 'owner'], serverId: (await rita.health()).serverId });
      expect((await rita.queues()).queues.map((q) => [q.id, q.idleThresholdSec, q.deferCooldownMinutes])).toEqual([['claims-triage', 60, 5]]);
      await new CentralClient(srv.url, 'demo-alice').expectProblem(401, 'GET', '/v1/me');
    } finally {
      expect(await srv.kill('SIGTERM')).toBe(0);
    }
  }, 60_000); // one server child process

  it('runs as a real command: a child process prints the token, or refuses with exit code 2 and the reason on stderr', async () => {
    const dbFile = await newDatabaseTarget(dir, 'child');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'add', 'rex', '--role', 'reviewer', '--db', dbFile]);
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^edk_/);
    await expect(run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'add', 'x', '--role', 'wizard', '--db', dbFile]))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^server: unknown role/) });
  }, 60_000); // two CLI child processes

  it('shuts down on SIGTERM after in-flight requests finish, leaving a clean database', async () => {
    const dbFile = await newDatabaseTarget(dir, 'demo');
    const srv = await spawnServer({ dbFile, seed: 'demo' });
    const alice = new CentralClient(srv.url, 'demo-alice');
    const inFlight = alice.claim({ count: 200 });
    // Signal as soon as the server has logged the request as received (not before: it would be refused).
    while (!/"msg":"incoming request"[^\n]*\/v1\/claims|\/v1\/claims[^\n]*"msg":"incoming request"/.test(srv.output())) await new Promise((r) => setTimeout(r, 1));
    const code = await srv.kill('SIGTERM');
    const { items } = await inFlight;
    expect(code).toBe(0);
    expect(items).toHaveLength(200);
    expect(srv.output()).toMatch(/"msg":"server stopped; database closed"/);
    if (DB_KIND === 'sqlite') {
      // A SQLite file closed cleanly: sound, still in WAL mode. (PostgreSQL keeps its own files; the node only
      // closes its pool, which the "database closed" line above says.)
      expect(integrityCheck(dbFile)).toBe('ok');
      const file = openReadonly(dbFile);
      expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
      file.close();
    }
    const db = await openProbe(dbFile);
    expect(Number((await db.get<{ n: number }>("SELECT count(*) n FROM items WHERE status = 'leased'"))!.n)).toBe(200);
    await db.close();
  });
});
