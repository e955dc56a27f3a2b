// Queue pages against a plain reference query: on random caches (classes, queues, statuses, local states,
// assignees, confidences with nulls, SLA and enqueue times with ties, titles with case and non-ASCII) and
// random filters, sorts, offsets and limits, ItemsRepo.page answers exactly the rows and total that one
// straightforward SELECT ... WHERE ... ORDER BY ... LIMIT ... OFFSET answers over the same rows, whichever
// plan it picks (sort index, bounded walk, table read, title index with its unindexed tail), while writes
// (pull pages, removals, resets, rolled-back pages) and the title indexer's steps come and go between pages.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { ItemsRepo } from '../../electron/core/items-repo';
import { KvRepo } from '../../electron/core/kv-repo';
import { OutboxRepo } from '../../electron/core/outbox-repo';
import type { PageInput } from '../../electron/core/queue-page';
import { EXCEPTION_CLASSES, type Item } from '../../shared/domain';
import { scriptItem } from './core-fixture';
import { createRng } from '../../server/seed/prng';

const QUEUES = ['q1', 'q2', 'q3'];
const WORDS = ['Invoice', 'total MISMATCH', 'Vendor unknown', 'Straße', 'über', 'quote "x"', 'late', 'ok', 'Split line'];
const TERMS = ['#12', '#7', 'e #3', 'x" #2', 'invoice', 'INVOICE', ' mismatch ', 'vendor unk', 'straße', 'ÜBER', 'quote "x"', '"x"', 'late', 'ok', 'in', 'e', 'split', 'zzz', 'total mis', 'inv'];
const USERS = ['alice', 'bob'];
const STATUSES: Item['status'][] = ['leased', 'escalated', 'open', 'resolved'];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function openRepos() {
  const db = openCacheDb(':memory:');
  cleanups.push(() => db.close());
  const kv = new KvRepo(db);
  const outbox = new OutboxRepo(db, kv);
  const items = new ItemsRepo(db, outbox, () => 'alice');
  return { db, items, outbox };
}

/** One item from a random source: mostly in alice's triage set (the only rows a cache keeps without history). */
function randomItem(i: number, rnd: () => number): Item {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const mine = rnd() < 0.85;
  const words = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(WORDS));
  return scriptItem(i, {
    exceptionClass: pick(EXCEPTION_CLASSES), queueId: pick(QUEUES), version: 1 + Math.floor(rnd() * 3),
    status: mine ? pick(['leased', 'escalated'] as const) : pick(STATUSES), assigneeId: mine ? 'alice' : pick<string | null>([null, ...USERS]),
    confidence: rnd() < 0.2 ? null : Math.floor(rnd() * 6) / 5,
    slaDueAt: new Date(Date.UTC(2026, 10, 28, 8, Math.floor(rnd() * 40))).toISOString(),
    enqueuedAt: new Date(Date.UTC(2026, 10, 27, 8, Math.floor(rnd() * 40))).toISOString(),
    title: `${words.join(' ')} #${i}`,
  });
}

// Seeded (mulberry32, the demo seed's generator): reproducible from the seed.
const prng = (seed: number): (() => number) => createRng(seed).next;

const itemArb = (i: number) => fc.integer().map((seed) => randomItem(i, prng(seed)));

const filterArb: fc.Arbitrary<PageInput['filter']> = fc.record({
  classes: fc.subarray([...EXCEPTION_CLASSES], { minLength: 1 }),
  queueIds: fc.subarray(QUEUES, { minLength: 1 }),
  statuses: fc.subarray(STATUSES, { minLength: 1 }),
  localStates: fc.subarray(['none', 'pending'] as const, { minLength: 1 }),
  openOnly: fc.boolean(),
  text: fc.constantFrom(...TERMS),
}, { requiredKeys: [] });

const inputArb: fc.Arbitrary<PageInput> = fc.record({
  filter: filterArb,
  sort: fc.record({ by: fc.constantFrom('slaDue' as const, 'age' as const, 'confidence' as const), dir: fc.constantFrom('asc' as const, 'desc' as const) }),
  offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
  limit: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constant(100)),
});

type Step =
  | { op: 'page'; input: PageInput }
  | { op: 'write'; items: Item[]; rollback: boolean }
  | { op: 'remove'; i: number }
  | { op: 'decide'; i: number }
  | { op: 'reset' }
  | { op: 'indexTitles'; budget: number };

/** The documented semantics as one plain query, no plan choices. */
function reference(db: Db, input: PageInput, me: string): { total: number; ids: string[] } {
  const f = input.filter;
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [col, vals] of [['class', f.classes], ['queue_id', f.queueIds], ['status', f.statuses], ['local_state', f.localStates]] as const) {
    if (vals?.length) { where.push(`${col} IN (${vals.map(() => '?').join(',')})`); params.push(...vals); }
  }
  if (f.openOnly) { where.push('assignee_id = ? AND in_triage = 1'); params.push(me); }
  const term = f.text?.trim().toLowerCase();
  if (term) { where.push('instr(title_lc, ?) > 0'); params.push(term); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const col = { slaDue: 'sla_due_ms', age: 'enqueued_ms', confidence: 'confidence' }[input.sort.by];
  const asc = input.sort.by === 'age' ? input.sort.dir === 'desc' : input.sort.dir === 'asc';
  const dir = asc ? 'ASC' : 'DESC';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM items ${w}`).get(...params) as { n: number }).n;
  const ids = (db.prepare(`SELECT id FROM items ${w} ORDER BY ${col} ${dir} NULLS LAST, id ${dir} LIMIT ? OFFSET ?`)
    .all(...params, input.limit, input.offset) as { id: string }[]).map((r) => r.id);
  return { total, ids };
}

function stepsArb(n: number): fc.Arbitrary<Step[]> {
  const ids = fc.integer({ min: 0, max: n + 20 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: inputArb.map((input) => ({ op: 'page' as const, input })) },
    { weight: 3, arbitrary: fc.record({ items: fc.array(ids.chain((i) => itemArb(i)), { minLength: 1, maxLength: 12 }), rollback: fc.boolean() })
      .map((w) => ({ op: 'write' as const, ...w })) },
    { weight: 2, arbitrary: ids.map((i) => ({ op: 'remove' as const, i })) },
    { weight: 2, arbitrary: ids.map((i) => ({ op: 'decide' as const, i })) },
    { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: n }).map((budget) => ({ op: 'indexTitles' as const, budget })) },
  );
  return fc.array(step, { minLength: 1, maxLength: 40 });
}

function run(r: ReturnType<typeof openRepos>, step: Step): void {
  const { db, items } = r;
  switch (step.op) {
    case 'page': {
      const got = items.page(step.input);
      expect([step.input, got.total, got.rows.map((x) => x.id)]).toEqual([step.input, ...Object.values(reference(db, step.input, 'alice'))]);
      return;
    }
    case 'write': {
      const write = db.transaction(() => {
        for (const it of step.items) items.putServerCopy(it, { force: true });
        if (step.rollback) throw new Error('page cut off');
      });
      try { write(); } catch (e) { if (!step.rollback) throw e; }
      return;
    }
    case 'remove':
      db.transaction(() => items.markRemoved(`itm-${step.i}`, 'withdrawn', null))();
      return;
    case 'decide': {
      // A local decision keeps the row as history (local state pending) whatever the server says next.
      const got = items.get(`itm-${step.i}`);
      if (!got) return;
      db.transaction(() => {
        r.outbox.insert({
          kind: 'note', itemId: got.item.id, baseVersion: got.serverItem.version, assignmentEpoch: got.serverItem.assignmentEpoch,
          at: new Date(Date.UTC(2026, 10, 28)).toISOString(), labor: null, payload: { text: 'seen' }, userId: 'alice', needsRebase: false,
        });
        items.recompute(got.item.id);
      })();
      return;
    }
    case 'reset':
      db.transaction(() => items.resetServerCopy())();
      return;
    case 'indexTitles':
      items.indexTitles(step.budget);
  }
}

describe('queue pages against a reference query', () => {
  it('answer the same rows and total for any cache, filter, sort, offset and limit, between any writes', () => {
    const n = 2500;
    const initial = fc.integer().map((seed) => { const rnd = prng(seed); return Array.from({ length: n }, (_, i) => randomItem(i, rnd)); });
    fc.assert(fc.property(initial, fc.boolean(), stepsArb(n), (rows, indexFirst, steps) => {
      const r = openRepos();
      r.db.transaction(() => { for (const it of rows) r.items.putServerCopy(it); })();
      if (indexFirst) r.items.indexTitles(n);
      for (const step of steps) run(r, step);
      cleanups.splice(0).reverse().forEach((c) => c());
    }), { numRuns: 25 });
  });

  it('the comparison can fail: a row written behind the repo\'s back shows as a difference', () => {
    const r = openRepos();
    r.db.transaction(() => { for (let i = 0; i < 5; i++) r.items.putServerCopy(scriptItem(i, { title: 'Vendor unknown' })); })();
    const input: PageInput = { filter: { text: 'vendor' }, sort: { by: 'slaDue', dir: 'asc' }, offset: 0, limit: 10 };
    expect(r.items.page(input).total).toBe(5);
    r.db.exec(`UPDATE items SET title_lc = 'gone' WHERE id = 'itm-0'`);
    expect(r.items.page(input).total).not.toBe(reference(r.db, input, 'alice').total);
  });
});
