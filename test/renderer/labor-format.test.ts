import { describe, expect, it } from 'vitest';
import { formatLabor } from '../../renderer/logic/labor-format';

describe('labor figures', () => {
  it('seconds under a minute, minutes to one decimal under an hour, then hours and minutes', () => {
    expect(formatLabor(null)).toBe('—');
    expect(formatLabor(0)).toBe('0 s');
    expect(formatLabor(0.04)).toBe('2 s');
    expect(formatLabor(0.995)).toBe('1 min'); // 59.7 s rounds to a minute, not "60 s"
    expect(formatLabor(4.26)).toBe('4.3 min');
    expect(formatLabor(59.9)).toBe('59.9 min');
    expect(formatLabor(135.4)).toBe('2 h 15 min');
  });
});
