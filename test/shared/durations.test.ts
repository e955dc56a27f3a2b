import { describe, expect, it } from 'vitest';
import { formatCountdown, formatLaborMinutes, formatLaborMs } from '../../shared/durations';

describe('labor figures', () => {
  it('seconds under a minute, minutes to one decimal under an hour, then hours and minutes', () => {
    expect(formatLaborMinutes(null)).toBe('—');
    expect(formatLaborMinutes(0)).toBe('0 s');
    expect(formatLaborMinutes(0.04)).toBe('2 s');
    expect(formatLaborMinutes(0.995)).toBe('1 min'); // 59.7 s rounds to a minute, not "60 s"
    expect(formatLaborMinutes(4.26)).toBe('4.3 min');
    expect(formatLaborMinutes(59.9)).toBe('59.9 min');
    expect(formatLaborMinutes(135.4)).toBe('2 h 15 min');
  });
  it('the same figures from milliseconds', () => {
    expect(formatLaborMs(null)).toBe('—');
    expect(formatLaborMs(12_400)).toBe('12 s');
    expect(formatLaborMs(4.26 * 60_000)).toBe('4.3 min');
    expect(formatLaborMs(135.4 * 60_000)).toBe('2 h 15 min');
  });
});

describe('formatCountdown', () => {
  it('formats compactly', () => {
    expect(formatCountdown(45_000)).toBe('45s');
    expect(formatCountdown(12 * 60_000 + 5_000)).toBe('12m');
    expect(formatCountdown(185 * 60_000)).toBe('3h 05m');
    expect(formatCountdown(52 * 3600_000)).toBe('2d 4h');
    expect(formatCountdown(-90_000)).toBe('-1m');
  });
});
