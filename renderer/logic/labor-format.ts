// Labor figures as people read them: a 20-second approval is "20 s", not "0 min" (stats.today gives
// minutes; rounding them to one decimal hid every figure under three seconds).
export function formatLabor(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes)) return '—';
  const seconds = Math.round(minutes * 60);
  if (seconds < 60) return `${seconds} s`;
  if (minutes < 60) return `${(Math.round(minutes * 10) / 10).toLocaleString('en')} min`;
  const whole = Math.round(minutes);
  return `${Math.floor(whole / 60)} h ${whole % 60} min`;
}
