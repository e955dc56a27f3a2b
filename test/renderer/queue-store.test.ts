// The queue store against a fake desk: typing a filter while an older answer is on its way, a sync
// refresh racing a filter change, and rows that stay on screen while a refresh refetches.
import { describe, expect, it, vi } from 'vitest';
import type { DeskInput, DeskMethod, DeskOutput, QueueRow } from '../../shared/desk-api';
import { createQueue } from '../../renderer/state/queue-model';
import type { DeskCaller } from '../../renderer/state/triage-model';

function row(id: string): QueueRow {
  const t = '2026-11-28T08:00:00.000Z';
  return { id, title: id, exceptionClass: 'confidence', queueId: 'q1', queueName: 'Q', confidence: 0.5, slaDueAt: t, enqueuedAt: t, status: 'leased', localState: 'none' };
}

/** Answers queue.page from `rows` filtered by text; `gate` holds answers until released. */
class FakePages implements DeskCaller {
  rows = ['apple', 'apricot', 'banana', 'cherry'].map(row);
  asked: string[] = [];
  held: (() => void)[] = [];
  holding = false;
  async call<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
    if (method !== 'queue.page') throw new Error(`unexpected ${method}`);
    const i = input as DeskInput<'queue.page'>;
    const text = i.filter?.text ?? '';
    this.asked.push(text);
    const rows = this.rows.filter((r) => r.title.includes(text));
    if (this.holding) await new Promise<void>((r) => this.held.push(r));
    return { total: rows.length, offset: i.offset ?? 0, rows: rows.slice(i.offset ?? 0, (i.offset ?? 0) + (i.limit ?? 100)) } as DeskOutput<M>;
  }
}

const shownIds = (q: ReturnType<typeof createQueue>) => {
  const total = q.store.getState().total ?? 0;
  return Array.from({ length: total }, (_, i) => q.rowAt(i)?.id);
};

describe('queue store', () => {
  it('a filter typed while an older answer is on its way shows only the newest filter’s rows', async () => {
    const desk = new FakePages();
    const q = createQueue({ desk, toast: () => undefined, refreshDelayMs: 0 });
    q.reload(false);
    await vi.waitFor(() => expect(q.store.getState().total).toBe(4));
    desk.holding = true;
    q.setFilter({ text: 'a' });
    q.setFilter({ text: 'ap' });
    q.setFilter({ text: 'apr' });
    await vi.waitFor(() => expect(desk.held.length).toBe(1));
    desk.holding = false;
    desk.held.shift()!();
    await vi.waitFor(() => expect(q.store.getState().total).toBe(1));
    expect(shownIds(q)).toEqual(['apricot']);
    expect(desk.asked).toEqual(['', 'a', 'apr']); // 'ap' was never sent: latest wins
  });

  it('a sync refresh keeps the old rows on screen until the new page lands, and never mixes filters', async () => {
    const desk = new FakePages();
    const q = createQueue({ desk, toast: () => undefined, refreshDelayMs: 0 });
    q.setFilter({ text: 'an' });
    await vi.waitFor(() => expect(shownIds(q)).toEqual(['banana']));
    desk.holding = true;
    desk.rows.push(row('mango'));
    q.scheduleRefresh();
    await vi.waitFor(() => expect(desk.held.length).toBe(1));
    expect(shownIds(q)).toEqual(['banana']); // still on screen while the refresh is out
    desk.holding = false;
    desk.held.shift()!();
    await vi.waitFor(() => expect(shownIds(q)).toEqual(['banana', 'mango']));
  });

  it('the cursor stays within the rows and selection toggles', async () => {
    const desk = new FakePages();
    const q = createQueue({ desk, toast: () => undefined });
    q.reload(false);
    await vi.waitFor(() => expect(q.store.getState().total).toBe(4));
    q.moveCursor(10);
    expect(q.store.getState().cursor).toBe(3);
    q.moveCursor(-10);
    expect(q.store.getState().cursor).toBe(0);
    q.toggleSelected('apple');
    q.toggleSelected('banana');
    q.toggleSelected('apple');
    expect([...q.store.getState().selected]).toEqual(['banana']);
  });
});
