// Bad input gets a clear problem+json answer and changes nothing; the OpenAPI document is generated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../shared/central-api';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
let alice: CentralClient;
let ingest: CentralClient;

beforeAll(async () => {
  srv = await startTestServer({ seed: 'demo' });
  alice = new CentralClient(srv.url, 'demo-alice');
  ingest = new CentralClient(srv.url, 'demo-ingest');
});
afterAll(async () => { await srv?.close(); });


describe('bad input', () => {
  it('answers malformed JSON, wrong types, unknown kinds and oversize bodies with problems and changes nothing', async () => {
    const { items: [item] } = await alice.claim({ count: 1 });
    const before = await snapshotOf(srv.dbFile);
    const clientId = newClientId('bad');

    const malformed = await alice.expectProblem(400, 'POST', '/v1/sync/push', undefined, { rawBody: '{"clientId": "abcdefgh", "mutations": [' });
    expect(malformed.type).toBe(PROBLEM_TYPES.validation);
    expect(malformed.detail).toMatch(/malformed JSON/);

    const wrongTypes = await alice.expectProblem(400, 'POST', '/v1/sync/push', { clientId, mutations: [{ ...mutationFor('approve', item, 1, {}), mutationId: 'one' }] });
    expect(wrongTypes.errors?.[0]).toMatchObject({ path: 'mutations.0.mutationId' });

    const unknownKind = await alice.expectProblem(400, 'POST', '/v1/sync/push', { clientId, mutations: [{ ...mutationFor('approve', item, 1, {}), kind: 'obliterate' }] });
    expect(unknownKind.errors?.some((e) => e.path.startsWith('mutations.0'))).toBe(true);

    const huge = 'x'.repeat(9 * 1024 * 1024);
    const tooBig = await alice.expectProblem(413, 'POST', '/v1/sync/push', undefined, { rawBody: JSON.stringify({ clientId, mutations: [], pad: huge }) });
    expect(tooBig.type).toBe(PROBLEM_TYPES.payloadTooLarge);

    await alice.expectProblem(415, 'POST', '/v1/claims', undefined, { rawBody: 'count=1', contentType: 'text/plain' });
    await alice.expectProblem(400, 'POST', '/v1/claims', { count: 0 });
    await alice.expectProblem(400, 'POST', '/v1/claims', { count: 1, leaseMinutes: 999_999 });
    await alice.expectProblem(400, 'GET', '/v1/sync/pull?limit=abc');
    await alice.expectProblem(404, 'GET', '/v1/nowhere');
    const unknownQueue = await ingest.expectProblem(400, 'POST', '/v1/exceptions', { items: ingestItems('no-such-queue', 2) });
    expect(unknownQueue.errors?.map((e) => e.path)).toEqual(['items.0.queueId', 'items.1.queueId']);
    await ingest.expectProblem(400, 'POST', '/v1/exceptions', { items: ingestItems('support-drafts', 1001) });
    await ingest.expectProblem(400, 'GET', '/v1/decisions?cursor=not-a-cursor');

    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });

  it('ingests idempotently on (source, externalId) with SLA due from the queue target', async () => {
    const batch = { items: ingestItems('support-drafts', 50, { prefix: 'idem' }) };
    const first = await ingest.ingest(batch);
    const second = await ingest.ingest(batch);
    expect([first.created, first.existing]).toEqual([50, 0]);
    expect([second.created, second.existing]).toEqual([0, 50]);
    expect(second.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id));
    const db = await openProbe(srv.dbFile);
    const row = (await db.get<{ enqueued_at: string; sla_due_at: string }>('SELECT enqueued_at, sla_due_at FROM items WHERE id = ?', first.items[0].id))!;
    await db.close();
    expect(Date.parse(row.sla_due_at) - Date.parse(row.enqueued_at)).toBe(60 * 60_000);
  });

  it('serves an OpenAPI document generated from the shared schemas for every route', async () => {
    const res = await alice.request('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/alerts', '/v1/alerts/ack', '/v1/assignments', '/v1/bundles/checkout', '/v1/bundles/decisions', '/v1/bundles/devices', '/v1/bundles/key', '/v1/claims', '/v1/corrections', '/v1/decisions', '/v1/exceptions', '/v1/health', '/v1/items', '/v1/leases/renew', '/v1/me', '/v1/metrics/control-points', '/v1/metrics/exception-tax', '/v1/metrics/scorecard', '/v1/metrics/signals', '/v1/metrics/team', '/v1/queue-policies', '/v1/queues', '/v1/ready', '/v1/reviews/weekly', '/v1/reviews/weekly/export', '/v1/rollbacks', '/v1/runs', '/v1/signals/decisions', '/v1/sync/pull', '/v1/sync/push',
    ]);
    const push = doc.paths['/v1/sync/push'].post.requestBody!.content['application/json'].schema;
    expect(Object.keys(push.properties).sort()).toEqual(['clientId', 'leanResults', 'mutations']);
  });
});
