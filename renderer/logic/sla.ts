// SLA state of an item (DESIGN §8): at risk when less than 20 % of the target is left.

export type SlaState = 'ok' | 'at_risk' | 'breached';
export const AT_RISK_FRACTION = 0.2;

export interface SlaInfo {
  state: SlaState;
  /** Negative once breached. */
  remainingMs: number;
  /** Remaining share of the target, clamped to [0, 1]. */
  fractionLeft: number;
}

/**
 * `targetMinutes` is the queue's SLA target; without it, the span from enqueue to due stands in.
 */
export function slaInfo(nowMs: number, enqueuedAt: string, slaDueAt: string, targetMinutes?: number | null): SlaInfo {
  const due = Date.parse(slaDueAt);
  const remainingMs = due - nowMs;
  const targetMs = targetMinutes && targetMinutes > 0 ? targetMinutes * 60_000 : Math.max(1, due - Date.parse(enqueuedAt));
  const fractionLeft = Math.min(1, Math.max(0, remainingMs / targetMs));
  const state: SlaState = remainingMs <= 0 ? 'breached' : fractionLeft < AT_RISK_FRACTION ? 'at_risk' : 'ok';
  return { state, remainingMs, fractionLeft };
}

/** Compact countdown: "45s", "12m", "3h 05m", "2d 4h"; breached ones get a leading minus. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${sign}${Math.floor(h / 24)}d ${h % 24}h`;
}

export const SLA_LABEL: Record<SlaState, string> = { ok: 'On track', at_risk: 'At risk', breached: 'Breached' };
