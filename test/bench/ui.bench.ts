// `npm run bench -- ui`: the triage UI in real Chromium with 100k items cached and a sync running.
//
// Data: 100k exceptions go in through the producer API (POST /v1/exceptions, 1,000 per batch), a
// supervisor assigns them all to alice (POST /v1/assignments), and alice's core pulls them into its
// cache: the same path production data takes. While the UI is measured, a feeder keeps ingesting and
// assigning small batches so the core keeps pulling (and pushes every decision).
//
// Processes, as in the product: the core, its browser mode and what is timed inside it (call durations, the work
// trace with the commits, event-loop delay, long blocks, UI_BENCH_CPU_PROF, the core A/B swap) run in a child process
// of their own (ui-core-process.ts, over the validated channel in ui-core-channel.ts); Playwright, the page's figures
// and the feeder run in this one. (Before, Playwright shared the core's thread and its own work, about 2.3 s against
// the core's 3.6 s during the decisions, counted as the product's "sent -> core call starts".)
//
// Figures: keypress -> next item painted (p50/p95/p99 over 500 decisions), keypress -> decision durable (the key,
// on the page's clock, to the decision's commit in the core, on the core's clock; the two clocks lined up by the
// closest of 30 round trips, printed with its error; beside it the answer's arrival in the page), filter change -> rows
// painted on the 100k-row queue table, long animation frames; each as a ratio to the baseline measured
// in the same run (keypress of an unbound key -> next frame: what any key costs with no work).
//
// Start (test/bench/ui-start.ts): `npm start` -> first item painted, warm, with the tab opened two ways: as the
// product opens it (BROWSER handing the URL to a Chromium already running, nothing attached) and via Playwright's
// newPage (the figure before; Playwright's page set-up is harness cost inside it). `--start-only` measures this and stops.
//
// A/B of the triage view: `UI_BENCH_COMPARE_STATIC=<another dist/renderer>` (a build of main, say) measures
// keypress -> next item painted on that build too, in the same run, over the same core and sync: blocks of
// UI_BENCH_AB_BLOCK decisions alternate between the two builds, each block in a fresh page. `--no-filter`
// skips the queue table's filters (with `--triage-only`: baseline, decisions and the A/B only).
//
// Ops views (test/bench/ui-ops.ts, issue 11): Team and Control points opened on the demo history, first paint and
// fully drawn, cold and with data cached; a quarter of hourly buckets redrawn on resize. `--ops-only` measures
// this (no start, no 100k triage run) and stops.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureBuilt } from '../../scripts/build';
import { RENDERER_OUT } from '../../scripts/build-steps';
import type { IngestItem } from '../../shared/central-api';
import type { SyncStatus } from '../../shared/desk-api';
import { CentralClient } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';
import { UI_INSTRUMENT } from './ui-instrument';
import { loadAverage } from './bench-stats';
import { measureOps } from './ui-ops';
import { measureStarts } from './ui-start';
import { keyToCommitted, reportDurableBreakdown, type PageDurable } from './durable-breakdown';
import { BLOCK_MS, forkCore, type CoreProcess } from './ui-core-channel';

const ITEMS = Number(process.env.UI_BENCH_ITEMS ?? 100_000);
const DECISIONS = Number(process.env.UI_BENCH_DECISIONS ?? 500);
const BASELINE_SAMPLES = 200;
const FRAME_MS = 1000 / 60;
const NO_FILTER = process.argv.includes('--no-filter');
const COMPARE_STATIC = process.env.UI_BENCH_COMPARE_STATIC;
const AB_BLOCK = Number(process.env.UI_BENCH_AB_BLOCK ?? 50);
/** UI_BENCH_CORE_AB=<another checkout>/electron/core/index.ts: keypress -> durable on this core and that one, in alternating blocks. */
const CORE_AB = process.env.UI_BENCH_CORE_AB;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

type Sample = { ms: number; commitMs?: number; startMs?: number; sentMs?: number; kind?: string; waited?: boolean } & PageDurable;
type Bench = { decisions: Sample[]; durable: Sample[]; baseline: Sample[]; filters: Sample[]; loafs: { start: number; duration: number; blocking: number }[]; armed: string | null; loafUnsupported?: string; rpc: Record<string, number> };

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function benchItem(i: number, queueId: string): IngestItem {
  return {
    source: 'ui-bench', externalId: `ui-${i}`, queueId,
    title: `Invoice ${100000 + i} total does not match line items`,
    summary: 'Extracted total differs from the sum of extracted line items.',
    confidence: (i % 100) / 100,
    reasons: [{ code: 'sum_mismatch', message: 'total != sum(lines)', severity: 'warning', field: 'total' }],
    input: { vendor: `Vendor ${i % 977}`, pages: 1 + (i % 4), currency: 'EUR' },
    output: { total: 1000 + (i % 5000), lines: [{ sku: `S-${i % 300}`, amount: 100 + (i % 900) }] },
  };
}

async function loadItems(url: string, count: number, offset: number, assigneeId: string, progress?: (n: number) => void): Promise<void> {
  const ingest = new CentralClient(url, 'demo-ingest');
  const sam = new CentralClient(url, 'demo-sam');
  const { queues } = await ingest.queues();
  for (let done = 0; done < count; done += 1000) {
    const n = Math.min(1000, count - done);
    const items = Array.from({ length: n }, (_, k) => benchItem(offset + done + k, queues[(offset + done + k) % queues.length].id));
    const res = await ingest.ingest({ items });
    await sam.assign({ itemIds: res.items.map((x) => x.id), assigneeId, leaseMinutes: 7 * 24 * 60 });
    progress?.(done + n);
  }
}

async function measure(page: Page, arm: string, press: () => Promise<void>, field: 'decisions' | 'baseline' | 'filters'): Promise<boolean> {
  const before = await page.evaluate((k) => (window as unknown as { __uiBench: Bench }).__uiBench[k as 'decisions'].length, field);
  await page.evaluate((a) => { (window as unknown as { __uiBench: Bench }).__uiBench.armed = a; }, arm);
  await press();
  try {
    await page.waitForFunction(([k, n]) => (window as unknown as { __uiBench: Bench }).__uiBench[k as 'decisions'].length > (n as number), [field, before] as const, { timeout: 10_000 });
    return true;
  } catch {
    await page.evaluate(() => { (window as unknown as { __uiBench: Bench }).__uiBench.armed = null; });
    return false;
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ui-bench-'));
  const log = (m: string) => console.log(`[ui] ${m}`);
  // A renderer built from a test run before scripts/build-steps.ts set NODE_ENV=production is React's development
  // build (about 3x the render cost) yet counts as up to date: rebuild it, and refuse to compare with one.
  await ensureBuilt({ electron: false, force: existsSync(RENDERER_OUT) && isReactDevBuild(RENDERER_OUT) });
  if (COMPARE_STATIC && isReactDevBuild(COMPARE_STATIC)) throw new Error(`${COMPARE_STATIC} is React's development build: rebuild it (npm run build -- --force) before comparing`);
  // `--triage-only`: only the 100k-item run (decisions, then the queue table's filters), for quicker A/B runs.
  if (!process.argv.includes('--triage-only')) {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    try {
      if (!process.argv.includes('--ops-only')) await measureStarts(browser, CHROMIUM_ARGS, log);
      if (!process.argv.includes('--start-only')) await measureOps(browser, log);
    } finally {
      await browser.close();
    }
    if (process.argv.includes('--start-only') || process.argv.includes('--ops-only')) return void rmSync(dir, { recursive: true, force: true });
  }
  const server = await spawnServer({ dbFile: join(dir, 'central.sqlite'), port: 0, seed: 'demo', maxLeasedPerUser: 1_000_000 });
  let feeding = true;
  let feeder: Promise<void> = Promise.resolve();
  // The core, its browser mode and the timing inside it run in a process of their own, as in the product
  // (ui-core-channel.ts); this process has Playwright, the page's figures and the feeder.
  // UI_BENCH_LOG_DIR=<folder>: the core's own log (pull pages, the items indexes built after the snapshot, ...).
  const core = await forkCore({ cacheFile: join(dir, 'cache.sqlite'), serverUrl: server.url, logDir: process.env.UI_BENCH_LOG_DIR });
  const call = async <T>(method: string, input: unknown = {}) => (await core.ask('call', { method, input })) as T;
  // Playwright captures a stack trace for every call it makes; under tsx each capture is mapped through the source
  // maps, which made Playwright's own work about 2.3 s against the core's 3.6 s during the decisions. On this
  // process (Playwright and the page's figures, not the core's) stack traces stay unmapped while the page is measured.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const aliceId = (await new CentralClient(server.url, 'demo-alice').me()).id;
    let t = performance.now();
    await loadItems(server.url, ITEMS, 0, aliceId, (n) => { if (n % 10_000 === 0) log(`ingested and assigned ${n}/${ITEMS}`); });
    log(`ingest + assign of ${ITEMS} items: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    await call('session.connectDemo', { user: 'alice' });
    let lastLog = 0;
    for (;;) {
      const s = await call<SyncStatus>('sync.status');
      if (s.assigned >= ITEMS) break;
      if (performance.now() - lastLog > 3000) { lastLog = performance.now(); log(`initial sync: ${s.assigned}/${ITEMS} cached (${s.state})`); }
      if (performance.now() - t > 15 * 60_000) throw new Error(`initial sync stalled at ${s.assigned}`);
      await sleep(250);
    }
    const syncSeconds = (performance.now() - t) / 1000;
    const syncEnded = performance.now();
    // The core's thread held up: when after the sync, and for how long.
    await core.ask('watchBlocks');
    log(`initial sync of ${ITEMS} items into the cache: ${syncSeconds.toFixed(1)} s (${Math.round(ITEMS / syncSeconds)} items/s)`);
    // Default 0: decisions start right after the first sync, while the core still finishes its work (README).
    const settleMs = Number(process.env.UI_BENCH_SETTLE_MS ?? 0);
    if (settleMs > 0) {
      log(`waiting ${settleMs} ms after the initial sync (UI_BENCH_SETTLE_MS)`);
      await new Promise((r) => setTimeout(r, settleMs));
    }

    // A sync running: new work keeps arriving for alice and her core keeps pulling it.
    let fed = 0;
    feeder = (async () => {
      while (feeding) {
        await loadItems(server.url, 100, ITEMS + fed, aliceId).catch(() => undefined);
        fed += 100;
        await sleep(1000);
      }
    })();

    const web = await core.ask('web', { staticDir: RENDERER_OUT });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(UI_INSTRUMENT);
    const page = await context.newPage();
    await page.goto(web.launchUrl);
    await page.waitForFunction(() => document.body.dataset.view === 'triage' && !!document.body.dataset.focusedItemId, null, { timeout: 60_000 });
    await sleep(1000);

    for (let i = 0; i < BASELINE_SAMPLES; i++) await measure(page, 'baseline', () => page.keyboard.press('F2'), 'baseline');
    const clock = await calibrateClock(page, core);
    const loafBefore = await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench.loafs.length);
    const rpcBefore = await page.evaluate(() => ({ ...(window as unknown as { __uiBench: Bench }).__uiBench.rpc }));
    let missed = 0;
    /** Per decision sample, seconds since the initial sync ended when its key was pressed. */
    const pressedAt: number[] = [];
    // In the core: decide / open calls timed, its work trace, event-loop delay and UI_BENCH_CPU_PROF on.
    await core.ask('startDecisions');
    const rendererProfile = await startRendererProfile(page);
    for (let i = 0; i < DECISIONS; i++) {
      const at = (performance.now() - syncEnded) / 1000;
      if (await measure(page, 'decision', () => page.keyboard.press('a'), 'decisions')) pressedAt.push(at);
      else missed++;
      if ((i + 1) % 100 === 0) log(`decisions: ${i + 1}/${DECISIONS}`);
    }
    const inCore = await core.ask('stopDecisions');
    await rendererProfile.stop();
    const blocks = inCore.blocks.map((x) => ({ at: (x.at - performance.timeOrigin - syncEnded) / 1000, ms: x.ms }));
    const coreAb = CORE_AB ? await measureCoreAB(page, core, CORE_AB, log) : null;
    const loafAfterDecisions = await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench.loafs.length);
    const rpcAfter = await page.evaluate(() => ({ ...(window as unknown as { __uiBench: Bench }).__uiBench.rpc }));

    // No filters: this page's samples are all taken; it leaves, so it does not re-render beside the A/B pages.
    const triageSamples = NO_FILTER ? await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench) : null;
    if (NO_FILTER) await page.goto('about:blank');
    let ab: Awaited<ReturnType<typeof measureAB>> | null = null;
    if (COMPARE_STATIC) {
      // The builds' decisions go through the core's timed dispatcher too: keypress -> durable (the commit) for each.
      ab = await measureAB(browser, core, COMPARE_STATIC, log);
    }
    const filterResult = NO_FILTER ? { toggles: 0, texts: 0 } : await measureFilter(page, log);

    const b = triageSamples ?? (await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench));
    const status = await call<SyncStatus>('sync.status');
    feeding = false;
    await feeder;

    const dec = b.decisions.map((s) => s.ms);
    const com = b.decisions.map((s) => s.commitMs ?? NaN);
    // Keypress -> decision durable: the key (the page's clock) to the decision's commit in the core (its clock).
    const dur = keyToCommitted(b.durable, inCore.calls, clock.offsetMs);
    const answered = b.durable.map((s) => s.ms);
    const sent = b.durable.map((s) => s.sentMs ?? NaN);
    const base = b.baseline.map((s) => s.ms);
    const filters = b.filters as (Sample & { kind: string })[];
    const fil = filters.filter((s) => s.kind === 'click').map((s) => s.ms);
    const filText = filters.filter((s) => s.kind === 'input').map((s) => s.ms);
    const decisionLoafs = b.loafs.slice(loafBefore, loafAfterDecisions);
    const filterLoafs = b.loafs.slice(loafAfterDecisions);
    console.log('');
    console.log(`ui bench: ${ITEMS} items cached, sync running (feeder ingested ${fed} more during the run; pending ${status.pending}, state ${status.state}; ${await loadAverage()})`);
    console.log(`baseline  unbound key -> next frame      n=${base.length}  p50 ${f(pct(base, 50))}  p95 ${f(pct(base, 95))}  p99 ${f(pct(base, 99))} ms`);
    console.log(`decision  'a' -> next item painted       n=${dec.length}  p50 ${f(pct(dec, 50))}  p95 ${f(pct(dec, 95))}  p99 ${f(pct(dec, 99))} ms  (missed ${missed})`);
    const waited = b.decisions.filter((s) => s.waited);
    console.log(`          waited for the core (look-ahead empty) ${waited.length} of ${dec.length}${waited.length ? `: p50 ${f(pct(waited.map((s) => s.ms), 50))}  max ${f(Math.max(...waited.map((s) => s.ms)))} ms` : ''}; painted from the look-ahead p95 ${f(pct(b.decisions.filter((s) => !s.waited).map((s) => s.ms), 95))} ms`);
    console.log(`          'a' -> next item committed     p50 ${f(pct(com, 50))}  p95 ${f(pct(com, 95))}  p99 ${f(pct(com, 99))} ms`);
    const start = b.decisions.map((s) => s.startMs ?? NaN);
    console.log(`            of which: key -> handler runs  p50 ${f(pct(start, 50))}  p95 ${f(pct(start, 95))}  p99 ${f(pct(start, 99))} ms  (input delay: the page's thread still busy when the key came)`);
    const perDecision = Object.entries(rpcAfter).map(([m, n]) => [m, (n - (rpcBefore[m] ?? 0)) / Math.max(1, DECISIONS)] as const).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
    console.log(`          desk calls per decision        ${perDecision.map(([m, n]) => `${m} ${n.toFixed(2)}`).join(', ')}`);
    console.log(`          'a' -> decision durable        n=${dur.length}  p50 ${f(pct(dur, 50))}  p95 ${f(pct(dur, 95))}  p99 ${f(pct(dur, 99))} ms  (key -> the decision's commit in the core, synchronous=FULL; goal p95 <= 20 ms)`);
    console.log(`          'a' -> the page has the answer n=${answered.length}  p50 ${f(pct(answered, 50))}  p95 ${f(pct(answered, 95))}  p99 ${f(pct(answered, 99))} ms  (durable plus the way back; the UI moved on long before)`);
    console.log(`            clocks: page minus core ${f(clock.offsetMs)} ms, +-${f(clock.errorMs)} ms (the closest of ${clock.samples} round trips)`);
    console.log(`            of which: key -> request sent   p50 ${f(pct(sent, 50))}  p95 ${f(pct(sent, 95))}  p99 ${f(pct(sent, 99))} ms  (the renderer's serial queue: an open or decision still in flight goes first)`);
    console.log(`            in the core: triage.decide   p50 ${f(pct(inCore.inCore.decide, 50))}  p95 ${f(pct(inCore.inCore.decide, 95))}  p99 ${f(pct(inCore.inCore.decide, 99))} ms;  triage.open p50 ${f(pct(inCore.inCore.open, 50))}  p95 ${f(pct(inCore.inCore.open, 95))} ms`);
    const lag = inCore.loopDelay;
    console.log(`            core event-loop delay        p50 ${f(lag.p50)}  p95 ${f(lag.p95)}  p99 ${f(lag.p99)}  max ${f(lag.max)} ms  (the core's own process)`);
    reportDurableBreakdown(b.durable, inCore.calls, inCore.spans, clock.offsetMs);
    for (const line of afterSyncLines(pressedAt, b.decisions, blocks)) console.log(line);
    console.log(`          ratio to baseline               p50 ${ratio(pct(dec, 50), pct(base, 50))}  p95 ${ratio(pct(dec, 95), pct(base, 95))}  p99 ${ratio(pct(dec, 99), pct(base, 99))}`);
    console.log(`          p95 vs one frame (16.7 ms)      ${ratio(pct(dec, 95), FRAME_MS)}`);
    if (coreAb) {
      for (const [name, xs] of [['this core', coreAb.current], ['compared core', coreAb.compare]] as const) {
        console.log(`core A/B  'a' -> decision durable     ${name.padEnd(15)} n=${xs.length}  p50 ${f(pct(xs, 50))}  p95 ${f(pct(xs, 95))}  p99 ${f(pct(xs, 99))} ms`);
      }
      console.log(`          this / compared               p50 ${ratio(pct(coreAb.current, 50), pct(coreAb.compare, 50))}  p95 ${ratio(pct(coreAb.current, 95), pct(coreAb.compare, 95))}  p99 ${ratio(pct(coreAb.current, 99), pct(coreAb.compare, 99))}  (compared: ${CORE_AB}; ${coreAb.blocks} blocks of ${AB_BLOCK} each, alternating, same page, cache and feeder)`);
    }
    if (ab) {
      for (const [name, xs] of [['this build', ab.current], ['compared build', ab.compare]] as const) {
        console.log(`A/B       'a' -> next item painted       ${name.padEnd(15)} n=${xs.length}  p50 ${f(pct(xs, 50))}  p95 ${f(pct(xs, 95))}  p99 ${f(pct(xs, 99))} ms`);
      }
      console.log(`          committed (no frame wait)     this p50 ${f(pct(ab.committedCurrent, 50))} p95 ${f(pct(ab.committedCurrent, 95))}  compared p50 ${f(pct(ab.committedCompare, 50))} p95 ${f(pct(ab.committedCompare, 95))} ms  ratio p50 ${ratio(pct(ab.committedCurrent, 50), pct(ab.committedCompare, 50))}  p95 ${ratio(pct(ab.committedCurrent, 95), pct(ab.committedCompare, 95))}`);
      console.log(`          key -> handler runs           this p50 ${f(pct(ab.startedCurrent, 50))} p95 ${f(pct(ab.startedCurrent, 95))}  compared p50 ${f(pct(ab.startedCompare, 50))} p95 ${f(pct(ab.startedCompare, 95))} ms`);
      for (const [name, which] of [['this', 'current'], ['compared', 'compare']] as const) {
        const n = ab[which].length;
        console.log(`          desk calls per decision, ${name.padEnd(8)} ${Object.entries(ab.calls[which]).filter(([, c]) => c > 0).sort((x, y) => y[1] - x[1]).map(([m, c]) => `${m} ${(c / Math.max(1, n)).toFixed(2)}`).join(', ')}`);
      }
      console.log(`          this / compared               p50 ${ratio(pct(ab.current, 50), pct(ab.compare, 50))}  p95 ${ratio(pct(ab.current, 95), pct(ab.compare, 95))}  (compared: ${COMPARE_STATIC}; ${ab.blocks} blocks of ${AB_BLOCK} each, alternating)`);
      for (const [label, xs] of [['decision durable', ab.durable], ['page has the answer', ab.answered]] as const) {
        console.log(`A/B       'a' -> ${label.padEnd(20)}  this n=${xs.current.length} p50 ${f(pct(xs.current, 50))} p95 ${f(pct(xs.current, 95))} p99 ${f(pct(xs.current, 99))}  compared n=${xs.compare.length} p50 ${f(pct(xs.compare, 50))} p95 ${f(pct(xs.compare, 95))} p99 ${f(pct(xs.compare, 99))} ms  ratio p50 ${ratio(pct(xs.current, 50), pct(xs.compare, 50))}  p95 ${ratio(pct(xs.current, 95), pct(xs.compare, 95))}`);
      }
    }
    if (!NO_FILTER) console.log(`filter    class toggle -> rows painted   n=${fil.length}/${filterResult.toggles}  p50 ${f(pct(fil, 50))}  p95 ${f(pct(fil, 95))}  max ${f(Math.max(...fil))} ms`);
    if (!NO_FILTER) console.log(`          ratio to baseline               p50 ${ratio(pct(fil, 50), pct(base, 50))}  p95 ${ratio(pct(fil, 95), pct(base, 95))};  p95 vs 100 ms budget ${ratio(pct(fil, 95), 100)}`);
    if (!NO_FILTER) console.log(`filter    text input -> rows painted     n=${filText.length}/${filterResult.texts}  p50 ${f(pct(filText, 50))}  p95 ${f(pct(filText, 95))} ms (at most one page request in flight, the newest filter sent next; a change that leaves the rows as they were is not a sample)`);
    console.log(`long animation frames (>50 ms)          during decisions ${decisionLoafs.length} (of ${dec.length} decisions; longest ${f(Math.max(0, ...decisionLoafs.map((l) => l.duration)))} ms), during filtering ${filterLoafs.length}${b.loafUnsupported ? ` [unsupported: ${b.loafUnsupported}]` : ''}`);
    await context.close();
  } finally {
    feeding = false;
    await feeder.catch(() => undefined);
    await browser.close();
    await core.close();
    process.setSourceMapsEnabled(sourceMaps);
    await server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The page's epoch clock (performance.timeOrigin + now, as the instrument stamps keys) minus the core's (its work
 * trace), through this process's: page minus this and this minus the core, each from the round trip with the
 * smallest span (so each error is at most half that span); the error printed is the sum of the two.
 */
async function calibrateClock(page: Page, core: CoreProcess, samples = 30): Promise<{ offsetMs: number; errorMs: number; samples: number }> {
  const closest = async (other: () => Promise<number>) => {
    let best = { offsetMs: 0, errorMs: Infinity };
    for (let i = 0; i < samples; i++) {
      const before = performance.timeOrigin + performance.now();
      const there = await other();
      const after = performance.timeOrigin + performance.now();
      const errorMs = (after - before) / 2;
      if (errorMs < best.errorMs) best = { offsetMs: there - (before + after) / 2, errorMs };
    }
    return best;
  };
  const pageMinusHere = await closest(() => page.evaluate(() => performance.timeOrigin + performance.now()));
  const coreMinusHere = await closest(() => core.ask('now'));
  return { offsetMs: pageMinusHere.offsetMs - coreMinusHere.offsetMs, errorMs: pageMinusHere.errorMs + coreMinusHere.errorMs, samples };
}

/** Whether a built renderer (dist/renderer or a copy) bundles React's development build (its source maps say). */
function isReactDevBuild(dir: string): boolean {
  const assets = join(dir, 'assets');
  return readdirSync(assets).filter((f) => f.endsWith('.js.map'))
    .some((m) => (JSON.parse(readFileSync(join(assets, m), 'utf8')) as { sources: string[] }).sources.some((x) => /node_modules\/react(-dom)?\/cjs\/.*\.development\.js$/.test(x)));
}

/**
 * Keypress -> next item painted on this build and on another renderer build, in alternating blocks over the
 * same core (each block in a fresh page of its own browser mode, so the idle page never re-renders beside it).
 */
async function measureAB(browser: Browser, core: CoreProcess, compareDir: string, log: (m: string) => void): Promise<{ current: number[]; compare: number[]; committedCurrent: number[]; committedCompare: number[]; startedCurrent: number[]; startedCompare: number[]; durable: Record<'current' | 'compare', number[]>; answered: Record<'current' | 'compare', number[]>; calls: Record<'current' | 'compare', Record<string, number>>; blocks: number }> {
  const webs = { current: await core.ask('web', { staticDir: RENDERER_OUT }), compare: await core.ask('web', { staticDir: compareDir }) };
  // Each block's page answers and clock offset; lined up with the core's decide calls once the A/B is over.
  const pages: { which: 'current' | 'compare'; page: PageDurable[]; offsetMs: number }[] = [];
  await core.ask('startAbRecorder');
  const out = { current: [] as number[], compare: [] as number[] };
  // Keypress -> the commit that shows the next item (before the frame): the render work without the wait for a frame.
  const committed = { current: [] as number[], compare: [] as number[] };
  const started = { current: [] as number[], compare: [] as number[] };
  // Keypress -> the decision's commit in the core, and -> the page has the core's answer.
  const durable = { current: [] as number[], compare: [] as number[] };
  const answered = { current: [] as number[], compare: [] as number[] };
  const calls = { current: {} as Record<string, number>, compare: {} as Record<string, number> };
  const blocks = Math.max(1, Math.round(DECISIONS / AB_BLOCK / 2));
  try {
    for (let i = 0; i < blocks; i++) {
      for (const which of (i % 2 === 0 ? ['compare', 'current'] : ['current', 'compare']) as ('current' | 'compare')[]) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        try {
          await context.addInitScript(UI_INSTRUMENT);
          const page = await context.newPage();
          await page.goto(webs[which].launchUrl);
          await page.waitForFunction(() => document.body.dataset.view === 'triage' && !!document.body.dataset.focusedItemId, null, { timeout: 60_000 });
          await sleep(1000);
          const clock = await calibrateClock(page, core, 10);
          const rpcBefore = await page.evaluate(() => ({ ...(window as unknown as { __uiBench: Bench }).__uiBench.rpc }));
          for (let k = 0; k < AB_BLOCK; k++) await measure(page, 'decision', () => page.keyboard.press('a'), 'decisions');
          // The last answers of the block are in before the page closes.
          await page.waitForFunction((n) => (window as unknown as { __uiBench: Bench }).__uiBench.durable.length >= n, AB_BLOCK, { timeout: 10_000 }).catch(() => undefined);
          const pageDurable = await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench.durable);
          pages.push({ which, page: pageDurable, offsetMs: clock.offsetMs });
          answered[which].push(...pageDurable.map((x) => x.ms));
          const rpcAfter = await page.evaluate(() => ({ ...(window as unknown as { __uiBench: Bench }).__uiBench.rpc }));
          for (const [m, n] of Object.entries(rpcAfter)) calls[which][m] = (calls[which][m] ?? 0) + n - (rpcBefore[m] ?? 0);
          const samples = await page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench.decisions);
          out[which].push(...samples.map((x) => x.ms));
          committed[which].push(...samples.map((x) => x.commitMs ?? NaN));
          started[which].push(...samples.map((x) => x.startMs ?? NaN));
        } finally {
          await context.close();
        }
      }
      log(`A/B: block ${i + 1}/${blocks} of each build done`);
    }
  } finally {
    const { calls } = await core.ask('stopAbRecorder');
    for (const p of pages) durable[p.which].push(...keyToCommitted(p.page, calls, p.offsetMs));
    await core.ask('closeWeb', webs.current);
    await core.ask('closeWeb', webs.compare);
  }
  return { ...out, committedCurrent: committed.current, committedCompare: committed.compare, startedCurrent: started.current, startedCompare: started.compare, durable, answered, calls, blocks };
}

/**
 * Keypress -> decision durable on this core and on another build's core, in alternating blocks of AB_BLOCK
 * decisions on the same page, cache, server and feeder: the core is closed and the other opened on the same
 * cache between blocks (a second's pause, so every answer of the block is in).
 */
async function measureCoreAB(page: Page, core: CoreProcess, comparePath: string, log: (m: string) => void): Promise<{ current: number[]; compare: number[]; blocks: number }> {
  const out = { current: [] as number[], compare: [] as number[] };
  const blocks = Math.max(1, Math.round(DECISIONS / AB_BLOCK / 2));
  const durableCount = () => page.evaluate(() => (window as unknown as { __uiBench: Bench }).__uiBench.durable.length);
  for (let i = 0; i < blocks; i++) {
    for (const which of (i % 2 === 0 ? ['compare', 'current'] : ['current', 'compare']) as ('current' | 'compare')[]) {
      await core.ask('swapCore', { which, comparePath });
      await sleep(1000);
      const from = await durableCount();
      for (let k = 0; k < AB_BLOCK; k++) await measure(page, 'decision', () => page.keyboard.press('a'), 'decisions');
      await sleep(1000);
      out[which].push(...(await page.evaluate(([a]) => (window as unknown as { __uiBench: Bench }).__uiBench.durable.slice(a).map((s) => s.ms), [from] as const)));
    }
    log(`core A/B: block ${i + 1}/${blocks} of each core done`);
  }
  await core.ask('swapCore', { which: 'current' });
  return { ...out, blocks };
}

/** Keypress -> next item painted by time since the initial sync ended (10 s windows), with the core's long blocks in each. */
function afterSyncLines(pressedAt: number[], samples: Sample[], blocks: { at: number; ms: number }[]): string[] {
  const n = Math.min(pressedAt.length, samples.length);
  if (n === 0) return [];
  const painted = samples.map((x) => x.ms);
  const before = blocks.filter((x) => x.at < pressedAt[0]);
  const out = [`          after the initial sync: decisions from ${f(pressedAt[0])} s to ${f(pressedAt[n - 1])} s; before them the core's thread was held >= ${BLOCK_MS} ms ${before.length} times (${f(before.reduce((a, x) => a + x.ms, 0))} ms in all, longest ${f(Math.max(0, ...before.map((x) => x.ms)))} ms)`];
  const end = pressedAt[n - 1];
  for (let from = Math.floor(pressedAt[0] / 10) * 10; from <= end; from += 10) {
    const idx = [...Array(n).keys()].filter((i) => pressedAt[i] >= from && pressedAt[i] < from + 10);
    if (idx.length === 0) continue;
    const xs = idx.map((i) => painted[i]);
    const waits = idx.filter((i) => samples[i].waited).length;
    const bl = blocks.filter((x) => x.at >= from && x.at < from + 10);
    out.push(`          ${`${from}-${from + 10} s after sync`.padEnd(24)} n=${String(xs.length).padEnd(4)} painted p50 ${f(pct(xs, 50))}  p95 ${f(pct(xs, 95))} ms; waited for the core ${waits}; core blocks >= ${BLOCK_MS} ms: ${bl.length}${bl.length ? ` (longest ${f(Math.max(...bl.map((x) => x.ms)))} ms)` : ''}`);
  }
  return out;
}

/** UI_BENCH_RENDERER_PROF=file.cpuprofile: a CPU profile of the page (the renderer's main thread) while decisions run. */
async function startRendererProfile(page: Page): Promise<{ stop(): Promise<void> }> {
  const file = process.env.UI_BENCH_RENDERER_PROF;
  if (!file) return { stop: async () => undefined };
  const { writeFileSync } = await import('node:fs');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    async stop() {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      await cdp.detach();
    },
  };
}

/** Filter samples on the 100k-row queue table: class toggles and text input, both applied at once. */
async function measureFilter(page: Page, log: (m: string) => void): Promise<{ toggles: number; texts: number }> {
  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await page.waitForFunction(() => document.body.dataset.view === 'queue', null, { timeout: 10_000 });
  await page.waitForFunction(() => {
    const g = document.querySelector('[data-testid="queue-grid"]') as HTMLElement | null;
    return !!g && g.dataset.total !== undefined && !g.querySelector('.is-loading');
  }, null, { timeout: 30_000 });
  const arm = () => page.evaluate(() => { (window as unknown as { __uiBench: Bench }).__uiBench.armed = 'filter'; });
  const settle = async () => {
    await page.waitForFunction(() => {
      const b = (window as unknown as { __uiBench: Bench }).__uiBench;
      const g = document.querySelector('[data-testid="queue-grid"]');
      return b.armed === null && !!g && !g.querySelector('.is-loading');
    }, null, { timeout: 10_000 }).catch(() => undefined);
    await sleep(300);
  };
  let toggles = 0;
  for (let round = 0; round < 5; round++) {
    for (const c of ['policy', 'confidence', 'data_integrity', 'business_rule']) {
      for (let k = 0; k < 2; k++) {
        await arm();
        await page.getByTestId(`queue-filter-class-${c}`).click();
        await settle();
        toggles++;
      }
    }
  }
  const input = page.getByTestId('queue-filter-text');
  let texts = 0;
  for (let round = 0; round < 3; round++) {
    for (const term of ['Invoice 1', 'Invoice 12', 'Invoice 123', 'Vendor', 'total', '']) {
      await arm();
      await input.fill(term);
      await settle();
      texts++;
    }
  }
  log(`filter changes: ${toggles} class toggles, ${texts} text changes`);
  return { toggles, texts };
}
