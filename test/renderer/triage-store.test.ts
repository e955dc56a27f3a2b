// The triage store against a fake desk: the races that decide which item a key press lands on.
// Each test puts a sync (queue.changed) at an exact point between a key press and the core's answer.
import { describe, expect, it, vi } from 'vitest';
import { createTriage } from '../../renderer/state/triage-model';
import { FakeDesk } from './fake-desk';
import { deferredWhereText } from '../../shared/defer-policy';

function setup(ids = ['a', 'b', 'c', 'd', 'e', 'f']) {
  const desk = new FakeDesk(ids);
  const toasts: { text: string; tone: string }[] = [];
  const t = createTriage({ desk, inTriage: () => true, me: () => 'alice', toast: (text, tone) => void toasts.push({ text, tone }), refillDelayMs: 0, noticeGuardMs: 0, lookahead: 4 });
  const shown = () => t.store.getState().current?.item.id ?? null;
  return { desk, t, toasts, shown, state: () => t.store.getState() };
}

/** Lets every queued promise and zero-delay timer run. */
async function settle(t: ReturnType<typeof createTriage>): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 1));
    await t.settled();
  }
}

async function started(ids?: string[]) {
  const s = setup(ids);
  await s.t.ensureItem();
  await settle(s.t);
  expect(s.shown()).toBe('a');
  expect(s.t.lookahead().ahead).toEqual(['b', 'c', 'd', 'e']);
  return s;
}

describe('triage store: the item on screen is the item decided', () => {
  it('a reassignment pulled while `a` is on its way: the core refuses by version, the item comes back with the reason, and the next key acts on the notice', async () => {
    const { desk, t, shown, state } = await started();
    desk.hold('triage.decide');
    const pressed = t.decide('approve', {}); // the guess (b) paints at once
    expect(shown()).toBe('b');
    const held = await desk.held();
    desk.reassign('a'); // the sync lands in the core before the decision does
    t.onQueueChanged('pull', ['a']);
    held.release();
    await pressed;
    await settle(t);

    expect(desk.decided).toEqual([]);
    expect(desk.decideCalls()).toEqual([{ itemId: 'a', kind: 'approve', payload: {}, shownVersion: 1, thenOpen: 'b', thenWindow: expect.objectContaining({ ahead: 4, behind: 1 }) }]);
    expect(shown()).toBe('a');
    expect(state().departed).toMatchObject({ itemId: 'a', departure: 'reassigned' });

    // The next key press acknowledges the notice; it decides nothing.
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided).toEqual([]);
    expect(state().departed).toBeNull();
    expect(shown()).toBe('b');
    // Only now does a key decide b: the item on screen.
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['b']);
  });

  it('a reassignment that reaches the screen first: the item stays with a notice, it never advances by itself, and j acknowledges it', async () => {
    const { desk, t, shown, state } = await started();
    desk.reassign('a');
    t.onQueueChanged('pull', ['a']);
    await settle(t);
    expect(shown()).toBe('a');
    expect(state().departed).toMatchObject({ itemId: 'a', departure: 'reassigned', text: expect.stringMatching(/reassigned/) });

    await t.decide('reject', { reasonCode: 'x' }); // the reviewer's `r`: acts on the notice
    await settle(t);
    expect(desk.decideCalls()).toEqual([]);
    expect(shown()).toBe('b');

    desk.reassign('b');
    t.onQueueChanged('pull', ['b']);
    await settle(t);
    expect(state().departed?.itemId).toBe('b');
    await t.moveItem('next');
    await settle(t);
    expect(shown()).toBe('c');
    expect(desk.decideCalls()).toEqual([]);
  });

  it('withdrawn and resolved elsewhere say so; the item was still readable meanwhile', async () => {
    const { desk, t, state } = await started();
    desk.change('a', { status: 'withdrawn', assigneeId: null });
    t.onQueueChanged('pull', ['a']);
    await settle(t);
    expect(state().departed).toMatchObject({ departure: 'withdrawn' });
    expect(state().current?.item.status).toBe('withdrawn');
    await t.acknowledge();
    await settle(t);
    desk.change('b', { status: 'resolved', assigneeId: null });
    t.onQueueChanged('pull', ['b']);
    await settle(t);
    expect(state().departed).toMatchObject({ itemId: 'b', departure: 'resolved_elsewhere' });
  });

  it('an item changed (still mine) before the refresh landed: refused as changed, then shown at its new version, and decided only on the next keys', async () => {
    const { desk, t, shown, state } = await started();
    desk.change('a', { title: 'Item a (edited)' }); // the core has v2; the screen still shows v1
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided).toEqual([]);
    expect(state().departed).toMatchObject({ itemId: 'a', departure: 'changed' });
    expect(state().current?.item.version).toBe(2);
    await t.decide('approve', {}); // acknowledges: the item stays, it is still mine
    await settle(t);
    expect(shown()).toBe('a');
    expect(state().departed).toBeNull();
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided).toEqual([{ itemId: 'a', kind: 'approve', shownVersion: 2 }]);
  });
});

describe('triage store: a lease renewed under the reviewer is not a change', () => {
  it("a re-claim by the same reviewer (the next morning's first sync) lands under the first key: the decision goes through for the new version, with no notice", async () => {
    const { desk, t, shown, state, toasts } = await started();
    desk.hold('triage.decide');
    const pressed = t.decide('approve', {});
    expect(shown()).toBe('b');
    const held = await desk.held();
    // The sync re-claims `a` for alice: a new lease and epoch, a new version, nothing else.
    desk.change('a', { assignmentEpoch: 2, leaseExpiresAt: '2026-11-28T09:30:00.000Z' });
    held.release();
    await pressed;
    await settle(t);

    expect(desk.decided).toEqual([{ itemId: 'a', kind: 'approve', shownVersion: 2 }]);
    expect(desk.decideCalls().map((c) => [c.shownVersion, (c as { thenOpen?: string }).thenOpen])).toEqual([[1, 'b'], [2, 'b']]);
    expect(state().departed).toBeNull();
    expect(shown()).toBe('b');
    expect(toasts.filter((x) => x.tone === 'error')).toEqual([]);
  });

  it('a renewal that came with an edit is still refused as changed', async () => {
    const { desk, t, state } = await started();
    desk.change('a', { assignmentEpoch: 2, leaseExpiresAt: '2026-11-28T09:30:00.000Z', output: { total: 2 } });
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided).toEqual([]);
    expect(state().departed).toMatchObject({ itemId: 'a', departure: 'changed' });
  });

  it('a re-claim by someone else is a reassignment, never re-sent', async () => {
    const { desk, t, state } = await started();
    desk.change('a', { assignmentEpoch: 2, assigneeId: 'bob' });
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided).toEqual([]);
    expect(state().departed).toMatchObject({ itemId: 'a', departure: 'reassigned' });
  });
});

describe('triage store: a key already on its way does not dismiss an unread notice', () => {
  it('keys in the first moments of a notice leave it standing; once armed, the next key acknowledges', async () => {
    const desk = new FakeDesk(['a', 'b']);
    const t = createTriage({ desk, inTriage: () => true, me: () => 'alice', toast: () => undefined, refillDelayMs: 0, noticeGuardMs: 300 });
    await t.ensureItem();
    await settle(t);
    desk.reassign('a');
    t.onQueueChanged('pull', ['a']);
    await vi.waitFor(() => expect(t.store.getState().departed).toMatchObject({ itemId: 'a', armed: false }));
    await t.decide('approve', {});
    await t.moveItem('next');
    expect(t.store.getState().departed?.itemId).toBe('a');
    await vi.waitFor(() => expect(t.store.getState().departed?.armed).toBe(true));
    await t.decide('approve', {});
    await settle(t);
    expect(t.store.getState().current?.item.id).toBe('b');
    expect(desk.decideCalls()).toEqual([]);
  });
});

describe('triage store: look-ahead and undo races', () => {
  it('a guessed next item stays on screen even when the core names another one next', async () => {
    const { desk, t, shown } = await started();
    desk.hold('triage.decide');
    const pressed = t.decide('approve', {});
    expect(shown()).toBe('b');
    const held = await desk.held();
    desk.insertAfter(null, 'z'); // a sync slips z in at the front: the core's next after a is now b, its wrap z
    desk.order = ['a', 'z', ...desk.order.filter((x) => x !== 'a' && x !== 'z')];
    held.release();
    await pressed;
    await settle(t);
    expect(shown()).toBe('b');
    expect(desk.focused).toBe('b');
  });

  it('look-ahead invalidation: after a sync the window is rebuilt in one call and the next decision paints the new neighbour', async () => {
    const { desk, t, shown } = await started();
    const windowsBefore = desk.calls.filter((c) => c.method === 'triage.window').length;
    desk.insertAfter('a', 'z');
    desk.change('b');
    t.onQueueChanged('pull', ['z', 'b']);
    await settle(t);
    expect(t.lookahead().ahead).toEqual(['z', 'b', 'c', 'd']);
    expect(desk.calls.filter((c) => c.method === 'triage.window').length).toBe(windowsBefore + 1);
    expect(desk.calls.filter((c) => c.method === 'triage.next').length).toBe(1); // only ensureItem's
    await t.decide('approve', {});
    expect(shown()).toBe('z');
    await settle(t);
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided.map((d) => [d.itemId, d.shownVersion])).toEqual([['a', 1], ['z', 1], ]);
    expect(shown()).toBe('b');
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided.at(-1)).toMatchObject({ itemId: 'b', shownVersion: 2 }); // the refreshed copy, not the stale one
  });

  it('a window answer for a focus the reviewer already left is dropped and asked again', async () => {
    const { desk, t } = await started();
    desk.hold('triage.window');
    t.onQueueChanged('pull', ['c']);
    const held = await desk.held(); // window around a, in flight
    await t.moveItem('next'); // b from the look-ahead
    await t.moveItem('next'); // c
    held.release();
    await settle(t);
    expect(t.lookahead()).toMatchObject({ of: 'c', ahead: ['d', 'e', 'f'], behind: 'b' });
  });

  it('undo vs sync: a pull for the undone item between undo and its answer leaves the undone item on screen, not departed', async () => {
    const { desk, t, shown, state } = await started();
    await t.decide('approve', {});
    await settle(t);
    expect(shown()).toBe('b');
    desk.hold('triage.undo');
    const undo = t.undoLast();
    const held = await desk.held();
    t.onQueueChanged('pull', ['a', 'b']);
    held.release();
    await undo;
    await settle(t);
    expect(shown()).toBe('a');
    expect(state().departed).toBeNull();
    expect(desk.decided).toEqual([]);
    await t.decide('approve', {});
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a']);
  });

  it('decide vs queue-changed for a neighbour: the decision lands on the shown item and the fast path stays open', async () => {
    const { desk, t, shown } = await started();
    desk.change('c');
    t.onQueueChanged('pull', ['c']);
    await t.decide('approve', {}); // before the refill
    expect(shown()).toBe('b');
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a']);
    expect(t.lookahead().ahead[0]).toBe('c');
  });

  it('a removed focused item while another view is shown is noticed on return, without labor on it', async () => {
    const desk = new FakeDesk(['a', 'b']);
    let inTriage = true;
    const t = createTriage({ desk, inTriage: () => inTriage, me: () => 'alice', toast: () => undefined, refillDelayMs: 0, noticeGuardMs: 0 });
    await t.ensureItem();
    await settle(t);
    inTriage = false;
    t.leaveTriage();
    await settle(t);
    desk.reassign('a');
    t.onQueueChanged('pull', ['a']);
    await settle(t);
    expect(t.store.getState().departed?.itemId).toBe('a');
    inTriage = true;
    t.enterTriage();
    await settle(t);
    expect(desk.focused).toBeNull();
    await vi.waitFor(() => expect(t.store.getState().current?.item.id).toBe('a'));
  });
});

describe('triage store: the look-ahead covers a busy core (issue 14: keypress -> next item within one frame)', () => {
  const ids = 'abcdefghijkl'.split('');
  async function deep() {
    const desk = new FakeDesk(ids);
    const t = createTriage({ desk, inTriage: () => true, me: () => 'alice', toast: () => undefined, refillDelayMs: 0, noticeGuardMs: 0 });
    await t.ensureItem();
    await settle(t);
    return { desk, t, shown: () => t.store.getState().current?.item.id ?? null };
  }

  it('eight keys in a row paint from the look-ahead while the core answers none of them', async () => {
    const { desk, t, shown } = await deep();
    expect(t.lookahead().ahead).toEqual(ids.slice(1, 9));
    desk.hold('triage.decide', 20);
    const pressed: Promise<void>[] = [];
    for (let k = 1; k <= 8; k++) {
      pressed.push(t.decide('approve', {}));
      expect(shown()).toBe(ids[k]); // painted in the key's own frame, no wait for the core
      expect(t.store.getState().loading).toBe(false);
    }
    for (let k = 0; k < 8; k++) (await desk.held()).release();
    await Promise.all(pressed);
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(ids.slice(0, 8));
    expect(shown()).toBe('i');
  });

  it('a decision asks for the window around the next item naming the details it holds, so the core sends only the new neighbour, in the same call', async () => {
    const { desk, t } = await deep();
    const windows = () => desk.calls.filter((c) => c.method === 'triage.window').length;
    const before = windows();
    await t.decide('approve', {});
    await settle(t);
    const asked = desk.decideCalls()[0] as { thenOpen?: string; thenWindow?: { known: string[] } };
    expect(asked.thenOpen).toBe('b');
    expect([...asked.thenWindow!.known].sort()).toEqual(ids.slice(2, 9)); // c..i held; j is new
    expect(windows()).toBe(before); // no triage.window of its own
    expect(t.lookahead().ahead).toEqual(ids.slice(2, 10));
    expect(t.lookahead().cached).toContain('j');
    expect(t.store.getState()).toMatchObject({ position: 0, total: 11 }); // b is first of the 11 left
  });

  it('a sync refill still names the details it holds, so the core sends only what changed', async () => {
    const { desk, t } = await deep();
    desk.change('c');
    t.onQueueChanged('pull', ['c']);
    await settle(t);
    const last = desk.calls.filter((c) => c.method === 'triage.window').at(-1)!.input as { around: string; known: string[] };
    expect(last.around).toBe('a');
    expect([...last.known].sort()).toEqual(ids.slice(1, 9).filter((id) => id !== 'c')); // c went stale: sent again
  });

  it('a window answer for a focus the reviewer already left still extends the look-ahead past the new focus', async () => {
    const { desk, t } = await deep();
    desk.hold('triage.window');
    await t.moveItem('next'); // b: its open, then a refill around b (held)
    const first = await desk.held();
    await t.moveItem('next'); // c
    await t.moveItem('next'); // d
    expect(t.lookahead().ahead).toEqual(ids.slice(4, 9)); // e..i: what the window around a left
    desk.hold('triage.window'); // the refill asked again for d waits
    first.release();
    const again = await desk.held();
    expect(t.lookahead().ahead).toEqual(ids.slice(4, 10)); // e..j: the answer around b reached one further
    expect(t.lookahead().cached).toContain('j');
    again.release();
    await settle(t);
    expect(t.lookahead()).toMatchObject({ of: 'd', ahead: ids.slice(4, 12), behind: 'c' });
  });
});

describe('triage store: one call per key (issue 14: keypress -> next item within one frame)', () => {
  const opens = (desk: FakeDesk) => desk.calls.filter((c) => c.method === 'triage.open').map((c) => (c.input as { itemId: string }).itemId);

  it('a decision painted from the look-ahead opens the next item in the decide call itself: no separate triage.open or triage.window', async () => {
    const { desk, t, shown } = await started();
    expect(opens(desk)).toEqual(['a']);
    const windows = () => desk.calls.filter((c) => c.method === 'triage.window').length;
    const windowsBefore = windows();
    await t.decide('approve', {});
    await settle(t);
    await t.decide('reject', { reasonCode: 'x' });
    await settle(t);
    expect(shown()).toBe('c');
    expect(desk.decideCalls()).toMatchObject([{ itemId: 'a', thenOpen: 'b' }, { itemId: 'b', thenOpen: 'c' }]);
    expect(opens(desk)).toEqual(['a']); // the first item's open only
    expect(desk.focused).toBe('c');
    // The store knows the core focused c: the next decision goes straight out, without an open of c first.
    await t.decide('approve', {});
    await settle(t);
    expect(opens(desk)).toEqual(['a']);
    expect(windows()).toBe(windowsBefore);
    expect(t.lookahead()).toMatchObject({ of: 'd', ahead: ['e', 'f'], behind: null });
    expect(t.store.getState()).toMatchObject({ position: 0, total: 3 });
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a', 'b', 'c']);
  });

  it('keys faster than the answers: each decision opens the next guess, and no open is sent between them', async () => {
    const { desk, t, shown } = await started();
    desk.hold('triage.decide', 3);
    const pressed = [t.decide('approve', {}), t.decide('approve', {}), t.decide('approve', {})];
    expect(shown()).toBe('d');
    for (let k = 0; k < 3; k++) (await desk.held()).release();
    await Promise.all(pressed);
    await settle(t);
    expect(desk.calls.filter((c) => c.method === 'triage.open' || c.method === 'triage.decide').map((c) => `${c.method}:${(c.input as { itemId: string }).itemId}`))
      .toEqual(['triage.open:a', 'triage.decide:a', 'triage.decide:b', 'triage.decide:c']);
    expect(desk.focused).toBe('d');
  });

  it('on an ordered transport each key\'s decision leaves at the key, before the previous answer, and still opens nothing between them (issue 15 gap 2)', async () => {
    const { desk, t, shown } = await started();
    desk.orderedCalls = true;
    desk.hold('triage.decide', 3);
    const pressed: Promise<void>[] = [];
    for (let k = 1; k <= 3; k++) {
      pressed.push(t.decide('approve', {}));
      // Out in the key's own task: no answer has come back yet.
      expect(desk.decideCalls().map((c) => c.itemId)).toEqual(['a', 'b', 'c'].slice(0, k));
    }
    expect(shown()).toBe('d');
    for (let k = 0; k < 3; k++) (await desk.held()).release();
    await Promise.all(pressed);
    await settle(t);
    expect(desk.calls.filter((c) => c.method === 'triage.open' || c.method === 'triage.decide').map((c) => `${c.method}:${(c.input as { itemId: string }).itemId}`))
      .toEqual(['triage.open:a', 'triage.decide:a', 'triage.decide:b', 'triage.decide:c']);
    expect(desk.decideCalls().map((c) => (c as { thenOpen?: string }).thenOpen)).toEqual(['b', 'c', 'd']);
    expect(desk.focused).toBe('d');
    // The next key follows the answers: the core's focus is known, no open goes before it.
    await t.decide('approve', {});
    await settle(t);
    expect(desk.calls.filter((c) => c.method === 'triage.open')).toHaveLength(1);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on an ordered transport a refused decision does not hold up the keys after it, and the focus follows the last call sent', async () => {
    const { desk, t, toasts } = await started();
    desk.orderedCalls = true;
    desk.hold('triage.decide', 2);
    const first = t.decide('approve', {});
    desk.reassign('a'); // a sync took it before the decision landed: refused by version, b not opened by it
    const second = t.decide('approve', {});
    expect(desk.decideCalls().map((c) => c.itemId)).toEqual(['a', 'b']);
    (await desk.held()).release();
    (await desk.held()).release();
    await first;
    await second;
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['b']);
    expect(toasts.some((x) => x.tone === 'error' && x.text.startsWith('Approved not done'))).toBe(true);
    expect(desk.focused).toBe('c');
    // c is the core's focus (b's decision opened it): the next key sends no open first.
    const opensBefore = desk.calls.filter((c) => c.method === 'triage.open').length;
    await t.decide('approve', {});
    await settle(t);
    expect(desk.calls.filter((c) => c.method === 'triage.open')).toHaveLength(opensBefore);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['b', 'c']);
  });

  it('on an ordered transport an undo pressed before a lease-only refusal came back waits for the decision sent again, and takes that one back', async () => {
    const { desk, t, shown } = await started();
    await t.decide('approve', {});
    await settle(t);
    expect(shown()).toBe('b');
    desk.orderedCalls = true;
    desk.hold('triage.decide');
    const pressed = t.decide('approve', {});
    const held = await desk.held();
    // The sync re-claims `b` for alice (a new lease, nothing else) before the decision lands.
    desk.change('b', { assignmentEpoch: 2, leaseExpiresAt: '2026-11-28T09:30:00.000Z' });
    const undo = t.undoLast();
    // Not sent beside the decision: the core would take back `a`, the last decision standing when it arrives.
    expect(desk.calls.filter((c) => c.method === 'triage.undo')).toHaveLength(0);
    held.release();
    await pressed;
    await undo;
    await settle(t);
    expect(desk.decideCalls().map((c) => [c.itemId, c.shownVersion])).toEqual([['a', 1], ['b', 1], ['b', 2]]);
    expect(desk.calls.filter((c) => c.method === 'triage.decide' || c.method === 'triage.undo').at(-1)?.method).toBe('triage.undo');
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a']);
    expect(shown()).toBe('b');
  });

  it('on an ordered transport a lease-only refusal is not sent again once a later key\'s decision has left: it would land after it', async () => {
    const { desk, t, toasts } = await started();
    desk.orderedCalls = true;
    desk.hold('triage.decide');
    const first = t.decide('approve', {});
    const held = await desk.held();
    desk.change('a', { assignmentEpoch: 2, leaseExpiresAt: '2026-11-28T09:30:00.000Z' });
    const second = t.decide('approve', {}); // b's decision leaves before a's answer
    expect(desk.decideCalls().map((c) => c.itemId)).toEqual(['a', 'b']);
    held.release();
    await first;
    await second;
    await settle(t);
    expect(desk.decideCalls().map((c) => c.itemId)).toEqual(['a', 'b']);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['b']);
    expect(toasts.some((x) => x.tone === 'error' && x.text.startsWith('Approved not done'))).toBe(true);
    expect(desk.focused).toBe('c');
  });

  it('a note opens nothing: the item stays focused', async () => {
    const { desk, t, shown } = await started();
    await t.decide('note', { text: 'look at line 2' });
    await settle(t);
    expect(shown()).toBe('a');
    expect(desk.decideCalls()[0]).not.toHaveProperty('thenOpen');
    expect(desk.focused).toBe('a');
  });

  it('outside the triage view the decision opens nothing (no labor outside triage)', async () => {
    const desk = new FakeDesk(['a', 'b', 'c']);
    let inTriage = true;
    const t = createTriage({ desk, inTriage: () => inTriage, me: () => 'alice', toast: () => undefined, refillDelayMs: 0, noticeGuardMs: 0 });
    await t.ensureItem();
    await settle(t);
    desk.hold('triage.decide', 2);
    const first = t.decide('approve', {}); // leaves at once, from the triage view: it opens b
    const pressed = t.decide('approve', {}); // waits in the serial queue behind the first
    inTriage = false; // g q before the second decision ran in the serial queue
    t.leaveTriage();
    (await desk.held()).release();
    (await desk.held()).release();
    await first;
    await pressed;
    await settle(t);
    expect(desk.decideCalls()[0]).toHaveProperty('thenOpen', 'b');
    expect(desk.decideCalls()[1]).not.toHaveProperty('thenOpen');
    // The close follows both decisions, in key order: nothing stays focused outside triage.
    expect(desk.calls.filter((c) => c.method === 'triage.decide' || c.method === 'triage.close').map((c) => c.method))
      .toEqual(['triage.decide', 'triage.decide', 'triage.close']);
    expect(desk.focused).toBeNull();
  });

  it('the decision leaves before the next item is shown: the call is sent in the key\'s own task, the render comes after (issue 15 gap 2)', async () => {
    const { desk, t, shown } = await started();
    const sentWhenShown: string[][] = [];
    const off = t.store.subscribe((s, prev) => {
      if (s.current?.item.id !== prev.current?.item.id) sentWhenShown.push(desk.decideCalls().map((c) => c.itemId));
    });
    const pressed = t.decide('approve', {});
    // Before any await: the call is out already, and b is on screen.
    expect(desk.decideCalls().map((c) => c.itemId)).toEqual(['a']);
    expect(shown()).toBe('b');
    await pressed;
    await settle(t);
    off();
    expect(sentWhenShown[0]).toEqual(['a']);
  });

  it('a guess the core no longer holds when the decision lands: it is opened on its own and its departure shown', async () => {
    const { desk, t, shown, state } = await started();
    desk.hold('triage.decide');
    const pressed = t.decide('approve', {});
    expect(shown()).toBe('b');
    const held = await desk.held();
    desk.reassign('b');
    held.release();
    await pressed;
    await settle(t);
    expect(desk.decided.map((d) => d.itemId)).toEqual(['a']);
    expect(opens(desk)).toEqual(['a', 'b']);
    expect(shown()).toBe('b');
    expect(state().departed).toMatchObject({ itemId: 'b', departure: 'reassigned' });
  });
});

describe('triage store: defer says where the item went (issue 14 item 3)', () => {
  it('the toast names the queue it went back to and the cooldown before it can come back', async () => {
    const s = await started();
    await s.t.decide('defer', {});
    await settle(s.t);
    expect(s.shown()).toBe('b');
    expect(s.toasts.at(-1)?.text).toBe(`Deferred: Item a, ${deferredWhereText('q1')}`);
    expect(s.toasts.at(-1)?.text).toMatch(/for someone else; not yours again for 30 min$/);
  });
});

describe('triage store: the first item is asked for once (issue 15 gap 4)', () => {
  it('boot asks for the first item before the triage view mounts and the view asks again: one triage.next, one triage.open', async () => {
    const s = setup();
    const fromBoot = s.t.ensureItem();
    const fromView = s.t.ensureItem();
    await Promise.all([fromBoot, fromView]);
    await settle(s.t);
    expect(s.shown()).toBe('a');
    expect(s.desk.calls.filter((c) => c.method === 'triage.next')).toHaveLength(1);
    expect(s.desk.calls.filter((c) => c.method === 'triage.open')).toHaveLength(1);
    // Done and shown: asking again changes nothing and calls nothing.
    await s.t.ensureItem();
    expect(s.desk.calls.filter((c) => c.method === 'triage.next')).toHaveLength(1);
  });

  it('a first item boot read with its detail (app.boot) is shown before the core answers its open, and opened after it (labor)', async () => {
    const ahead = setup();
    const first = await ahead.desk.call('item.get', { itemId: 'a' });
    ahead.desk.calls.length = 0;
    ahead.desk.hold('triage.open');
    const shown = ahead.t.ensureItem(first);
    const open = await ahead.desk.held();
    // On screen while its open is still on its way; the core's answer then refreshes it.
    expect(ahead.shown()).toBe('a');
    expect(ahead.state().loading).toBe(false);
    expect(open.method).toBe('triage.open');
    open.release();
    await shown;
    await settle(ahead.t);
    expect(ahead.desk.focused).toBe('a');
    expect(ahead.desk.calls.filter((c) => c.method === 'triage.next')).toHaveLength(0);
    expect(ahead.desk.calls.filter((c) => c.method === 'triage.open')).toEqual([{ method: 'triage.open', input: { itemId: 'a' } }]);
    expect(ahead.toasts).toEqual([]);

    // Read at boot and nothing assigned: the empty state, without asking again.
    const none = setup();
    await none.t.ensureItem(null);
    expect(none.state().empty).toBe(true);
    expect(none.desk.calls).toEqual([]);
  });
});
