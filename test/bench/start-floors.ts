// Same-run floors of the start bench (issue 15 gap 4): what this machine and this browser cost before any of the
// desk's code can matter, measured interleaved with the real-tab launches of ui-start.ts (one sample of each floor
// per round of launches, so a change in the load falls on launches and floors alike), so that the 1,000 ms goal for
// `npm start` -> first item painted can be judged against what is really left of it.
// - npm: `npm run` of a package in a temp dir whose script is a bare `node -e` printing its own clocks, in the
//   reviewer's environment (the machine's node runs npm, as in a launch). Spawn -> the script's process started
//   (its performance.timeOrigin, Unix ms, on the bench's clock, as ui-start.ts lines up the launcher's marks) is
//   npm's own cost; spawn -> its output at the bench adds the start of a bare Node of the machine's version.
// - hand-over: the machine's node spawning the kept Node 22 (the binary scripts/start.mjs's keptNode22 finds,
//   which better-sqlite3 13 needs) with a bare `-e`: spawn -> Node 22 started, spawn -> its first line ran. A launch
//   pays this and its own module loading on top.
// - tab: the running Chromium of the real-tab launches opens a few lines of static HTML served by a throwaway server
//   on 127.0.0.1, handed over the same way (the same BROWSER opener: DevTools PUT /json/new). The page reports from a
//   task queued by requestAnimationFrame, as renderer/state/startup-marks.ts does, so the report comes after its
//   first frame: opener spawned -> page requested -> report at the server. Closed after each, as launches close theirs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage, spread } from './bench-stats';

const ROOT = join(import.meta.dirname, '..', '..');
/**
 * The Node 22 with-node22.mjs keeps: what scripts/start.mjs hands over to in a checkout without the `node` dev
 * dependency (with it, npm starts the launcher on Node 22 and there is no hand-over).
 */
const KEPT_NODE22 = join(ROOT, '.tools', 'node22', 'node_modules', 'node', 'bin', 'node');
const START_GOAL_MS = 1000;
/** A bare Node's first line: its process start (timeOrigin) and the moment the line ran, both Unix ms, and its version. */
const PRINT_CLOCKS = "console.log('floor-clock', performance.timeOrigin, performance.timeOrigin + performance.now(), process.version)";
const CLOCK_LINE = /floor-clock ([\d.]+) ([\d.]+) (v[\d.]+)/;
/** Run by the machine's node: its clock at the spawn of Node 22, then Node 22's own line (stdio inherited, as start.mjs's handOver). */
const HAND_OVER = [
  "const at = performance.timeOrigin + performance.now();",
  `require('node:child_process').spawn(process.env.FLOOR_NODE22, ['-e', ${JSON.stringify(PRINT_CLOCKS)}], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 1));`,
  "console.log('floor-spawned', at, process.version);",
].join('\n');
const SPAWNED_LINE = /floor-spawned ([\d.]+) (v[\d.]+)/;

const nowWall = () => performance.timeOrigin + performance.now();

/** ms since the floor's own spawn. */
type NpmFloor = { scriptStartedMs: number; outputMs: number; node: string };
type HandOverFloor = { node22StartedMs: number; node22RanMs: number; from: string; to: string };
type TabFloor = { pageRequestedMs: number; reportMs: number };

/** The running Chromium of the real-tab launches, as far as the tab floor needs it. */
export interface TabBrowser {
  /** The BROWSER command that hands a URL to it as a new tab (DevTools PUT /json/new). */
  opener: string;
  /** Its DevTools HTTP endpoint, to close the floor's tab. */
  endpoint: string;
}

export interface StartFloors {
  /** One sample of each floor, kept out of the figures (the launches have their warm-up too). */
  warm(): Promise<void>;
  /** One sample of each floor, kept. */
  measureOnce(): Promise<void>;
  /** The floors and the goal's share left, beside the real-tab launches' `npm start` -> painted (ms). */
  print(launchesPaintedMs: number[]): Promise<void>;
  close(): Promise<void>;
}

/** Prepares the floors: the npm package in a temp dir and the static page's server; `env` is the reviewer's (ui-start.ts). */
export async function openStartFloors(browser: TabBrowser, env: NodeJS.ProcessEnv): Promise<StartFloors> {
  const npmPackage = writeNpmFloorPackage();
  const page = await startFloorPageServer();
  const samples = { npm: [] as NpmFloor[], handOver: [] as HandOverFloor[], tab: [] as TabFloor[] };
  const once = async (keep: boolean) => {
    const npm = await oneNpmFloor(npmPackage, env);
    const handOver = await oneHandOverFloor(env);
    const tab = await oneTabFloor(browser, page);
    if (keep) { samples.npm.push(npm); samples.handOver.push(handOver); samples.tab.push(tab); }
  };
  return {
    warm: () => once(false),
    measureOnce: () => once(true),
    print: async (launchesPaintedMs) => printFloors(samples, launchesPaintedMs, await loadAverage()),
    close: async () => {
      await new Promise<void>((resolve) => page.server.close(() => resolve()));
      rmSync(npmPackage, { recursive: true, force: true });
    },
  };
}

/** A package whose one script is a bare `node -e` printing its clocks: all `npm run` does besides is npm's own. */
function writeNpmFloorPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-start-floor-npm-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'start-floor', version: '1.0.0', private: true, scripts: { floor: `node -e "${PRINT_CLOCKS}"` } }, null, 2));
  return dir;
}

/** Spawns a command and answers its output once it closes, with the spawn's and the clock line's arrival (Unix ms). */
async function runToEnd(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ spawnedAt: number; clockSeenAt: number; output: string }> {
  const spawnedAt = nowWall();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let clockSeenAt = Number.NaN;
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
    if (Number.isNaN(clockSeenAt) && CLOCK_LINE.test(output)) clockSeenAt = nowWall();
  });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  // 'close', not 'exit': the output is all in only when the pipes have closed.
  const code = await new Promise<number | null>((resolve, reject) => { child.once('close', resolve); child.once('error', reject); });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
  return { spawnedAt, clockSeenAt, output };
}

function clockLine(output: string, what: string): { origin: number; ran: number; version: string } {
  const m = CLOCK_LINE.exec(output);
  if (!m) throw new Error(`${what} printed no clock line:\n${output}`);
  return { origin: Number(m[1]), ran: Number(m[2]), version: m[3] };
}

/** `npm run floor` as `npm start` is run (npm on the reviewer's PATH, so on the machine's node). */
async function oneNpmFloor(dir: string, env: NodeJS.ProcessEnv): Promise<NpmFloor> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = await runToEnd(npm, ['run', 'floor'], dir, env);
  const script = clockLine(run.output, 'npm run floor');
  return { scriptStartedMs: script.origin - run.spawnedAt, outputMs: run.clockSeenAt - run.spawnedAt, node: script.version };
}

/** The machine's node spawning the kept Node 22, timed inside that node (its spawn is what start.mjs's handOver pays). */
async function oneHandOverFloor(env: NodeJS.ProcessEnv): Promise<HandOverFloor> {
  const run = await runToEnd('node', ['-e', HAND_OVER], ROOT, { ...env, FLOOR_NODE22: KEPT_NODE22 });
  const spawned = SPAWNED_LINE.exec(run.output);
  if (!spawned) throw new Error(`the hand-over floor printed no spawn time:\n${run.output}`);
  const node22 = clockLine(run.output, 'the kept Node 22');
  const at = Number(spawned[1]);
  return { node22StartedMs: node22.origin - at, node22RanMs: node22.ran - at, from: spawned[2], to: node22.version };
}

/** The static page's server: answers the page and notes when it was requested and when its report came (Unix ms). */
interface FloorPageServer {
  server: Server;
  port: number;
  /** Waits for tab `n`: its page's request and its report. */
  expect(n: number): { requested: Promise<number>; reported: Promise<number> };
}

/** A few lines of HTML and no app code: the report after the first frame, as startup-marks.ts sends the desk's. */
function floorPageHtml(n: number): string {
  return [
    '<!doctype html><meta charset="utf-8"><title>start floor</title><p>start floor</p>',
    `<script>requestAnimationFrame(() => setTimeout(() => fetch('/painted/${n}', { method: 'POST' }), 0));</script>`,
  ].join('\n');
}

async function startFloorPageServer(): Promise<FloorPageServer> {
  const waiting = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    const at = nowWall();
    const m = /^\/(page|painted)\/(\d+)$/.exec(req.url ?? '');
    waiting.get(m ? `${m[1]} ${m[2]}` : '')?.(at);
    if (m?.[1] === 'page') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(floorPageHtml(Number(m[2])));
    else res.writeHead(m ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the floor page server has no port');
  const wait = (key: string) => new Promise<number>((resolve) => waiting.set(key, resolve));
  return { server, port: address.port, expect: (n) => ({ requested: wait(`page ${n}`), reported: wait(`painted ${n}`) }) };
}

let tabsOpened = 0;

/** The static page handed to the running Chromium by the launches' own opener; then its tab closed. */
async function oneTabFloor(browser: TabBrowser, page: FloorPageServer): Promise<TabFloor> {
  const n = ++tabsOpened;
  const url = `http://127.0.0.1:${page.port}/page/${n}`;
  const { requested, reported } = page.expect(n);
  const spawnedAt = nowWall();
  // As scripts/open-browser.ts runs BROWSER: detached, output ignored.
  spawn(browser.opener, [url], { stdio: 'ignore', detached: true }).unref();
  const reportAt = await withinMs(reported, 30_000, `the floor page ${url} sent no report in 30 s`);
  const requestAt = await requested;
  await closeTab(browser.endpoint, url);
  return { pageRequestedMs: requestAt - spawnedAt, reportMs: reportAt - spawnedAt };
}

function withinMs<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Closes the tab showing `url` and waits until Chromium lists it no more, so the next launch meets a quiet browser. */
async function closeTab(endpoint: string, url: string): Promise<void> {
  const list = async () => (await (await fetch(`${endpoint}/json/list`)).json()) as { id: string; url: string }[];
  const tab = (await list()).find((t) => t.url === url);
  if (!tab) throw new Error(`the floor's tab ${url} is not in ${endpoint}/json/list`);
  await fetch(`${endpoint}/json/close/${tab.id}`);
  for (let i = 0; i < 100 && (await list()).some((t) => t.id === tab.id); i++) await sleep(20);
}

const fmt = (xs: number[]) => { const s = spread(xs); return `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)} ms`; };
const median = (xs: number[]) => spread(xs).median;

function printFloors(samples: { npm: NpmFloor[]; handOver: HandOverFloor[]; tab: TabFloor[] }, launchesPaintedMs: number[], load: string): void {
  const { npm, handOver, tab } = samples;
  if (npm.length === 0) return;
  console.log(`  floors, measured interleaved with the launches, min / median / max of ${npm.length} each (${load}):`);
  console.log(`    npm        \`npm run\` of a bare \`node -e\` (node ${npm[0].node}): spawn -> the script's process started ${fmt(npm.map((s) => s.scriptStartedMs))}, -> its output at the bench ${fmt(npm.map((s) => s.outputMs))}`);
  console.log(`    hand-over  node ${handOver[0].from} spawning the kept Node ${handOver[0].to} with a bare -e: spawn -> Node 22 started ${fmt(handOver.map((s) => s.node22StartedMs))}, -> its first line ran ${fmt(handOver.map((s) => s.node22RanMs))}`);
  console.log(`    tab        static HTML (no app code) handed to the running Chromium by the launches' opener: opener spawned -> page requested ${fmt(tab.map((s) => s.pageRequestedMs))}, -> its report after the first frame ${fmt(tab.map((s) => s.reportMs))}`);
  const tabMs = median(tab.map((s) => s.reportMs));
  const floor = median(npm.map((s) => s.scriptStartedMs)) + tabMs;
  const handOverMs = median(handOver.map((s) => s.node22RanMs));
  // A checkout without the `node` dev dependency: npm, then a bare start of the machine's node (npm's script printing),
  // then the hand-over to Node 22 (scripts/start.mjs). With it, npm's scripts start on Node 22 at once.
  const withHandOver = median(npm.map((s) => s.outputMs)) + handOverMs + tabMs;
  const launch = median(launchesPaintedMs);
  const goal = START_GOAL_MS.toLocaleString('en');
  console.log(`  floor: npm + tab = ${floor.toFixed(0)} ms of the ${goal} ms goal; left for Node 22, the desk's server, core and page: ${(START_GOAL_MS - floor).toFixed(0)} ms` +
    ` (the bare hand-over to Node 22 alone takes ${handOverMs.toFixed(0)} ms of it; the median real-tab launch, ${launch.toFixed(0)} ms, spends ${(launch - floor).toFixed(0)} ms on them)`);
  console.log(`         without the \`node\` dev dependency (npm + a bare start of the machine's node + the bare hand-over + tab): ${withHandOver.toFixed(0)} ms of the ${goal} ms; left for loading our code, the server, core and page: ${(START_GOAL_MS - withHandOver).toFixed(0)} ms`);
  console.log("         Medians. The parts run one after another in a launch (the tab opens once the URL is printed); they overlap only if the browser opened");
  console.log("         before Node 22 ran: tried, the tab came ~300 ms sooner but Node 22's start doubled on 2 cores, no gain.");
}
