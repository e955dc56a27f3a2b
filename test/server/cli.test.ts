// The server as a user runs it: the CLI child process, `users add`, demo tokens confined to demo databases,
// and a graceful SIGTERM that lets an in-flight request finish and closes the database cleanly.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CentralClient } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'desk-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server CLI', () => {
  it('creates users whose token works once printed; demo tokens do not work in a non-demo database', async () => {
    const dbFile = join(dir, 'plain.sqlite');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'add', 'rita', '--role', 'reviewer,owner', '--db', dbFile]);
    const token = stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^edk_/);
    const db = new BetterSqlite3(dbFile, { readonly: true });
    const stored = db.prepare('SELECT token_hash FROM tokens').all() as { token_hash: string }[];
    db.close();
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);

    await expect(run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'add', 'x', '--role', 'wizard', '--db', dbFile]))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/unknown role/) });

    const queueFile = join(dir, 'queue.json');
    writeFileSync(queueFile, JSON.stringify({ id: 'claims-triage', name: 'Claims · triage', workflow: 'insurance-claims', stage: 'triage',
      exceptionClass: 'confidence', ownerId: 'rita', ownerName: 'rita', slaTargetMinutes: 90, reasonCodes: [{ code: 'other', label: 'Other' }] }));
    const added = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'queues', 'add', queueFile, '--db', dbFile]);
    expect(added.stdout).toMatch(/queue claims-triage saved/);
    const policy = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'queues', 'policy', 'claims-triage', '--db', dbFile,
      '--sla-minutes', '120', '--labor-cost', '48.50 EUR', '--trigger', '{"kind":"corrections_count","atLeast":5,"windowHours":24}']);
    expect(policy.stdout).toMatch(/queue claims-triage policy saved: owner rita, SLA 120 min, idle 60 s, labor cost 48.5 EUR\/h, rollback trigger \{"kind":"corrections_count","atLeast":5,"windowHours":24\}/);
    await expect(run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'queues', 'policy', 'claims-triage', '--db', dbFile, '--labor-cost', '48 euros']))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/--labor-cost must be "AMOUNT CUR"/) });
    await expect(run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'queues', 'policy', 'claims-triage', '--db', dbFile, '--sla-minutes', '0']))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/invalid policy/) });
    writeFileSync(queueFile, JSON.stringify({ id: 'broken', ownerId: 'nobody' }));
    await expect(run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'queues', 'add', queueFile, '--db', dbFile]))
      .rejects.toMatchObject({ stderr: expect.stringMatching(/is not a queue/) });

    const srv = await spawnServer({ dbFile });
    try {
      const rita = new CentralClient(srv.url, token);
      expect(await rita.me()).toEqual({ id: 'rita', name: 'rita', roles: ['reviewer', 'owner'], serverId: (await rita.health()).serverId });
      expect((await rita.queues()).queues.map((q) => [q.id, q.idleThresholdSec])).toEqual([['claims-triage', 60]]);
      await new CentralClient(srv.url, 'demo-alice').expectProblem(401, 'GET', '/v1/me');
    } finally {
      expect(await srv.kill('SIGTERM')).toBe(0);
    }
  }, 180_000); // five CLI child processes one after another: minutes on a loaded two-core machine

  it('shuts down on SIGTERM after in-flight requests finish, leaving a clean database', async () => {
    const dbFile = join(dir, 'demo.sqlite');
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
    const db = new BetterSqlite3(dbFile);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare("SELECT count(*) n FROM items WHERE status = 'leased'").get() as { n: number }).n).toBe(200);
    db.close();
  });
});
