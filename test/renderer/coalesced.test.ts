// A burst of asks for the same refresh runs it once, after the delay; an ask after it ran runs it again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesced } from '../../renderer/logic/coalesced';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalesced', () => {
  it('runs a burst once, delayMs after its first ask, and a later ask again', () => {
    let runs = 0;
    const ask = coalesced(() => runs++, 500);
    for (let i = 0; i < 40; i++) ask();
    vi.advanceTimersByTime(499);
    expect(runs).toBe(0);
    ask();
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(runs).toBe(1);
    ask();
    vi.advanceTimersByTime(500);
    expect(runs).toBe(2);
  });
});
