// `npm run server -- import-sqlite FILE --db postgres://…` (server/db/copy-sqlite-to-postgres.ts): a SQLite
// database with a working history (claims, decisions, escalations, reverts, reassignments, a compacted
// change log) moves into PostgreSQL with every row identical; desks and producers keep their cursors; the
// logs continue after the copied numbers; a second import into the now non-empty database is refused and
// changes nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionsResponse } from '../../shared/central-api';
import { compactChangeLog } from '../../server/services/pull';
import { CentralClient, approvals, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { withDemoClients } from '../helpers/demo-fixture';
import { createTestDatabase } from '../helpers/pg-cluster';
import { startTestServer } from '../helpers/server';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'desk-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const importSqlite = (file: string, url: string) =>
  run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'import-sqlite', file, '--db', url], { cwd: process.cwd() });

async function allDecisions(client: CentralClient): Promise<DecisionsResponse['decisions']> {
  const out: DecisionsResponse['decisions'] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.decisions({ cursor, limit: 100 });
    out.push(...page.decisions);
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}

describe('import-sqlite', () => {
  it('copies a working SQLite database into PostgreSQL, every row identical, cursors still valid', async () => {
    // A demo database with history, on SQLite.
    const file = join(dir, 'demo.sqlite');
    const demo = await withDemoClients(await startTestServer({ dbFile: file, seed: 'demo' }));
    const olivia = demo.queues.find((q) => q.ownerId === demo.ids.olivia)!;
    const aliceClient = newClientId('import-alice');
    const { items } = await demo.as.alice.claim({ count: 12, queueIds: [olivia.id] });
    await demo.as.alice.push({ clientId: aliceClient, mutations: [
      ...approvals(items.slice(0, 6), 1),
      mutationFor('escalate', items[6], 7, { reasonCode: olivia.reasonCodes[0].code }),
      mutationFor('reject', items[7], 8, { reasonCode: olivia.reasonCodes[0].code }),
    ] });
    await demo.as.alice.push({ clientId: aliceClient, mutations: [mutationFor('revert', items[0], 9, {})] });
    await demo.as.sam.assign({ itemIds: [items[8].id], assigneeId: demo.ids.bob });
    await demo.as.bob.claim({ count: 5 });
    // Compaction empties part of the log: positions SQLite handed out must never be handed out again.
    const top = Number((await demo.running!.database.db.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('p')).executeTakeFirstOrThrow()).p);
    await compactChangeLog(demo.running!.database.db, Math.floor(top / 2));
    await demo.as.alice.claim({ count: 2, queueIds: [olivia.id] });
    const pulled = await demo.as.alice.pullAll({ clientId: aliceClient, limit: 50 });
    const aliceCursor = pulled[pulled.length - 1].cursor;
    const feed = await allDecisions(demo.as.ingest);
    await demo.close();

    // The command, as an operator runs it.
    const url = await createTestDatabase('imported');
    const { stdout } = await importSqlite(file, url);
    expect(stdout).toMatch(/every row identical/);

    // Checked again here, independently of the command's own check: every table, every row.
    const ignore = ['kysely_migration', 'kysely_migration_lock'];
    const sqliteSnap = await snapshotOf(file, ignore);
    const pgSnap = await snapshotOf(url, ignore);
    expect(Object.keys(pgSnap).sort()).toEqual(Object.keys(sqliteSnap).sort());
    expect(changedTables(sqliteSnap, pgSnap)).toEqual([]);
    expect(sqliteSnap.items.rows).toBe(2000);
    expect(sqliteSnap.change_log.rows).toBeGreaterThan(0);

    // The same server on PostgreSQL: same database id, so alice's cursor replays without a reset; the
    // producers' feed reads the same; new positions follow the old ones.
    const onPg = await withDemoClients(await startTestServer({ dbFile: url }));
    try {
      const next = await onPg.as.alice.pull({ cursor: aliceCursor, clientId: aliceClient });
      expect(next.reset).toBe(false);
      expect(next.upserts).toEqual([]);
      expect(await allDecisions(onPg.as.ingest)).toEqual(feed);
      const { items: more } = await onPg.as.alice.claim({ count: 1, queueIds: [olivia.id] });
      const after = await onPg.as.alice.pull({ cursor: aliceCursor, clientId: aliceClient });
      expect(after.upserts.map((i) => i.id)).toEqual([more[0].id]);
      expect(Number(after.cursor.split('.')[2])).toBeGreaterThan(Number(aliceCursor.split('.')[2]));
      const res = await onPg.as.alice.push({ clientId: aliceClient, mutations: approvals(more, 10) });
      expect(res.results[0].status).toBe('applied');
    } finally {
      await onPg.close();
    }

    // A second import into the now non-empty database is refused and changes nothing.
    const before = await snapshotOf(url, ignore);
    await expect(importSqlite(file, url)).rejects.toMatchObject({ stderr: expect.stringMatching(/already holds data/) });
    expect(changedTables(before, await snapshotOf(url, ignore))).toEqual([]);
    const probe = await openProbe(url);
    try {
      expect((await probe.get<{ n: number }>(`SELECT COUNT(*) AS n FROM meta WHERE key = 'db_id'`))!.n).toBe(1);
    } finally {
      await probe.close();
    }
  }, 180_000);
});
