// A burst of asks for the same refresh runs it at once and once more after the window; a lone ask runs once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesced } from '../../renderer/logic/coalesced';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalesced', () => {
  it('runs the first ask at once, a burst behind it once more after the window, and a lone ask once', () => {
    let runs = 0;
    const ask = coalesced(() => runs++, 500);
    ask();
    expect(runs).toBe(1);
    for (let i = 0; i < 40; i++) ask();
    vi.advanceTimersByTime(499);
    expect(runs).toBe(1);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(2);
    vi.advanceTimersByTime(5000);
    expect(runs).toBe(2);
    ask();
    expect(runs).toBe(3);
    vi.advanceTimersByTime(5000);
    expect(runs).toBe(3);
  });

  it('asks that keep coming run at most once a window', () => {
    let runs = 0;
    const ask = coalesced(() => runs++, 100);
    for (let t = 0; t < 1000; t += 10) {
      ask();
      vi.advanceTimersByTime(10);
    }
    expect(runs).toBeGreaterThanOrEqual(10);
    expect(runs).toBeLessThanOrEqual(11);
  });
});
