// Time as the core sees it. Durations (labor) come only from the monotonic clock; wall-clock time is
// only ever a timestamp (DESIGN §6). Tests inject a fake to drive the labor clock deterministically.
import { performance } from 'node:perf_hooks';

export interface Clock {
  monotonicMs(): number;
  now(): Date;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  now: () => new Date(),
};
