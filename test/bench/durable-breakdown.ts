// Where keypress -> decision durable goes (issue 15 gap 2), from three clocks that share the epoch
// (performance.timeOrigin + now): the page's (key, request sent, answer), the core's desk-call wrapper
// (call started, answered) and the core's work trace (electron/core/work-trace.ts: what held its thread).
// Each decision is split into: the renderer's serial queue (key -> sent), getting into the core (sent ->
// call started: HTTP plus whatever the core's thread was doing), the call itself, and the way back (answered
// -> the page has it). For the slowest decisions, the work that ran on the core's thread while the request
// waited, summed by name.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { WORK_CHANNEL, type WorkSpan } from '../../electron/core/work-trace';
import { pct } from './bench-stats';

export interface PageDurable { itemId?: string | null; keyAt?: number; sentAt?: number; answerAt?: number; ms: number }
export interface CoreCall { itemId: string; start: number; end: number; spans: WorkSpan[] }

/**
 * When the decision was durable: the end of its transaction (the commit, synchronous=FULL, fsync included) on the
 * core's clock, epoch ms; undefined when the call committed nothing (refused) or was not traced.
 */
export function committedAt(call: CoreCall): number | undefined {
  const t = call.spans.find((s) => s.name === 'decide.transaction');
  return t === undefined ? undefined : t.start + t.ms;
}

/**
 * Keypress -> decision durable, honestly: from the key (the page's clock) to the decision's commit in the core
 * (the core's clock), not to the answer's arrival in the page (that adds the way back, which the decision does
 * not wait for). `pageOffsetMs`: the page's epoch clock minus the core's (calibrateClock in ui.bench.ts).
 */
export function keyToCommitted(page: readonly PageDurable[], calls: readonly CoreCall[], pageOffsetMs = 0): number[] {
  const byItem = new Map(calls.map((c) => [c.itemId, c]));
  return page.flatMap((p) => {
    const c = p.itemId ? byItem.get(p.itemId) : undefined;
    const at = c && committedAt(c);
    return at === undefined || p.keyAt === undefined ? [] : [at - (p.keyAt - pageOffsetMs)];
  });
}

/** Records the core's work spans and its triage.decide calls while on. */
export function durableRecorder() {
  const spans: WorkSpan[] = [];
  const calls: CoreCall[] = [];
  const onSpan = (m: unknown) => { spans.push(m as WorkSpan); };
  return {
    spans,
    calls,
    start() { subscribe(WORK_CHANNEL, onSpan); },
    stop() { unsubscribe(WORK_CHANNEL, onSpan); },
    /** Wraps one triage.decide call on the core. */
    async decide<T>(itemId: string, call: () => Promise<T>): Promise<T> {
      const start = performance.timeOrigin + performance.now();
      const first = spans.length;
      const r = await call();
      calls.push({ itemId, start, end: performance.timeOrigin + performance.now(), spans: spans.slice(first) });
      return r;
    },
  };
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

export function reportDurableBreakdown(page: PageDurable[], calls: CoreCall[], spans: WorkSpan[], pageOffsetMs = 0): void {
  const byItem = new Map(calls.map((c) => [c.itemId, c]));
  const rows = page.flatMap((p) => {
    const c = p.itemId ? byItem.get(p.itemId) : undefined;
    if (!c || p.keyAt === undefined || p.sentAt === undefined || p.answerAt === undefined) return [];
    // Page times moved onto the core's clock (pageOffsetMs: page minus core).
    const key = p.keyAt - pageOffsetMs;
    const sent = p.sentAt - pageOffsetMs;
    const committed = committedAt(c);
    return [{ p, c, key, queue: sent - key, into: c.start - sent, call: c.end - c.start, back: p.answerAt - pageOffsetMs - c.end, durable: committed === undefined ? p.ms : committed - key }];
  });
  if (rows.length === 0) { console.log('            (no decision could be lined up with the core\'s trace)'); return; }
  const line = (label: string, xs: number[]) => console.log(`            ${label.padEnd(40)} p50 ${f(pct(xs, 50)).padStart(6)}  p95 ${f(pct(xs, 95)).padStart(6)}  p99 ${f(pct(xs, 99)).padStart(6)}  mean ${f(xs.reduce((a, b) => a + b, 0) / xs.length).padStart(6)} ms`);
  console.log(`          breakdown of ${rows.length} decisions lined up with the core's work trace:`);
  line('key -> request sent (renderer queue)', rows.map((r) => r.queue));
  line('sent -> core call starts', rows.map((r) => r.into));
  line('core call (triage.decide)', rows.map((r) => r.call));
  line('  of which the transaction (with commit)', rows.map((r) => sum(r.c.spans, 'decide.transaction')));
  line('  of which the commit (fsync)', rows.map((r) => sum(r.c.spans, 'decide.transaction') - sum(r.c.spans, 'decide.body')));
  line('core answered -> page has it', rows.map((r) => r.back));
  line('key -> committed (durable)', rows.map((r) => r.durable));
  // The slowest tenth: what the core's thread ran between the key and the call's start.
  const slow = [...rows].sort((a, b) => b.durable - a.durable).slice(0, Math.max(1, Math.round(rows.length / 10)));
  const blockers = new Map<string, { ms: number; n: number; max: number }>();
  for (const r of slow) {
    for (const s of spans) {
      const from = Math.max(s.start, r.key);
      const to = Math.min(s.start + s.ms, r.c.start);
      if (to <= from) continue;
      const b = blockers.get(s.name) ?? { ms: 0, n: 0, max: 0 };
      b.ms += to - from; b.n++; b.max = Math.max(b.max, s.ms);
      blockers.set(s.name, b);
    }
  }
  const waited = slow.reduce((a, r) => a + (r.c.start - r.key), 0);
  console.log(`          the slowest ${slow.length} (key -> committed >= ${f(slow.at(-1)!.durable)} ms): key -> call start ${f(waited / slow.length)} ms on average; the core's thread meanwhile (ms per decision, spans, longest):`);
  for (const [name, b] of [...blockers].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`            ${name.padEnd(28)} ${f(b.ms / slow.length).padStart(6)} ms   n=${String(b.n).padStart(4)}   longest ${f(b.max)} ms`);
  }
  const all = new Map<string, { ms: number; n: number; max: number }>();
  for (const s of spans) {
    const b = all.get(s.name) ?? { ms: 0, n: 0, max: 0 };
    b.ms += s.ms; b.n++; b.max = Math.max(b.max, s.ms);
    all.set(s.name, b);
  }
  console.log('          all work traced on the core\'s thread while deciding (total ms, spans, longest):');
  for (const [name, b] of [...all].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    console.log(`            ${name.padEnd(28)} ${f(b.ms).padStart(8)} ms   n=${String(b.n).padStart(5)}   longest ${f(b.max)} ms`);
  }
}

function sum(spans: WorkSpan[], name: string): number {
  return spans.filter((s) => s.name === name).reduce((a, s) => a + s.ms, 0);
}
