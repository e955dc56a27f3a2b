// Lean push results (PushRequest.leanResults, issue 15 gap 5) from the server's side: which results go back
// without the item (applied, a LEAN_RESULT_KINDS kind, the item at the mutation's baseVersion), which keep it,
// and that a client without the flag, a duplicate and a pull still get the item. The desk's side (it applies
// the mutation to its copy and gets the server's item) is test/core/lean-push-results.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationResult } from '../../shared/central-api';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
let alice: CentralClient;

beforeAll(async () => {
  srv = await startTestServer({ seed: 'demo' });
  alice = new CentralClient(srv.url, 'demo-alice');
});
afterAll(async () => { await srv?.close(); });

const isLean = (r: MutationResult) => r.item === undefined && typeof r.version === 'number';

describe('lean push results', () => {
  it('answer an applied approve, note, defer with the new version only, and everything else in full', async () => {
    const { items } = await alice.claim({ count: 5 });
    expect(items.length).toBe(5);
    const [a, b, c, d, e] = items;
    const reasonCode = (await alice.queues()).queues.find((q) => q.id === e.queueId)!.reasonCodes[0].code;
    const clientId = newClientId('lean');
    const res = await alice.push({ clientId, leanResults: true, mutations: [
      mutationFor('approve', a, 1, {}),
      mutationFor('note', b, 2, { text: 'checked the PO' }),
      // Based on the version before the note: the client's copy is not the item this changed.
      mutationFor('defer', b, 3, {}),
      mutationFor('defer', c, 4, { comment: 'later' }),
      mutationFor('escalate', e, 5, { reasonCode }),
      // Not this lease: rejected, and the item stays hidden as before.
      mutationFor('approve', d, 6, {}, { assignmentEpoch: d.assignmentEpoch + 7 }),
    ] });
    expect(res.results.map((r) => [r.status, isLean(r)])).toEqual([
      ['applied', true], ['applied', true], ['applied', false], ['applied', true], ['applied', false], ['rejected', false],
    ]);
    expect(res.results.map((r) => r.version)).toEqual([a.version + 1, b.version + 1, undefined, c.version + 1, undefined, undefined]);
    // A full result in a lean push carries the whole item, its content too.
    expect(res.results[2].item).toMatchObject({ status: 'open', version: b.version + 2, reasons: b.reasons, input: b.input, output: b.output });
    expect(res.results[4].item).toMatchObject({ status: 'escalated', reasons: e.reasons, input: e.input, output: e.output });
    // The same batch again: duplicates, each with the item as it is now (where alice may still see it).
    const again = await alice.push({ clientId, leanResults: true, mutations: [mutationFor('approve', a, 1, {})] });
    expect(again.results[0]).toMatchObject({ status: 'duplicate', item: { id: a.id, status: 'resolved', version: a.version + 1 } });
  });

  it('answer in full without the flag', async () => {
    const { items: [g] } = await alice.claim({ count: 1 });
    const res = await alice.push({ clientId: newClientId('full'), mutations: [mutationFor('approve', g, 1, {})] });
    expect(res.results[0]).toMatchObject({ status: 'applied', item: { id: g.id, status: 'resolved', version: g.version + 1 } });
    expect(res.results[0].version).toBeUndefined();
  });

  it('come back through pull with the item', async () => {
    const { items: [h] } = await alice.claim({ count: 1 });
    const clientId = newClientId('pull');
    const res = await alice.push({ clientId, leanResults: true, mutations: [mutationFor('approve', h, 1, {})] });
    expect(isLean(res.results[0])).toBe(true);
    const pages = await alice.pullAll({ clientId, limit: 1000 }, 100);
    const result = pages.flatMap((p) => p.results).find((r) => r.mutationId === 1);
    expect(result).toMatchObject({ status: 'applied', item: { id: h.id, status: 'resolved', version: h.version + 1, reasons: h.reasons, input: h.input, output: h.output } });
  });
});
