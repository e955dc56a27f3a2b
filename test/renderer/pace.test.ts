import { describe, expect, it } from 'vitest';
import { minutesPerItem, paceText } from '../../renderer/logic/pace';

const day = { laborMinutes: 30, totalOutcomes: 50, escalations: 6, defers: 4 };

describe('~N min at your pace (issue 14 item 7)', () => {
  it('is the reviewer\'s labor today per item handled (outcomes, escalations, defers)', () => {
    expect(minutesPerItem(day)).toBeCloseTo(0.5);
    expect(paceText(38, minutesPerItem(day))).toBe('~19 min at your pace');
    expect(paceText(300, 0.5)).toBe('~2 h 30 min at your pace');
    expect(paceText(1, 0.2)).toBe('~12 s at your pace');
  });
  it('says nothing before a pace was measured or when nothing is left', () => {
    expect(minutesPerItem({ ...day, totalOutcomes: 0, escalations: 0, defers: 0 })).toBeNull();
    expect(minutesPerItem({ ...day, laborMinutes: 0 })).toBeNull();
    expect(paceText(10, null)).toBeNull();
    expect(paceText(0, 0.5)).toBeNull();
  });
});
