// triage.decide opens the item the triage view shows next (`thenOpen`), in the decision's own transaction,
// and answers its detail and the look-ahead window around it (`thenWindow`): one desk call per key instead of
// a decide, an open and a window (issue 14: keypress -> next
// item painted within one frame). Labor is measured on an injected clock: after the decision the opened item's
// segment runs, exactly as after triage.open.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { closedAfterEach, demoCore, FakeClock, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const open = closedAfterEach(afterEach);

/** Items 1..n for alice; pushes fail (the decisions stay pending), so the outbox is what this desk wrote. */
async function setup(n: number): Promise<{ core: Core; clock: FakeClock }> {
  const server = await scriptedServer((path, _body, _req, res) => {
    if (path === '/v1/sync/pull') return sendJson(res, 200, scriptPage({ reset: true, upserts: Array.from({ length: n }, (_, i) => scriptItem(i + 1)) }));
    if (path === '/v1/sync/push') return sendJson(res, 503, { type: 'x', title: 'down', status: 503 });
    sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
  });
  const tmp = tmpDir('decide-opens');
  const clock = new FakeClock();
  const core = await demoCore(server.url, tmp.file('cache.sqlite'), { clock, backoff: { baseMs: 10_000, capMs: 10_000 } });
  open.push({ core, close: server.close, cleanup: tmp.cleanup });
  await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
  await ok(core, 'sync.now', {});
  return { core, clock };
}

const laborOf = async (core: Core, itemId: string) => (await ok(core, 'item.get', { itemId })).laborActiveMs;

describe('triage.decide with thenOpen', () => {
  it('answers the opened item and focuses it: its labor runs from the decision on, as after triage.open', async () => {
    const { core, clock } = await setup(4);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    clock.advance(2_000);
    const out = await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-2' });
    expect(out.opened?.item.id).toBe('itm-2');
    expect(out.opened?.localState).toBe('none');
    clock.advance(3_000);
    expect(await laborOf(core, 'itm-2')).toBe(3_000);
    expect(await laborOf(core, 'itm-1')).toBe(0); // its 2 s went with the decision; nothing runs on it now
    const itm1 = await ok(core, 'item.get', { itemId: 'itm-1' });
    expect(itm1.decisions.map((d) => [d.kind, d.labor?.activeMs])).toEqual([['approve', 2_000]]);
    // The next decision takes the opened item's labor, without a triage.open of its own.
    const again = await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-3' });
    expect(again.opened?.item.id).toBe('itm-3');
    const itm2 = await ok(core, 'item.get', { itemId: 'itm-2' });
    expect(itm2.decisions[0].labor?.activeMs).toBe(3_000);
  });

  it('with thenWindow it answers the look-ahead window around the opened item, as triage.window would, leaving out the details named known', async () => {
    const { core } = await setup(8);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    const out = await ok(core, 'triage.decide', {
      itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-2', thenWindow: { ahead: 4, behind: 1, known: ['itm-3', 'itm-4'] },
    });
    const alone = await ok(core, 'triage.window', { around: 'itm-2', ahead: 4, behind: 1, known: ['itm-3', 'itm-4'] });
    expect(out.window).toEqual(alone);
    expect(out.window).toMatchObject({ ahead: ['itm-3', 'itm-4', 'itm-5', 'itm-6'], behind: [], position: 0, total: 7 });
    expect(out.window!.details.map((d) => d.item.id)).toEqual(['itm-5', 'itm-6']);
    // No window without an opened item: it is the window around that item.
    const none = await ok(core, 'triage.decide', { itemId: 'itm-2', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-99', thenWindow: { ahead: 4 } });
    expect(none).not.toHaveProperty('window');
  });

  it('without thenOpen nothing is opened: the answer has no opened item and the decided item keeps the focus', async () => {
    const { core, clock } = await setup(3);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    const out = await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1 });
    expect(out).not.toHaveProperty('opened');
    clock.advance(1_000);
    expect(await laborOf(core, 'itm-2')).toBe(0);
  });

  it('an item the cache does not hold: the decision is written, nothing is opened, and the focus stays', async () => {
    const { core, clock } = await setup(3);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    const before = (await ok(core, 'sync.status', {})).pending;
    const out = await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-99' });
    expect(out).not.toHaveProperty('opened');
    expect((await ok(core, 'sync.status', {})).pending).toBe(before + 1);
    clock.advance(1_000);
    expect(await laborOf(core, 'itm-2')).toBe(0);
  });

  it('a refused decision opens nothing', async () => {
    const { core, clock } = await setup(3);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    const r = await core.call('triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 7, thenOpen: 'itm-2' });
    expect(r.ok ? null : r.error.code).toBe('item_changed');
    clock.advance(1_000);
    expect(await laborOf(core, 'itm-2')).toBe(0);
    expect(await laborOf(core, 'itm-1')).toBe(1_000);
  });

  it('generated bad thenWindow values are refused as bad_input and change nothing', async () => {
    const { core } = await setup(3);
    const pending = (await ok(core, 'sync.status', {})).pending;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ ahead: fc.oneof(fc.integer({ min: 17 }), fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9 }), fc.string()) }),
          fc.record({ behind: fc.oneof(fc.integer({ min: 5 }), fc.constant(null)) }),
          fc.record({ known: fc.oneof(fc.array(fc.string({ minLength: 1 }), { minLength: 65, maxLength: 70 }), fc.array(fc.integer(), { minLength: 1 })) }),
          fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        ),
        async (v) => {
          const r = await core.call('triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'itm-2', thenWindow: v } as never);
          expect(r.ok ? null : r.error.code).toBe('bad_input');
        },
      ),
      { numRuns: 60 },
    );
    expect((await ok(core, 'sync.status', {})).pending).toBe(pending);
  });

  it('generated bad thenOpen values are refused as bad_input and change nothing', async () => {
    const { core, clock } = await setup(3);
    await ok(core, 'triage.open', { itemId: 'itm-1' });
    const pending = (await ok(core, 'sync.status', {})).pending;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(''), fc.string({ minLength: 129, maxLength: 300 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string())), async (v) => {
        const r = await core.call('triage.decide', { itemId: 'itm-1', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: v } as never);
        expect(r.ok ? null : r.error.code).toBe('bad_input');
      }),
      { numRuns: 60 },
    );
    expect((await ok(core, 'sync.status', {})).pending).toBe(pending);
    clock.advance(1_000);
    expect(await laborOf(core, 'itm-1')).toBe(1_000); // still focused on the item shown
  });
});
