// The supervisor's views in the ui bench (issue 11): opening Team and Control points on the demo history
// (keypress -> first paint of the view, and -> fully drawn: tiles and the chart's canvas, or the SLA board's
// rows), cold (the first visit after start: the figures come from the server through the core) and with the
// data cached (a later visit: the last answer is on screen at once while the view re-reads); and a chart of
// one quarter at hourly buckets redrawn on resize, against the same resize with the chart shown as a table
// (same run, same page: what a resize costs without the canvas). Goal: each view fully drawn <= 300 ms cached.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createCore } from '../../electron/core/index';
import { startBrowserMode } from '../../electron/web/index';
import { RENDERER_OUT } from '../../scripts/build-steps';
import { spawnServer } from '../helpers/server';
import { loadAverage } from './bench-stats';

const OPEN_SAMPLES = Number(process.env.UI_BENCH_OPS_SAMPLES ?? 10);
const RESIZE_SAMPLES = 20;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const p95 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] : NaN; };
const f = (x: number) => x.toFixed(1);

/** Presses `g <key>` and answers (ms from the keydown) when the view is painted and when `drawn` holds, checked every frame. */
async function openView(page: Page, key: string, view: string, drawn: string): Promise<{ paint: number; drawn: number }> {
  // A string, not a function: the bench runs under tsx, whose helpers (__name) do not exist in the page.
  const watch = page.evaluate(`new Promise((resolve, reject) => {
    const key = ${JSON.stringify(key)}, view = ${JSON.stringify(view)}, drawn = ${JSON.stringify(drawn)};
    let t0 = null;
    let paint = null;
    const onKey = (e) => { if (e.key === key && t0 === null) t0 = performance.now(); };
    addEventListener('keydown', onKey, { capture: true });
    const give = setTimeout(() => reject(new Error(view + ' not drawn in 30 s')), 30000);
    const tick = () => {
      if (t0 !== null) {
        if (paint === null && document.body.dataset.view === view) paint = performance.now();
        if (paint !== null && document.querySelector(drawn)) {
          clearTimeout(give);
          removeEventListener('keydown', onKey, { capture: true });
          return resolve({ paint: paint - t0, drawn: performance.now() - t0 });
        }
      }
      requestAnimationFrame(tick);
    };
    tick();
  })`) as Promise<{ paint: number; drawn: number }>;
  await page.keyboard.press('g');
  await page.keyboard.press(key);
  return watch;
}

async function leave(page: Page): Promise<void> {
  await page.keyboard.press('g');
  await page.keyboard.press('t');
  await page.waitForFunction(() => document.body.dataset.view === 'triage');
}

/** Width change of the chart's figure -> the frame after it (the canvas redraws in the ResizeObserver callback). */
async function resizeOnce(page: Page, width: number): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const fig = document.querySelector('[data-testid="team-chart"]');
    const t0 = performance.now();
    fig.style.width = '${width}px';
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  })`) as Promise<number>;
}

export async function measureOps(browser: Browser, log: (m: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ui-ops-bench-'));
  const server = await spawnServer({ dbFile: join(dir, 'central.sqlite'), port: 0, seed: 'demo' });
  const core = await createCore({ cacheFile: join(dir, 'cache.sqlite'), demo: { serverUrl: server.url } });
  try {
    const r = await core.call('session.connectDemo', { user: 'sam' });
    if (!r.ok) throw new Error(`sam: ${r.error.message}`);
    const web = await startBrowserMode({ core, staticDir: RENDERER_OUT });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(web.launchUrl);
    await page.waitForFunction(() => document.body.dataset.view === 'triage', null, { timeout: 60_000 });
    const teamDrawn = '[data-testid="team-chart-canvas"] canvas';
    const cpDrawn = '[data-testid="cp-board"] [data-testid="cp-row"]';
    const rows: { name: string; paint: number[]; drawn: number[] }[] = [];
    for (const [key, view, drawn, name] of [['m', 'team', teamDrawn, 'Team'], ['c', 'control', cpDrawn, 'Control points']] as const) {
      const cold = await openView(page, key, view, drawn);
      rows.push({ name: `${name}, first visit (live read)`, paint: [cold.paint], drawn: [cold.drawn] });
      await leave(page);
      const warm = { name: `${name}, data cached`, paint: [] as number[], drawn: [] as number[] };
      for (let i = 0; i < OPEN_SAMPLES; i++) {
        const s = await openView(page, key, view, drawn);
        warm.paint.push(s.paint);
        warm.drawn.push(s.drawn);
        await leave(page);
      }
      rows.push(warm);
    }
    log('ops views measured; now a quarter of hours on the Team chart');
    // One quarter at hourly buckets (about 2,184 points per series).
    await openView(page, 'm', 'team', teamDrawn);
    await page.getByTestId('team-window').selectOption('91d');
    await page.getByTestId('team-bucket').selectOption('hour');
    await page.waitForFunction(() => document.querySelector('[data-testid="team-chart"] .chart-title')?.textContent?.includes('quarter') && document.querySelector('[data-testid="team-chart"] .chart-title')?.textContent?.includes('hours'), null, { timeout: 60_000 });
    await page.waitForSelector(teamDrawn);
    const points = await page.evaluate(() => document.querySelector('[data-testid="team-chart"] .sr-only')?.textContent ?? '');
    const chartResize: number[] = [];
    for (let i = 0; i < RESIZE_SAMPLES; i++) chartResize.push(await resizeOnce(page, i % 2 ? 700 : 1100));
    await page.getByTestId('team-chart-toggle').click();
    await page.getByTestId('team-chart-table').waitFor();
    const tableResize: number[] = [];
    for (let i = 0; i < RESIZE_SAMPLES; i++) tableResize.push(await resizeOnce(page, i % 2 ? 700 : 1100));
    await context.close();
    await web.close();

    console.log('');
    console.log(`ops views: sam on the demo history, keypress -> view painted / fully drawn (${await loadAverage()}; goal fully drawn <= 300 ms with data cached)`);
    for (const r of rows) {
      console.log(`  ${r.name.padEnd(38)} painted p50 ${f(median(r.paint))} p95 ${f(p95(r.paint))} ms   drawn p50 ${f(median(r.drawn))} p95 ${f(p95(r.drawn))} ms  (n=${r.drawn.length})`);
    }
    console.log(`  quarter at hourly buckets (${points.split('.')[0].trim()}): resize -> redrawn p50 ${f(median(chartResize))} p95 ${f(p95(chartResize))} ms;`
      + ` same resize as a table p50 ${f(median(tableResize))} ms; ratio ${(median(chartResize) / median(tableResize)).toFixed(2)}x`);
  } finally {
    await core.close();
    await server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
