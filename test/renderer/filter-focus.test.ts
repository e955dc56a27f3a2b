// `/` before the queue view's lazy code mounted its filter box: the ask waits for the view, not lost.
import { describe, expect, it } from 'vitest';
import { answerEarlyFilterAsk, askFilterFocus, offerFilterFocus } from '../../renderer/keyboard/filter-focus';

describe('filter focus', () => {
  it('an ask made before the filter box exists is answered when the queue view mounts, once', () => {
    let focused = 0;
    askFilterFocus();
    const withdraw = offerFilterFocus(() => focused++);
    expect(focused).toBe(0);
    expect(answerEarlyFilterAsk()).toBe(true);
    expect(focused).toBe(1);
    expect(answerEarlyFilterAsk()).toBe(false);
    withdraw();
  });

  it('with the box on screen the ask focuses it at once; a withdrawn box takes nothing', () => {
    let focused = 0;
    const withdraw = offerFilterFocus(() => focused++);
    askFilterFocus();
    expect(focused).toBe(1);
    expect(answerEarlyFilterAsk()).toBe(false);
    withdraw();
    askFilterFocus();
    expect(focused).toBe(1);
    // The next view that mounts takes the ask still pending.
    const again = offerFilterFocus(() => focused++);
    expect(answerEarlyFilterAsk()).toBe(true);
    expect(focused).toBe(2);
    again();
  });
});
