// Bad input (DESIGN §10): wrong types, oversize bodies, unknown mutation kinds, unknown reason codes,
// malformed JSON. Each is refused with 400 (413 for size, 415 for a non-JSON media type) problem+json that says what is wrong, and the
// database is byte-for-byte the same afterwards (every row of every table, compared before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUSH_BATCH, PROBLEM_TYPES } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { approvals, assertProblem, ingestItems, mutationFor, newClientId, type RequestOptions } from '../helpers/central-client';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoUser, type DemoServer } from '../helpers/demo-fixture';

let demo: DemoServer;
let held: Item[];
let clientId: string;
beforeAll(async () => {
  demo = await startDemoServer();
  held = (await demo.as.alice.claim({ count: 3, queueIds: [demo.queues[0].id] })).items;
  clientId = newClientId('bad-input');
  // The client exists with last mutation id 1, so well-formed retries below would be gaps or duplicates.
  await demo.as.alice.push({ clientId, mutations: approvals(held.slice(0, 1), 1) });
});
afterAll(async () => { await demo?.close(); });

const validMutation = () => mutationFor('approve', held[1], 2, {});

interface Case {
  who: DemoUser;
  method: 'POST' | 'GET';
  path: string;
  body?: unknown;
  opts?: RequestOptions;
  status: number;
  /** What the message must mention, so a person can fix their request. */
  says: RegExp;
}

// Just over the server's per-route body limits (push 8 MiB, ingest 16 MiB, others Fastify's default).
const MiB = 1024 * 1024;

// Built lazily: bodies use ids that exist only once the server runs.
const CASES: [string, () => Case][] = [
  ['malformed JSON (push)', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', opts: { rawBody: '{"clientId": "abc', contentType: 'application/json' }, status: 400, says: /json/i })],
  ['malformed JSON (ingest)', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', opts: { rawBody: '{items:[}', contentType: 'application/json' }, status: 400, says: /json/i })],
  ['not JSON at all', () => ({ who: 'alice', method: 'POST', path: '/v1/claims', opts: { rawBody: 'count=5', contentType: 'text/plain' }, status: 415, says: /json|content-type|media/i })],
  ['empty body', () => ({ who: 'alice', method: 'POST', path: '/v1/claims', opts: { rawBody: '', contentType: 'application/json' }, status: 400, says: /body|json|empty/i })],
  ['body is an array', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: [validMutation()], status: 400, says: /object|expected/i })],
  ['wrong type: count as string', () => ({ who: 'alice', method: 'POST', path: '/v1/claims', body: { count: '5' }, status: 400, says: /count/ })],
  ['wrong type: mutationId as string', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), mutationId: '2' }] }, status: 400, says: /mutationId/ })],
  ['wrong type: baseVersion negative', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), baseVersion: -1 }] }, status: 400, says: /baseVersion/ })],
  ['wrong type: at is not a date', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), at: 'yesterday' }] }, status: 400, says: /at/ })],
  ['wrong type: labor activeMs negative', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), labor: { ...validMutation().labor, activeMs: -5 } }] }, status: 400, says: /activeMs/ })],
  ['missing payloadHash', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), payloadHash: undefined }] }, status: 400, says: /payloadHash/ })],
  ['unknown mutation kind', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), kind: 'obliterate' }] }, status: 400, says: /kind/ })],
  ['reject without a reason code', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), kind: 'reject', payload: {} }] }, status: 400, says: /reasonCode/ })],
  ['reclassify to an unknown class', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [{ ...validMutation(), kind: 'reclassify', payload: { exceptionClass: 'vibes', reasonCode: 'x' } }] }, status: 400, says: /exceptionClass/ })],
  ['one bad mutation in a good batch', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [validMutation(), { ...mutationFor('approve', held[2], 3, {}), kind: 'nope' }] }, status: 400, says: /mutations\.1|kind/ })],
  ['short clientId', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId: 'abc', mutations: [validMutation()] }, status: 400, says: /clientId/ })],
  ['too many mutations', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: Array.from({ length: MAX_PUSH_BATCH + 1 }, (_, i) => mutationFor('note', held[1], 2 + i, { text: 'n' })) }, status: 400, says: /500|mutations/ })],
  ['oversize push body', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', body: { clientId, mutations: [mutationFor('note', held[1], 2, { text: 'x'.repeat(8 * MiB + 1) })] }, status: 413, says: /large|limit|bytes/i })],
  ['oversize ingest body', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', body: { items: ingestItems(demo0QueueId(), 1, { source: 'bad-big' }).map((i) => ({ ...i, input: { blob: 'y'.repeat(16 * MiB + 1) } })) }, status: 413, says: /large|limit|bytes/i })],
  ['ingest: wrong type for confidence', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', body: { items: ingestItems(demo0QueueId(), 2, { source: 'bad-types' }).map((i, k) => (k === 1 ? { ...i, confidence: 'high' } : i)) }, status: 400, says: /confidence/ })],
  ['ingest: confidence out of range', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', body: { items: ingestItems(demo0QueueId(), 1, { source: 'bad-range' }).map((i) => ({ ...i, confidence: 1.5 })) }, status: 400, says: /confidence/ })],
  ['ingest: output not an object', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', body: { items: ingestItems(demo0QueueId(), 1, { source: 'bad-output' }).map((i) => ({ ...i, output: 'approve me' })) }, status: 400, says: /output/ })],
  ['ingest: unknown queue in a good batch', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', body: { items: [...ingestItems(demo0QueueId(), 2, { source: 'bad-queue' }), ...ingestItems('no-such-queue', 1, { source: 'bad-queue', start: 2 })] }, status: 400, says: /queue/ })],
  ['oversize claim body', () => ({ who: 'alice', method: 'POST', path: '/v1/claims', body: { count: 1, pad: 'z'.repeat(2 * MiB) }, status: 413, says: /large|limit|bytes/i })],
  ['ingest: JSON nested 100,000 levels deep', () => ({ who: 'ingest', method: 'POST', path: '/v1/exceptions', opts: { rawBody: nested(JSON.stringify({ items: ingestItems(demo0QueueId(), 1, { source: 'bad-deep' }) })) }, status: 400, says: /deep|nest|depth/i })],
  ['push: JSON nested 100,000 levels deep', () => ({ who: 'alice', method: 'POST', path: '/v1/sync/push', opts: { rawBody: nested(JSON.stringify({ clientId, mutations: [mutationFor('correct', held[1], 2, { correctedOutput: { total: 1 } })] })) }, status: 400, says: /deep|nest|depth/i })],
  ['assignments: itemIds not an array', () => ({ who: 'sam', method: 'POST', path: '/v1/assignments', body: { itemIds: 'abc', assigneeId: 'x' }, status: 400, says: /itemIds/ })],
  ['pull: limit not a number', () => ({ who: 'alice', method: 'GET', path: '/v1/sync/pull?limit=lots', status: 400, says: /limit/ })],
  ['pull: oversize cursor', () => ({ who: 'alice', method: 'GET', path: `/v1/sync/pull?cursor=${'c'.repeat(500)}`, status: 400, says: /cursor/ })],
  ['decisions: negative limit', () => ({ who: 'ingest', method: 'GET', path: '/v1/decisions?limit=-3', status: 400, says: /limit/ })],
];

const demo0QueueId = (): string => demo.queues[0].id;

/** Puts 100,000 nested arrays inside the first JSON object value `{"total":1}` or the item's output. */
function nested(json: string): string {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const marker = json.includes('{"total":1}') ? '{"total":1}' : '"output":{';
  return marker === '{"total":1}' ? json.replace(marker, `{"total":${deep}}`) : json.replace(marker, `"output":{"deep":${deep},`);
}

describe('bad input is refused with a clear problem and changes nothing', () => {
  it.each(CASES)('%s', async (name, build) => {
    const c = build();
    const before = await snapshotOf(demo.dbFile);
    const res = await demo.as[c.who].request(c.method, c.path, c.body, c.opts);
    const problem = assertProblem(res, c.status, name);
    expect(problem.type).toBe(c.status === 413 ? PROBLEM_TYPES.payloadTooLarge : PROBLEM_TYPES.validation);
    expect(`${problem.detail ?? ''} ${JSON.stringify(problem.errors ?? [])}`).toMatch(c.says);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
  });

  it('a chunked body without Content-Length is cut off at the limit with 413, changing nothing', async () => {
    const before = await snapshotOf(demo.dbFile);
    const piece = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > 12 * MiB) return c.close();
        c.enqueue(sent === 0 ? new TextEncoder().encode(`{"clientId":"${clientId}","pad":"`) : piece);
        sent += piece.length;
      },
    });
    const res = await fetch(`${demo.url}/v1/sync/push`, {
      method: 'POST', body, duplex: 'half', headers: { authorization: 'Bearer demo-alice', 'content-type': 'application/json' },
    } as RequestInit & { duplex: 'half' });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { type: string }).type).toBe(PROBLEM_TYPES.payloadTooLarge);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
  });

  it('an unknown reason code is a rejected result, not a 400: it is kept and the client advances', async () => {
    const before = await snapshotOf(demo.dbFile);
    const res = await demo.as.alice.push({ clientId, mutations: [mutationFor('escalate', held[1], 2, { reasonCode: 'made_up_reason' })] });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_reason_code' });
    expect(res.results[0].message ?? '').toMatch(/made_up_reason|reason/);
    expect(res.lastMutationId).toBe(2);
    // The item itself did not change: only the client's position and its stored result did.
    const changed = changedTables(before, await snapshotOf(demo.dbFile));
    expect(changed).not.toContain('items');
    expect(changed).not.toContain('item_events');
    expect(changed).not.toContain('decisions');
  });

  it('the server still works after all of it', async () => {
    const res = await demo.as.alice.push({ clientId, mutations: [mutationFor('approve', held[1], 3, {})] });
    expect(res.results[0]).toMatchObject({ status: 'applied', code: 'ok' });
  });
});

