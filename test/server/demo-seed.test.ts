// The demo seed: deterministic content, all four classes, named owners, olivia's queues due first, and the
// whole seed in one transaction (a second run adds nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/connection';
import { seedDemo } from '../../server/seed/demo';
import { listQueues } from '../../server/services/queues';

const dir = mkdtempSync(join(tmpdir(), 'desk-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function seeded(name: string, now: Date) {
  const opened = await openDatabase(join(dir, name));
  const created = await seedDemo(opened.db, now);
  const again = await seedDemo(opened.db, now);
  const items = await opened.db.selectFrom('items').select(['id', 'queue_id', 'title', 'input', 'output', 'reasons', 'confidence', 'exception_class', 'sla_due_at',
    'status', 'outcome']).orderBy('id').execute();
  const queues = await listQueues(opened.db);
  const events = await opened.db.selectFrom('item_events').select((eb) => eb.fn.countAll<number>().as('n')).where('item_id', 'not like', 'itm_h%').executeTakeFirstOrThrow();
  await opened.close();
  return { created, again, items, queues, events: Number(events.n) };
}

describe('demo seed', () => {
  it('is deterministic and realistic', async () => {
    const a = await seeded('a.sqlite', new Date('2026-11-28T08:00:00Z'));
    const b = await seeded('b.sqlite', new Date('2026-11-28T08:00:00Z'));
    expect(a.created).toBe(2000);
    expect(a.again).toBe(0);
    // The 2,000 open items have their created + enqueued events; the history's items (itm_h…) are apart.
    expect(a.events).toBe(4000);
    expect(b.items).toEqual(a.items);

    expect(new Set(a.queues.map((q) => q.exceptionClass))).toEqual(new Set(['policy', 'confidence', 'data_integrity', 'business_rule']));
    for (const q of a.queues) {
      expect(q.ownerName).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(q.reasonCodes.length).toBeGreaterThanOrEqual(5);
    }
    const earliest = a.items.filter((i) => i.status === 'open').sort((x, y) => x.sla_due_at.localeCompare(y.sla_due_at)).slice(0, 200);
    const owner = new Map(a.queues.map((q) => [q.id, q.ownerId]));
    expect(earliest.every((i) => owner.get(i.queue_id) === 'olivia')).toBe(true);

    const invoice = a.items.find((i) => i.queue_id === 'invoices-ledger')!;
    expect(JSON.parse(invoice.output)).toMatchObject({ vendorName: expect.any(String), total: expect.any(Number), lineItems: expect.any(Array) });
    expect(JSON.parse(invoice.reasons)[0]).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    const kyc = a.items.find((i) => i.queue_id === 'kyc-sanctions')!;
    expect(JSON.parse(kyc.input)).toMatchObject({ fullName: expect.any(String), dateOfBirth: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    const support = a.items.find((i) => i.queue_id === 'support-drafts')!;
    expect(JSON.parse(support.output).draftReply).toMatch(/^Hi /);
    expect(support.confidence).toBeLessThan(0.7);
    expect(a.items.filter((i) => i.queue_id === 'procurement-po').every((i) => i.confidence === null)).toBe(true);
  });
});
