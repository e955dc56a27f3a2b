// Demo payloads agree with themselves: a validation message names the same value as the field it points at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProbe } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';

let demo: DemoServer;
beforeAll(async () => { demo = await startDemoServer(); });
afterAll(async () => { await demo?.close(); });

describe('demo payloads', () => {
  it('an expired-passport message names the expiry date the document field holds', async () => {
    const db = await openProbe(demo.dbFile);
    try {
      const rows = await db.all<{ reasons: string; input: string }>(`SELECT reasons, input FROM items WHERE queue_id = 'kyc-sanctions'`);
      const expired = rows.map((r) => ({ reasons: JSON.parse(r.reasons) as { code: string; message: string }[], input: JSON.parse(r.input) as { document: { expiresOn: string } } }))
        .filter((r) => r.reasons.some((x) => x.code === 'document_expired'));
      expect(expired.length).toBeGreaterThan(5);
      for (const r of expired) expect(r.reasons.find((x) => x.code === 'document_expired')!.message).toBe(`Passport expired on ${r.input.document.expiresOn}`);
    } finally { await db.close(); }
  });
});
