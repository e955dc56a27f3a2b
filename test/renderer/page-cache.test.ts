import { describe, expect, it } from 'vitest';
import { PageCache } from '../../renderer/logic/page-cache';
import { parseLaunchHash } from '../../renderer/desk/launch-token';

describe('PageCache', () => {
  it('lists the missing pages of a visible range, not the whole table', () => {
    const c = new PageCache<number>(100);
    expect(c.missing(250, 420, 100_000)).toEqual([2, 3, 4]);
    c.markInFlight(3);
    expect(c.missing(250, 420, 100_000)).toEqual([2, 4]);
    c.put(3, Array.from({ length: 100 }, (_, i) => 300 + i));
    expect(c.row(350)).toBe(350);
    expect(c.row(450)).toBeUndefined();
    expect(c.missing(250, 420, 100_000)).toEqual([2, 4]);
  });
  it('clips to the total and retries failed pages', () => {
    const c = new PageCache<number>(100);
    expect(c.missing(0, 1000, 150)).toEqual([0, 1]);
    c.markInFlight(0);
    c.failed(0);
    expect(c.missing(0, 10, 150)).toEqual([0]);
    expect(c.missing(0, 10, 0)).toEqual([]);
  });
  it('says when a range is fully loaded', () => {
    const c = new PageCache<number>(100);
    expect(c.covers(0, 150, 1000)).toBe(false);
    c.put(0, [0]);
    expect(c.covers(0, 99, 1000)).toBe(true);
    expect(c.covers(0, 150, 1000)).toBe(false);
    expect(c.covers(0, 150, 90)).toBe(true); // clipped to the total
    expect(c.covers(0, 10, 0)).toBe(true);
  });
  it('drops the least recently used pages beyond its bound', () => {
    const c = new PageCache<number>(10, 3);
    for (const p of [0, 1, 2]) c.put(p, [p]);
    c.touch(0);
    c.put(3, [3]);
    expect(c.size).toBe(3);
    expect(c.row(10)).toBeUndefined(); // page 1 was the oldest untouched
    expect(c.row(0)).toBe(0);
  });
});

describe('parseLaunchHash', () => {
  it('reads the launch token', () => {
    expect(parseLaunchHash('#launch=abc123')).toBe('abc123');
    expect(parseLaunchHash('#other=1&launch=x-y')).toBe('x-y');
    expect(parseLaunchHash('')).toBeNull();
    expect(parseLaunchHash('#launch=')).toBeNull();
  });
});
