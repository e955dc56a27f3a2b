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

export const SLA_LABEL: Record<SlaState, string> = { ok: 'On track', at_risk: 'At risk', breached: 'Breached' };
