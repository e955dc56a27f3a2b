// Time buckets of the figures charted over time (Team's throughput and labor, the exception tax): UTC hours,
// UTC days, ISO weeks (Monday 00:00 UTC). One rule for the server that fills them and the desk that labels
// them. Zod-free: the renderer imports these values directly.
export const METRICS_BUCKETS = ['hour', 'day', 'week'] as const;
export type MetricsBucket = (typeof METRICS_BUCKETS)[number];

export const BUCKET_MS: Record<MetricsBucket, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/** An interval is cut into at most this many buckets (a quarter of hours is 2,184; 400 days of hours 9,600). */
export const MAX_BUCKETS = 10_000;

/** 1970-01-05, the first Monday after the epoch: ISO weeks start on Mondays. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

/** Start (epoch ms) of the bucket that holds `ms`. */
export function bucketStart(bucket: MetricsBucket, ms: number): number {
  const size = BUCKET_MS[bucket];
  const offset = bucket === 'week' ? FIRST_MONDAY_MS : 0;
  return Math.floor((ms - offset) / size) * size + offset;
}

/** The buckets covering [fromMs, toMs), each clipped to the interval (the first and last may be partial). */
export function bucketSpans(bucket: MetricsBucket, fromMs: number, toMs: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let s = bucketStart(bucket, fromMs); s < toMs; s += BUCKET_MS[bucket]) out.push({ from: Math.max(s, fromMs), to: Math.min(s + BUCKET_MS[bucket], toMs) });
  return out;
}

/** How many buckets [fromMs, toMs) takes (without building them). */
export function bucketCount(bucket: MetricsBucket, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  return Math.floor((bucketStart(bucket, toMs - 1) - bucketStart(bucket, fromMs)) / BUCKET_MS[bucket]) + 1;
}
