// The start in the ui bench (issue 15 gap 4): `npm start` -> first item painted, warm (the start bundle built and
// the demo data seeded by a launch before the measured ones; the browser already running, as a reviewer's is),
// min / median / max of UI_BENCH_STARTS launches (default 5), beside the same launch through tsx (the path before
// prebuilt bundles: `node scripts/with-node22.mjs tsx scripts/start.ts`) as the same-run baseline, and beside
// `npm start` in UI_BENCH_START_COMPARE=<another checkout> (an A/B of a change), all interleaved.
//
// The tab, measured two ways (UI_BENCH_START_TABS=real,playwright, default both), because the harness's way of
// opening it is not what a reviewer's browser pays:
// - real tab: `npm start -- --timings` opens the URL itself, by its own path (scripts/open-browser.ts runs the
//   BROWSER command), in a Chromium that is already running with no Playwright attached: BROWSER is a script that
//   hands the URL to that Chromium as a new tab through its DevTools HTTP endpoint (`PUT /json/new?<url>`), as a
//   desktop opener hands a URL to a running browser. Painted: the page's own report, sent from a task queued by
//   the requestAnimationFrame after the frame that shows the item (renderer/state/startup-marks.ts), as the start
//   script receives it (its 'first item painted' trace mark): the report's round trip counts, nothing is left out.
//   The page's timeline is read after the paint, over a Playwright connection made then (outside the time).
// - via Playwright newPage: `npm start -- --no-open --timings`, and once the URL is printed the bench opens the tab
//   with Playwright's context.newPage() (target creation, attach and Playwright's own page set-up: 400-580 ms here
//   even on an idle machine, harness cost a real browser does not pay), then page.goto; painted: the frame after
//   the item shows, seen by Playwright. The figure the bench printed before the real tab was added.
// In both, the clock starts at the spawn of `npm start` and the tab's opening is inside the measured time.
// UI_BENCH_START_TRACE=1: then one more real-tab launch (not measured) under a browser-wide Chromium trace, printed
// on the same clock beside the start script's and the page's marks (printTracedTab).
// Floors (start-floors.ts; with the real tab): npm's own start, the bare hand-over to Node 22 and the running Chromium's
// tab for a static page, one sample each per round of launches, printed with the share of the 1 s goal left for our code.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { loadAverage, spread } from './bench-stats';
import { openStartFloors } from './start-floors';

const ROOT = join(import.meta.dirname, '..', '..');
const STARTS = Number(process.env.UI_BENCH_STARTS ?? 5);
type TabWay = 'real' | 'playwright';
const TAB_WAYS = (process.env.UI_BENCH_START_TABS ?? 'real,playwright').split(',').map((w) => w.trim()).filter((w): w is TabWay => w === 'real' || w === 'playwright');
const TAB_LABEL: Record<TabWay, string> = { real: 'real tab', playwright: 'via Playwright newPage' };
// The trace's own line for the mark ("  1351  +  1064  first item painted"), not the start script's note that
// the trace will be printed again at 'first item painted' (which matched at once and cut the wait short).
const FIRST_ITEM_TRACE_LINE = /^\s+\d+\s+\+\s*\d+\s+first item painted/m;
/** UI_BENCH_START_TRACE=1: after the measured launches, one under a Chromium trace (printTracedTab). */
const TRACE_TAB = process.env.UI_BENCH_START_TRACE === '1';
const LAUNCH_URL = /(http:\/\/127\.0\.0\.1:\d+\/#launch=[A-Za-z0-9_-]+)/;

/**
 * The environment a reviewer's shell gives `npm start`: PATH without the Node 22 that `npm run bench` put first
 * (scripts/with-node22.mjs), so npm runs on the machine's own node, as on the reviewer's machine, and the launcher on
 * the node npm finds first on its scripts' PATH: the `node` dev dependency's Node 22 in node_modules/.bin (a checkout
 * without it, an older base in UI_BENCH_START_COMPARE say, hands over from the machine's node inside the time).
 */
function reviewerEnv(dataDir: string, browser: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, EXCEPTION_DESK_DATA_DIR: dataDir, BROWSER: browser };
  // Also without the node_modules/.bin folders `npm run bench` put first: this checkout's holds its Node 22 (the `node`
  // dev dependency), which would then run every checkout's launcher, a base's in UI_BENCH_START_COMPARE too.
  env.PATH = (process.env.PATH ?? '').split(delimiter)
    .filter((dir) => !dir.includes(`${sep}.tools${sep}node22${sep}`) && !dir.endsWith(`${sep}node_modules${sep}.bin`)).join(delimiter);
  // The start script opens no browser under CI.
  delete env.CI;
  return env;
}

/** One launch, in ms since the spawn: URL printed, first item painted (by the way's own definition, above), the page's report at the start script. */
type StartSample = { urlMs: number; paintMs: number; reportMs: number; output: string; marks: { name: string; ms: number }[] };

/** The reviewer's browser: Chromium running with its own profile and nothing attached, reachable on a DevTools HTTP port. */
interface RunningChromium {
  /** The BROWSER command that hands a URL to it as a new tab. */
  opener: string;
  /** Its DevTools HTTP endpoint, for reading a page after the measurement. */
  endpoint: string;
  close(): Promise<void>;
}

export async function startRunningChromium(chromiumArgs: string[]): Promise<RunningChromium> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ui-bench-browser-'));
  const child = spawn(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', [
    '--headless=new', ...chromiumArgs, '--remote-debugging-port=0', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1400,900', 'about:blank',
  // Its own process group (detached), so that closing it can end and wait for its helper processes too (close).
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint in 20 s:\n${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    void exited.then(() => reject(new Error(`Chromium exited:\n${err}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // The URL goes in the query; its '#' is escaped, or it would end the query (Chromium unescapes the query).
  const opener = join(dir, 'open-in-running-chromium');
  writeFileSync(opener, `#!/bin/bash\n# BROWSER for npm start in the ui bench: the URL as a new tab of the running Chromium.\nexec curl -sf -o /dev/null -X PUT "${endpoint}/json/new?\${1//#/%23}"\n`);
  chmodSync(opener, 0o755);
  return {
    opener, endpoint,
    close: async () => {
      killGroup(child.pid!);
      await exited;
      // Chromium's helper processes (its storage service among them) may still write to the profile after the browser
      // exits: with the retries alone the removal still failed with ENOTEMPTY now and then. So they are waited for too.
      await processGroupGone(child.pid!, 5_000);
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // Every process of the group has exited already.
  }
}

/** Resolves once no process of the group is left (signal 0 to the group fails), or after `ms`. */
async function processGroupGone(pgid: number, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Spawns a start command (its own process group) and answers its launch URL once printed, and the output so far. */
function spawnStart(command: string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; url: Promise<string>; exited: Promise<void> } {
  const child = spawn(command[0], command.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = LAUNCH_URL.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`npm start exited before serving:\n${output}`)));
  });
  return { child, output: () => output, url, exited };
}

/** Resolves once the start script's trace has its 'first item painted' line (or after `ms`). */
function traceHasFirstItem(child: ChildProcess, output: () => string, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (FIRST_ITEM_TRACE_LINE.test(output())) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.stdout!.on('data', () => { if (FIRST_ITEM_TRACE_LINE.test(output())) { clearTimeout(timer); resolve(true); } });
  });
}

async function stopStart(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGINT');
  await exited;
}

/** The tab through Playwright: context.newPage() once the URL is printed, then goto; painted = the frame after the item, seen by Playwright. */
async function oneStartViaPlaywright(browser: Browser, command: string[], dataDir: string, cwd: string): Promise<StartSample> {
  // The browser profile (a Playwright context) is made before the clock starts, as a reviewer's browser is already running.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const t0 = performance.now();
  const t0Wall = performance.timeOrigin + t0;
  const start = spawnStart([...command, '--no-open'], cwd, reviewerEnv(dataDir, 'none'));
  try {
    const url = await start.url;
    const urlMs = performance.now() - t0;
    const page = await context.newPage();
    const tabMs = performance.now() - t0;
    await page.goto(url);
    await page.waitForFunction(() => !!document.body.dataset.focusedItemId, null, { timeout: 60_000, polling: 'raf' });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    const paintMs = performance.now() - t0;
    await traceHasFirstItem(start.child, start.output, 15_000);
    const marks = [{ name: 'bench: URL printed', ms: urlMs }, { name: 'bench: tab opened (Playwright newPage answered)', ms: tabMs }, { name: 'bench: first item painted (frame after, seen by Playwright)', ms: paintMs }];
    marks.push(...(await pageMarksAfterReport(page)).map((m) => ({ name: m.name, ms: m.at - t0Wall })));
    marks.push(...traceMarks(start.output(), t0Wall));
    return { urlMs, paintMs, reportMs: reportedPaint(marks), output: start.output(), marks: marks.sort((a, b) => a.ms - b.ms) };
  } finally {
    await stopStart(start.child, start.exited);
    await context.close();
  }
}

/**
 * The tab as the product opens it: the start script runs BROWSER (the running Chromium's opener) itself; painted =
 * the page's report of its first item painted, at the start script. Nothing of Playwright's runs until it is in.
 */
async function oneStartInRealTab(running: RunningChromium, command: string[], dataDir: string, cwd: string): Promise<StartSample> {
  const t0 = performance.now();
  const t0Wall = performance.timeOrigin + t0;
  const start = spawnStart(command, cwd, reviewerEnv(dataDir, running.opener));
  try {
    const url = await start.url;
    const urlMs = performance.now() - t0;
    if (!(await traceHasFirstItem(start.child, start.output, 60_000))) throw new Error(`no first item painted reported in 60 s by the tab opened through BROWSER:\n${start.output()}`);
    const marks = [{ name: 'bench: URL printed', ms: urlMs }, ...traceMarks(start.output(), t0Wall)];
    const reportMs = reportedPaint(marks);
    // The page's own timeline, read now that the paint is in (the connection is made after the measured time).
    const viewer = await chromium.connectOverCDP(running.endpoint);
    try {
      const page = viewer.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith(url.split('#')[0]));
      if (page) {
        marks.push(...(await pageMarksAfterReport(page)).map((m) => ({ name: m.name, ms: m.at - t0Wall })));
        await page.close();
      } else {
        marks.push({ name: 'bench: (the tab was not found afterwards to read its timeline)', ms: reportMs });
      }
    } finally {
      await viewer.close();
    }
    return { urlMs, paintMs: reportMs, reportMs, output: start.output(), marks: marks.sort((a, b) => a.ms - b.ms) };
  } finally {
    await stopStart(start.child, start.exited);
  }
}

function reportedPaint(marks: { name: string; ms: number }[]): number {
  return marks.find((m) => m.name === 'node: first item painted')?.ms ?? NaN;
}

/** The page's own timeline (wall-clock ms), once the startupMark call's response is in. */
async function pageMarksAfterReport(page: Page): Promise<{ name: string; at: number }[]> {
  // A resource entry appears once its response is in: the startupMark call's, a moment after the trace line.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/rpc/app.startupMark')), null, { timeout: 5_000 }).catch(() => undefined);
  return pageMarks(page);
}

/** The page's own timeline (wall-clock ms): the document, the bundle, the boot's reads and the first item's open. */
async function pageMarks(page: Page): Promise<{ name: string; at: number }[]> {
  return page.evaluate(() => {
    const origin = performance.timeOrigin;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const out = [
      { name: 'page: navigation start', at: origin },
      { name: 'page: index.html answered', at: origin + nav.responseStart },
      { name: 'page: bundle evaluated (DOMContentLoaded)', at: origin + nav.domContentLoadedEventStart },
    ];
    // No named functions in here: tsx's keepNames would wrap them in a helper the page does not have.
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const rpc: Record<string, PerformanceResourceTiming> = {};
    for (const e of resources) {
      const m = /\/rpc\/([^/?]+)$/.exec(e.name);
      if (m && !rpc[m[1]]) rpc[m[1]] = e;
    }
    const reads = ['app.boot', 'session.get', 'settings.get', 'triage.next'].map((m) => rpc[m]).filter((e) => e !== undefined);
    if (reads.length > 0) {
      out.push({ name: 'page: boot reads sent', at: origin + Math.min(...reads.map((e) => e.startTime)) });
      out.push({ name: 'page: boot reads answered', at: origin + Math.max(...reads.map((e) => e.responseEnd)) });
    }
    const bundle = resources.find((e) => /\/assets\/index-[^/]*\.js$/.test(e.name));
    if (bundle) {
      // transferSize 0: the browser took it from its cache (only when a launch reuses an earlier launch's port); else from the server.
      const from = bundle.transferSize === 0 ? 'from the cache' : 'from the server';
      out.push({ name: `page: bundle requested (${from})`, at: origin + bundle.startTime });
      out.push({ name: `page: bundle loaded (${from})`, at: origin + bundle.responseEnd });
    }
    if (rpc['triage.open']) {
      out.push({ name: 'page: triage.open sent', at: origin + rpc['triage.open'].startTime });
      out.push({ name: 'page: triage.open answered', at: origin + rpc['triage.open'].responseEnd });
    }
    if (rpc['app.startupMark']) out.push({ name: 'page: app.startupMark sent', at: origin + rpc['app.startupMark'].startTime });
    return out;
  });
}

/** The start script's own marks (its trace: ms since the launcher started, which it gives in Unix ms), on the bench's clock. */
function traceMarks(output: string, t0Wall: number): { name: string; ms: number }[] {
  const at = output.lastIndexOf('startup trace');
  const origin = /at ([\d.]+) ms Unix time/.exec(output.slice(at));
  if (at < 0 || !origin) return [];
  return output.slice(at).split('\n').map((l) => /^\s+(\d+)\s+\+\s*\d+\s+(.*?)(?:\s+\(cpu \d+ ms in process \d+\))?$/.exec(l)).filter((m) => m !== null)
    .map((m) => ({ name: `node: ${m[2]}`, ms: Number(origin[1]) + Number(m[1]) - t0Wall }));
}

/** Chromium trace events as the DevTools protocol reports them (the fields read here). */
type TraceEvent = { name: string; ph: string; ts?: number; dur?: number; pid: number; tid: number; args?: { name?: string; data?: { url?: string } } };

/** Records a browser-wide Chromium trace (no target attached, so the tab opens as in a measured launch) around `run`. */
async function withChromiumTrace<T>(endpoint: string, run: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const { webSocketDebuggerUrl } = (await (await fetch(`${endpoint}/json/version`)).json()) as { webSocketDebuggerUrl: string };
  const ws = new WebSocket(webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const events: TraceEvent[] = [];
  let complete: () => void = () => undefined;
  const completed = new Promise<void>((resolve) => { complete = resolve; });
  ws.on('message', (m: Buffer) => {
    const msg = JSON.parse(m.toString()) as { method?: string; params?: { value?: TraceEvent[] } };
    if (msg.method === 'Tracing.dataCollected') events.push(...(msg.params?.value ?? []));
    if (msg.method === 'Tracing.tracingComplete') complete();
  });
  const categories = ['devtools.timeline', 'loading', 'navigation', 'toplevel', 'v8.execute', 'content', 'browser', 'startup', 'renderer_host'];
  ws.send(JSON.stringify({ id: 1, method: 'Tracing.start', params: { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' } }));
  try {
    const result = await run();
    return { result, events };
  } finally {
    ws.send(JSON.stringify({ id: 2, method: 'Tracing.end' }));
    await completed;
    ws.close();
  }
}

/**
 * UI_BENCH_START_TRACE=1: one more real-tab launch of this checkout (not measured) under a Chromium trace, and what the
 * tab's new renderer process did before the page's scripts were requested, on the clock of the launch's timeline: when
 * the process started and could take the navigation, when index.html's answer reached the browser, how long the commit
 * (the page's first frame and script context) took. This is where the ~380 ms between the tab's navigation start and
 * its request for the bundle go.
 */
async function printTracedTab(running: RunningChromium, path: { command: string[]; cwd: string; dataDir: string }, log: (m: string) => void): Promise<void> {
  log('start: one more launch under a Chromium trace (UI_BENCH_START_TRACE=1; not measured)');
  const { result: sample, events } = await withChromiumTrace(running.endpoint, () => oneStartInRealTab(running, path.command, path.dataDir, path.cwd));
  const bundleSend = events.find((e) => e.name === 'ResourceSendRequest' && /\/assets\/index-[^/]*\.js$/.test(e.args?.data?.url ?? ''));
  const bundleMark = sample.marks.find((m) => m.name.startsWith('page: bundle requested'));
  if (!bundleSend?.ts || !bundleMark) return void console.log('  (the trace has no request for the bundle to line it up with the timeline)');
  // Trace time (µs, Chromium's monotonic clock) to the timeline's ms since the spawn, by the bundle's request in both.
  const at = (ts: number) => bundleMark.ms + (ts - bundleSend.ts!) / 1000;
  const mainThread = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === bundleSend.pid).map((e) => e.tid));
  const inTab = (e: TraceEvent) => e.pid === bundleSend.pid && mainThread.has(e.tid) && e.ts !== undefined;
  const first = (name: string, where: (e: TraceEvent) => boolean = inTab) => events.filter((e) => e.name === name && where(e) && e.ts !== undefined).sort((a, b) => a.ts! - b.ts!)[0];
  const fromBrowser = (e: TraceEvent) => e.pid !== bundleSend.pid && e.ts !== undefined && e.ts <= bundleSend.ts!;
  const lastBefore = (name: string) => events.filter((e) => e.name === name && fromBrowser(e)).sort((a, b) => b.ts! - a.ts!)[0];
  const rows: { ms: number; name: string }[] = [...sample.marks];
  const add = (e: TraceEvent | undefined, name: string, end = false) => { if (e?.ts !== undefined) rows.push({ ms: at(e.ts + (end ? (e.dur ?? 0) : 0)), name: `chromium: ${name}${e.dur !== undefined && !end ? ` (${(e.dur / 1000).toFixed(0)} ms)` : ''}` }); };
  add(lastBefore('WebContentsImpl::CreateWithOpener'), 'tab created');
  add(first('RendererMain'), "the tab's renderer process started");
  add(first('RendererMain.START_MSG_LOOP'), 'renderer process ready for the navigation');
  add(lastBefore('NavigationRequest::OnResponseStarted'), "index.html's answer reached the browser");
  const commit = first('RenderFrameImpl::CommitNavigation');
  add(commit, 'commit in the renderer (document, frame, script context)');
  add(commit, 'commit done', true);
  add(first('firstPaint'), 'first paint');
  add(first('firstContentfulPaint'), 'first contentful paint');
  console.log('  the traced launch (real tab, not measured): start script, page and Chromium on one clock (ms since npm start was spawned):');
  let previous = 0;
  for (const r of rows.sort((a, b) => a.ms - b.ms)) {
    console.log(`  ${r.ms.toFixed(0).padStart(7)}  +${(r.ms - previous).toFixed(0).padStart(5)}  ${r.name}`);
    previous = r.ms;
  }
}

/** `npm start` -> first item painted, warm, both ways of opening the tab, against the tsx launch (the path before bundles). */
export async function measureStarts(browser: Browser, chromiumArgs: string[], log: (m: string) => void): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'desk-ui-bench-start-'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const paths: { name: string; command: string[]; cwd: string; dataDir: string }[] = [
    // `node` as the reviewer's PATH has it (reviewerEnv), as npm ran this path's with-node22.mjs before; tsx by its
    // path, since reviewerEnv leaves node_modules/.bin out.
    { name: 'npm start (prebuilt bundle)', command: [npm, 'start', '--', '--timings'], cwd: ROOT, dataDir },
    { name: 'tsx scripts/start.ts (before)', command: ['node', join(ROOT, 'scripts', 'with-node22.mjs'), join(ROOT, 'node_modules', '.bin', 'tsx'), join(ROOT, 'scripts', 'start.ts'), '--timings'], cwd: ROOT, dataDir },
  ];
  // UI_BENCH_START_COMPARE=<another checkout> (main, say): its `npm start` too, in the same interleaved run (A/B of a
  // change), with a data folder of its own (its cache may be of an older schema).
  const compare = process.env.UI_BENCH_START_COMPARE;
  if (compare) paths.push({ name: 'npm start in UI_BENCH_START_COMPARE', command: paths[0].command, cwd: compare, dataDir: mkdtempSync(join(tmpdir(), 'desk-ui-bench-start-b-')) });
  if (TAB_WAYS.length === 0) throw new Error(`UI_BENCH_START_TABS='${process.env.UI_BENCH_START_TABS}': name real, playwright or both`);
  const running = TAB_WAYS.includes('real') ? await startRunningChromium(chromiumArgs) : null;
  // The floors need the running Chromium (the tab floor opens in it), so they come with the real tab.
  const floors = running ? await openStartFloors(running, reviewerEnv(dataDir, running.opener)) : null;
  const launch = (way: TabWay, p: (typeof paths)[number]) =>
    way === 'real' ? oneStartInRealTab(running!, p.command, p.dataDir, p.cwd) : oneStartViaPlaywright(browser, p.command, p.dataDir, p.cwd);
  try {
    // Warm: the first launch builds what is stale and seeds the demo data; not measured. One per way, so the
    // running Chromium has opened a tab before too.
    log('start: a first launch to warm the build and seed the demo data (not measured)');
    for (const p of paths.filter((x, i) => i !== 1)) for (const way of TAB_WAYS) await launch(way, p);
    await floors?.warm();
    const key = (p: string, way: TabWay) => `${p} ${way}`;
    const samples = new Map<string, StartSample[]>(paths.flatMap((p) => TAB_WAYS.map((w) => [key(p.name, w), []] as [string, StartSample[]])));
    // Interleaved, so a change in the machine's load falls on every path and way alike.
    for (let i = 0; i < STARTS; i++) {
      for (const p of paths) for (const way of TAB_WAYS) samples.get(key(p.name, way))!.push(await launch(way, p));
      await floors?.measureOnce();
      log(`start: launch ${i + 1}/${STARTS} of each path and way done`);
    }
    const fmt = (xs: number[]) => { const s = spread(xs); return `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)} ms`; };
    const median = (xs: number[]) => spread(xs).median;
    console.log('');
    console.log(`start: spawn -> first item painted, warm, min / median / max of ${STARTS} launches each (${await loadAverage()}; goal <= 1000 ms)`);
    console.log(`  real tab: npm start opens the URL through BROWSER in a Chromium already running, nothing attached (DevTools /json/new);`);
    console.log(`            painted = the page's report after the item's frame, received by the start script.`);
    console.log(`  via Playwright newPage: the bench opens the tab with context.newPage() (harness cost: target, attach, Playwright's`);
    console.log(`            page set-up) once the URL is printed; painted = the frame after the item, seen by Playwright.`);
    for (const way of TAB_WAYS) {
      const base = median(samples.get(key(paths[1].name, way))!.map((s) => s.paintMs));
      for (const p of paths) {
        const xs = samples.get(key(p.name, way))!;
        const report = way === 'playwright' ? `  (the page's report at the start script ${fmt(xs.map((s) => s.reportMs))})` : '';
        console.log(`  ${TAB_LABEL[way].padEnd(23)} ${p.name.padEnd(36)} painted ${fmt(xs.map((s) => s.paintMs))}  (URL printed ${fmt(xs.map((s) => s.urlMs))})  ratio to tsx ${(median(xs.map((s) => s.paintMs)) / base).toFixed(2)}x${report}`);
      }
      if (compare) {
        const ab = (pick: (s: StartSample) => number) => (median(samples.get(key(paths[0].name, way))!.map(pick)) / median(samples.get(key(paths[2].name, way))!.map(pick))).toFixed(3);
        // The part after the URL separately: a change to the page shows there without the noise of npm's and Node's start-up.
        console.log(`  ${TAB_LABEL[way].padEnd(23)} A/B this checkout / ${compare}: painted ${ab((s) => s.paintMs)}x, URL printed ${ab((s) => s.urlMs)}x, URL printed -> painted ${ab((s) => s.paintMs - s.urlMs)}x (medians)`);
      }
    }
    await floors?.print(samples.get(key(paths[0].name, 'real'))?.map((s) => s.paintMs) ?? []);
    for (const way of TAB_WAYS) {
      const bundled = samples.get(key(paths[0].name, way))!;
      const mid = [...bundled].sort((a, b) => a.paintMs - b.paintMs)[Math.floor((bundled.length - 1) / 2)];
      if (way === TAB_WAYS[0]) {
        const traceAt = mid.output.lastIndexOf('startup trace');
        console.log(`  the median bundled launch's own trace (${TAB_LABEL[way]}; from the launcher's process start; npm's own start-up comes before it):`);
        console.log(traceAt >= 0 ? mid.output.slice(traceAt).split('\n').filter((l) => /^\s+\d/.test(l)).map((l) => `  ${l}`).join('\n') : '  (no trace printed)');
        if (!FIRST_ITEM_TRACE_LINE.test(mid.output)) console.log("  (the renderer's 'first item painted' mark had not reached the start script 15 s after the paint)");
      }
      console.log(`  the median bundled launch, ${TAB_LABEL[way]}: start script and page on one clock (ms since npm start was spawned):`);
      let previous = 0;
      for (const m of mid.marks) {
        console.log(`  ${m.ms.toFixed(0).padStart(7)}  +${(m.ms - previous).toFixed(0).padStart(5)}  ${m.name}`);
        previous = m.ms;
      }
    }
    if (TRACE_TAB && running) await printTracedTab(running, paths[0], log);
  } finally {
    await floors?.close();
    await running?.close();
    for (const d of new Set(paths.map((p) => p.dataDir))) rmSync(d, { recursive: true, force: true });
  }
}
