// The labor clock's input signal (renderer/keyboard/labor-signals.ts) leaves the key's own task: its desk call
// goes out after the frame that paints the key's effect (issue 14: keypress -> next item within one frame),
// still at most one a second.
import { describe, expect, it } from 'vitest';
import { throttledInput } from '../../renderer/keyboard/labor-signals';

describe('labor input signal', () => {
  it('is sent after the frame, not in the key\'s task, and at most once a second', () => {
    let clock = 5_000;
    const sent: number[] = [];
    const pending: (() => void)[] = [];
    const onInput = throttledInput(() => sent.push(clock), (fn) => pending.push(fn), () => clock);
    onInput(); // a key
    expect(sent).toEqual([]); // nothing sent from the key's own task
    expect(pending).toHaveLength(1);
    clock += 16;
    pending.shift()!(); // the frame was painted
    expect(sent).toEqual([5_016]);
    clock += 500;
    onInput(); // within the second: not again
    expect(pending).toHaveLength(0);
    clock += 600;
    onInput();
    pending.shift()!();
    expect(sent).toEqual([5_016, 6_116]);
  });
});
