// Durations as people read them, in one place for every view (triage, stats, supervisor and owner views).
// Two styles: a labor figure ("20 s", "4.3 min", "2 h 15 min"; a 20-second approval is "20 s", not
// "0 min") and a compact countdown for SLA badges ("45s", "12m", "3h 05m", "2d 4h").

/** A labor figure from milliseconds; '—' when there is none. */
export function formatLaborMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const minutes = ms / 60_000;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (minutes < 60) return `${(Math.round(minutes * 10) / 10).toLocaleString('en')} min`;
  const whole = Math.round(minutes);
  return `${Math.floor(whole / 60)} h ${whole % 60} min`;
}

/** A labor figure from minutes (stats.today reports minutes). */
export const formatLaborMinutes = (minutes: number | null): string => formatLaborMs(minutes === null ? null : minutes * 60_000);

/** Compact countdown: "45s", "12m", "3h 05m", "2d 4h"; negative (breached) ones get a leading minus. */
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
