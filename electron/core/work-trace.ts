// What ran on the core's one thread, and for how long: a diagnostics channel the benches subscribe to
// (test/bench/ui.bench.ts, core.bench.ts) to say where keypress -> decision durable goes (issue 15 gap 2).
// Nothing is measured or published while nobody listens (one boolean read per span).
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

/** One span of synchronous work on the core's thread; `start` is epoch ms (performance.timeOrigin + now). */
export interface WorkSpan {
  name: string;
  start: number;
  ms: number;
}

export const WORK_CHANNEL = 'desk.core.work';
const work = channel(WORK_CHANNEL);

/** Runs `fn` and, when someone listens, publishes how long it held the thread under `name`. */
export function traced<T>(name: string, fn: () => T): T {
  if (!work.hasSubscribers) return fn();
  const s = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - s;
    work.publish({ name, start: performance.timeOrigin + s, ms } satisfies WorkSpan);
  }
}
