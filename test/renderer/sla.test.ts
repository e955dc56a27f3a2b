import { describe, expect, it } from 'vitest';
import { slaInfo } from '../../renderer/logic/sla';

const t0 = Date.parse('2026-01-01T10:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

describe('slaInfo', () => {
  // Enqueued at t0, due 100 minutes later.
  it('is ok with more than 20 % left', () => {
    expect(slaInfo(t0 + 50 * 60_000, at(0), at(100)).state).toBe('ok');
    expect(slaInfo(t0 + 79 * 60_000, at(0), at(100)).state).toBe('ok');
  });
  it('is at risk under 20 % left', () => {
    const s = slaInfo(t0 + 81 * 60_000, at(0), at(100));
    expect(s.state).toBe('at_risk');
    expect(s.fractionLeft).toBeCloseTo(0.19, 5);
  });
  it('is breached at and after due', () => {
    expect(slaInfo(t0 + 100 * 60_000, at(0), at(100)).state).toBe('breached');
    const s = slaInfo(t0 + 130 * 60_000, at(0), at(100));
    expect(s.state).toBe('breached');
    expect(s.remainingMs).toBe(-30 * 60_000);
    expect(s.fractionLeft).toBe(0);
  });
  it('uses the queue target when given', () => {
    // 15 minutes left of a 60-minute target is 25 %: ok, although enqueue->due says otherwise.
    expect(slaInfo(t0 + 85 * 60_000, at(0), at(100), 60).state).toBe('ok');
    expect(slaInfo(t0 + 90 * 60_000, at(0), at(100), 60).state).toBe('at_risk');
  });
});
