// Pull pages as the server now builds them (issue 15 gap 1): item copies are the stored JSON spliced into the
// page's text, and a snapshot page reads one index range per assigned status, merged in id order by the
// database. Checked: the spliced text is the same JSON as the parsed-and-stringified item, for generated rows
// (stored texts included); and a snapshot paged a few items at a time over a set that mixes leased and
// escalated items hands over each item exactly once, in the database's id order (runs on SQLite and PostgreSQL).
// On SQLite the database writes a snapshot page's item JSON itself (itemJsonSql): the same JSON value as
// itemJsonFromRow, and the same size as itemRowBytes, for generated rows stored in a real items table.
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemFromRow, itemJsonFromRow, itemJsonSql, itemRowBytesSql } from '../../server/db/rows';
import { itemRowBytes, pageJson, type PageOut } from '../../server/services/pull';
import type { ItemRow } from '../../server/db/schema';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

const text = fc.string({ unit: 'binary', maxLength: 12 });
const iso = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
/** A stored JSON column: what toJson wrote, or (rarely) the text null, or SQL NULL where the column allows it. */
const storedJson = (nullable: boolean) => fc.oneof(
  { weight: 8, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constant('null') },
  ...(nullable ? [{ weight: 1, arbitrary: fc.constant(null) }] : []),
);
const row: fc.Arbitrary<ItemRow> = fc.record({
  id: text, source: text, external_id: text, queue_id: text, workflow: text, stage: text, exception_class: text, title: text,
  summary: fc.option(text), confidence: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
  reasons: storedJson(false), input: storedJson(false), output: storedJson(false), status: text, assignee_id: fc.option(text),
  assignment_epoch: fc.integer(), lease_expires_at: fc.option(iso), version: fc.integer(), created_at: iso, enqueued_at: iso,
  sla_due_at: iso, outcome: storedJson(true), notes: storedJson(false), escalation: storedJson(true), revert_count: fc.nat(),
}) as fc.Arbitrary<ItemRow>;

describe('an item copy spliced from its stored JSON', () => {
  it('is the same JSON text as the item parsed from the row and stringified', () => {
    fc.assert(fc.property(row, (r) => {
      expect(itemJsonFromRow(r)).toBe(JSON.stringify(itemFromRow(r)));
    }), { numRuns: 2000 });
  });

  it('parses to the same item whatever whitespace the stored texts carry', () => {
    fc.assert(fc.property(row, fc.constantFrom(' ', '\n', '\t '), (r, ws) => {
      const padded = { ...r, input: `${ws}${r.input}${ws}`, notes: `${ws}${r.notes}${ws}` };
      // As the client receives either (JSON has no -0, no undefined).
      expect(JSON.parse(itemJsonFromRow(padded))).toEqual(JSON.parse(JSON.stringify(itemFromRow(padded))));
    }), { numRuns: 300 });
  });
});

describe('an item copy written by SQLite (snapshot pages on SQLite)', () => {
  it('is the same JSON value as itemJsonFromRow, and the same size as itemRowBytes, for the row as stored', () => {
    const db = new Database(':memory:');
    // The items columns with the server schema's types (their affinities decide what a stored value reads back as).
    db.exec(`CREATE TABLE items (id text primary key, source text not null, external_id text not null, queue_id text not null,
      workflow text not null, stage text not null, exception_class text not null, title text not null, summary text, confidence real,
      reasons text not null, input text not null, output text not null, status text not null, assignee_id text,
      assignment_epoch integer not null, lease_expires_at text, version integer not null, created_at text not null,
      enqueued_at text not null, sla_due_at text not null, outcome text, notes text not null, escalation text,
      revert_count integer default 0 not null)`);
    const insert = db.prepare(`INSERT INTO items VALUES (@id, @source, @external_id, @queue_id, @workflow, @stage, @exception_class, @title,
      @summary, @confidence, @reasons, @input, @output, @status, @assignee_id, @assignment_epoch, @lease_expires_at, @version, @created_at,
      @enqueued_at, @sla_due_at, @outcome, @notes, @escalation, @revert_count)`);
    const read = db.prepare(`SELECT i.*, ${itemJsonSql('i')} AS sql_json, CAST(${itemJsonSql('i')} AS BLOB) AS sql_blob, ${itemRowBytesSql('i')} AS sql_bytes FROM items i`);
    const padded = fc.tuple(row, fc.constantFrom('', ' ', '\n', '\t ')).map(([r, ws]) => (ws ? { ...r, input: `${ws}${r.input}${ws}`, outcome: r.outcome === null ? null : `${ws}${r.outcome}${ws}` } : r));
    try {
      fc.assert(fc.property(padded, (r) => {
        db.exec('DELETE FROM items');
        insert.run(r);
        const { sql_json: sqlJson, sql_blob: sqlBlob, sql_bytes: sqlBytes, ...stored } = read.get() as ItemRow & { sql_json: string; sql_blob: Buffer; sql_bytes: number };
        expect(JSON.parse(sqlJson)).toEqual(JSON.parse(itemJsonFromRow(stored)));
        // The page takes the bytes (a BLOB): the text's own UTF-8.
        expect(Buffer.isBuffer(sqlBlob) && sqlBlob.equals(Buffer.from(sqlJson))).toBe(true);
        expect(sqlBytes).toBe(itemRowBytes(stored));
      }), { numRuns: 2000 });
    } finally {
      db.close();
    }
  });
});

describe('a page whose item copies are the bytes the database wrote', () => {
  it('is byte for byte the page spliced from their texts', () => {
    const head = fc.record({ cursor: text, hasMore: fc.boolean(), reset: fc.boolean(), serverTime: iso,
      removals: fc.constant([]), results: fc.constant([]), queues: fc.constant([]) });
    const items = fc.array(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), { maxLength: 6 });
    fc.assert(fc.property(head, items, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (h, texts, asBytes) => {
      const page = h as unknown as Omit<PageOut, 'upserts'>;
      const fromText = pageJson({ ...page, upserts: texts }).text;
      const fromBytes = pageJson({ ...page, upserts: texts.map((t, k) => (asBytes[k] ? Buffer.from(t) : t)) }).text;
      expect(typeof fromText).toBe('string');
      expect(Buffer.from(fromBytes).equals(Buffer.from(fromText))).toBe(true);
      expect(JSON.parse(fromBytes.toString())).toEqual({ ...h, upserts: texts.map((t) => JSON.parse(t)) });
    }), { numRuns: 500 });
  });
});

describe('a snapshot paged a few items at a time', () => {
  let srv: TestServer;
  beforeAll(async () => { srv = await startTestServer({ seed: 'demo' }); });
  afterAll(async () => { await srv?.close(); });

  it('hands over every leased and escalated item of the user once, in the database id order', async () => {
    const anon = new CentralClient(srv.url);
    const alice = anon.as('demo-alice');
    const olivia = anon.as('demo-olivia');
    const { queues } = await alice.queues();
    const me = await olivia.me();
    const hers = queues.filter((q) => q.ownerId === me.id);
    expect(hers.length).toBeGreaterThan(0);
    // Olivia holds leases of her own, and alice escalates items of olivia's queues to her: both statuses, interleaved.
    await olivia.claim({ count: 7 });
    const { items } = await alice.claim({ count: 6, queueIds: hers.map((q) => q.id) });
    expect(items.length).toBeGreaterThan(2);
    const res = await alice.push({ clientId: newClientId('esc'), mutations: items.map((it, k) => mutationFor('escalate', it, k + 1, { reasonCode: hers.find((q) => q.id === it.queueId)!.reasonCodes[0].code })) });
    expect(res.results.every((r) => r.status === 'applied')).toBe(true);

    const db = await openProbe(srv.dbFile);
    let expected: { id: string; status: string }[];
    try {
      expected = await db.all(`SELECT id, status FROM items WHERE assignee_id = ? AND status IN ('leased', 'escalated') ORDER BY id`, me.id);
    } finally { await db.close(); }
    expect(new Set(expected.map((e) => e.status))).toEqual(new Set(['leased', 'escalated']));

    // On SQLite the page comes from the statement that writes the item JSON in the database (itemJsonSql).
    const raw = srv.server.database.raw;
    const prepared: string[] = [];
    if (raw) {
      const prepare = raw.prepare.bind(raw);
      raw.prepare = ((sqlText: string) => { prepared.push(sqlText); return prepare(sqlText); }) as typeof prepare;
    }
    const pages = await olivia.pullAll({ limit: 3, clientId: newClientId('olivia') });
    if (raw) expect(prepared.filter((t) => t.includes('json_quote'))).toHaveLength(1);
    const snapshot = pages.filter((p, k) => k === 0 || pages[k - 1].cursor.startsWith('s.'));
    expect(snapshot.length).toBeGreaterThan(2);
    expect(snapshot[0].reset).toBe(true);
    const got = snapshot.flatMap((p) => p.upserts);
    expect(got.map((i) => i.id)).toEqual(expected.map((e) => e.id));
    expect(got.map((i) => i.status)).toEqual(expected.map((e) => e.status));
  });
});
