import { describe, expect, it } from 'vitest';
import { LatestWins } from '../../renderer/logic/latest-wins';

/** A fake fetcher whose answers resolve (or fail) only when the test says so. */
function fakeFetcher() {
  const calls: { filter: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const fetch = (filter: string) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ filter, resolve: () => resolve([`row for ${filter}`]), reject });
    });
  return { calls, fetch };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('LatestWins', () => {
  it('sends at most two requests for a burst of changes, the last with the newest value', async () => {
    const { calls, fetch } = fakeFetcher();
    let shown: string[] = [];
    const painted: string[][] = [];
    const coalescer = new LatestWins<string>(async (filter, isCurrent) => {
      const rows = await fetch(filter);
      if (!isCurrent()) return;
      shown = rows;
      painted.push(rows);
    });
    for (const text of ['i', 'in', 'inv', 'invo', 'invoi', 'invoice']) coalescer.submit(text);
    expect(calls.map((c) => c.filter)).toEqual(['i']);
    expect(coalescer.busy).toBe(true);

    calls[0].resolve();
    await settle();
    expect(calls.map((c) => c.filter)).toEqual(['i', 'invoice']);
    expect(painted).toEqual([]); // the answer for "i" was stale: dropped, never painted

    calls[1].resolve();
    await settle();
    expect(calls).toHaveLength(2);
    expect(shown).toEqual(['row for invoice']);
    expect(coalescer.busy).toBe(false);
  });

  it('sends at once when idle, and a change after an answer starts a new request', async () => {
    const { calls, fetch } = fakeFetcher();
    let shown: string[] = [];
    const coalescer = new LatestWins<string>(async (filter, isCurrent) => {
      const rows = await fetch(filter);
      if (isCurrent()) shown = rows;
    });
    coalescer.submit('a');
    calls[0].resolve();
    await settle();
    expect(shown).toEqual(['row for a']);
    coalescer.submit('b');
    expect(calls.map((c) => c.filter)).toEqual(['a', 'b']);
    calls[1].resolve();
    await settle();
    expect(shown).toEqual(['row for b']);
  });

  it('keeps going after a failed request, and the newest value still lands', async () => {
    const { calls, fetch } = fakeFetcher();
    let shown: string[] = [];
    const errors: string[] = [];
    const coalescer = new LatestWins<string>(async (filter, isCurrent) => {
      try {
        const rows = await fetch(filter);
        if (isCurrent()) shown = rows;
      } catch (e) {
        if (isCurrent()) errors.push((e as Error).message);
        throw e;
      }
    });
    coalescer.submit('x');
    coalescer.submit('xy');
    coalescer.submit('xyz');
    calls[0].reject(new Error('core busy'));
    await settle();
    expect(errors).toEqual([]); // a stale failure is not the user's concern
    expect(calls.map((c) => c.filter)).toEqual(['x', 'xyz']);
    calls[1].resolve();
    await settle();
    expect(shown).toEqual(['row for xyz']);
    expect(coalescer.busy).toBe(false);
  });
});
