// The e2e rig: real Chromium (Debian's, driven by playwright-core), the real reference server, a real
// desk core per user with its own SQLite cache, and browser mode serving the built renderer.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createCore } from '../../electron/core/index';
import { startBrowserMode, type BrowserMode } from '../../electron/web/index';
import { ensureBuilt } from '../../scripts/build';
import { RENDERER_OUT, ROOT } from '../../scripts/build-steps';
import type { DeskResult, SyncStatus } from '../../shared/desk-api';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];
export const SCREENSHOT_DIR = join(ROOT, 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  await ensureBuilt({ electron: false, quiet: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

type Core = Awaited<ReturnType<typeof createCore>>;
export type DemoUserName = 'alice' | 'bob' | 'olivia' | 'sam';

export interface Desk {
  user: DemoUserName;
  core: Core;
  web: BrowserMode;
  cacheFile: string;
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** A signed-in desk (core + browser mode) for one demo user against `serverUrl`. */
export async function startDesk(
  serverUrl: string,
  user: DemoUserName,
  opts: { core?: Record<string, unknown>; settings?: Record<string, unknown> } = {},
): Promise<Desk> {
  const dir = mkdtempSync(join(tmpdir(), `desk-e2e-${user}-`));
  const cacheFile = join(dir, 'cache.sqlite');
  const core = await createCore({ cacheFile, demo: { serverUrl }, ...opts.core });
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const r = (await core.call(method, input)) as DeskResult<T>;
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  if (opts.settings) await call('settings.set', opts.settings);
  await call('session.connectDemo', { user });
  const web = await startBrowserMode({ core, staticDir: RENDERER_OUT });
  return {
    user, core, web, cacheFile, call,
    async close() {
      await web.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` until `done` holds (usable in hooks, where expect.poll is not). */
export async function pollUntil<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

/** Waits until the core has pulled its assigned set (or `min` items). */
export function waitForAssigned(desk: Desk, min = 1, timeoutMs = 30_000): Promise<SyncStatus> {
  return pollUntil(`${desk.user}'s desk to hold ${min} assigned items`, () => desk.call<SyncStatus>('sync.status'), (s) => s.assigned >= min, timeoutMs);
}

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far (CSP violations show up here). */
  errors: string[];
}

export interface PageOptions {
  /** The view to wait for once the page loaded (default: triage). */
  view?: string;
  viewport?: { width: number; height: number };
  /** Runs on the new page before it loads, e.g. an init script standing in for the preload. */
  beforeLoad?: (page: Page) => Promise<unknown>;
}

export async function openDeskPage(browser: Browser, desk: Desk, opts: PageOptions = {}): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await opts.beforeLoad?.(page);
  await page.goto(desk.web.launchUrl);
  await page.waitForFunction((v) => document.body.dataset.view === v, opts.view ?? 'triage', { timeout: 20_000 });
  return { page, context, errors };
}

/** The usual start of a suite: once the desk holds `assigned` items, its page in triage with one focused. */
export async function openTriage(browser: Browser, desk: Desk, assigned: number, opts: PageOptions = {}): Promise<OpenPage> {
  await waitForAssigned(desk, assigned);
  const ui = await openDeskPage(browser, desk, opts);
  await waitForFocusedChange(ui.page, null);
  return ui;
}

/** The usual end of a suite: closes what it opened, in the order given, skipping what never started. */
export async function closeAll(...opened: ({ close(): Promise<unknown> } | undefined)[]): Promise<void> {
  for (const o of opened) await o?.close();
}

export const bodyView = (page: Page) => page.evaluate(() => document.body.dataset.view ?? null);
export const focusedItemId = (page: Page) => page.evaluate(() => document.body.dataset.focusedItemId ?? null);

/** Waits for the triage view to show an item different from `previous` (null: any item). */
export async function waitForFocusedChange(page: Page, previous: string | null, timeoutMs = 10_000): Promise<string> {
  await page.waitForFunction(
    (prev) => {
      const id = document.body.dataset.focusedItemId;
      return !!id && id !== prev;
    },
    previous,
    { timeout: timeoutMs },
  );
  return (await focusedItemId(page))!;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: number; targets: string[] }

/** Runs axe-core in the page; returns the violations of impact serious or critical and how many rules passed. */
export async function axeScan(page: Page): Promise<{ serious: AxeViolation[]; passed: number; minor: string[] }> {
  const source = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Injected through the DevTools protocol (not a <script> tag), so the page's strict CSP still holds.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source);
  const result = await page.evaluate(async () => {
    type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[]; passes: unknown[] };
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<AxeResult> } }).axe;
    const r = await axe.run(document);
    return {
      passed: r.passes.length,
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) })),
    };
  });
  const isSerious = (v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical';
  return {
    serious: result.violations.filter(isSerious),
    passed: result.passed,
    minor: result.violations.filter((v) => !isSerious(v)).map((v) => `${v.id} (${v.impact})`),
  };
}

/** Presses keys one after another like a person (each a full keydown/keyup). */
export async function keys(page: Page, ...sequence: string[]): Promise<void> {
  for (const k of sequence) await page.keyboard.press(k);
}

/** Waits until nothing of this desk is waiting for the server. */
export async function waitForSynced(desk: Desk, timeoutMs = 30_000): Promise<void> {
  await pollUntil(`${desk.user}'s outbox to drain`, () => desk.call<SyncStatus>('sync.status'),
    (s) => s.pending === 0 && s.state !== 'offline' && s.state !== 'error', timeoutMs);
}
