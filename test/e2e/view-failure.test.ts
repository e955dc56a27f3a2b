// A view that fails takes down only itself, in real Chromium: a view whose code cannot be fetched, and
// a view that throws while rendering an answer it did not expect, each show what happened and how to get
// on (keyboard first), the keys and the other views keep working, and the error reaches the core's log.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, focusedItemId, keys, launchChromium, openTriage, screenshot, startDesk, type Desk, type OpenPage } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
const logDir = mkdtempSync(join(tmpdir(), 'desk-e2e-view-failure-logs-'));

/** The core's log lines that report a renderer error (flushed by pino's async writer within a moment). */
const rendererErrors = () =>
  readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').trim().split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; rendererError?: { where: string; message: string } })
    .filter((l) => l.msg === 'renderer error')
    .map((l) => l.rendererError!);

/** What a broken core answers to stats.today while `breakStats` is set. */
const BROKEN_STATS = { ok: true, value: { day: '2026-12-01', totalOutcomes: 1 } };
let breakStats = false;

/**
 * The desk socket (GET /desk) passed through to browser mode, except that while `breakStats` is set the answer
 * to a stats.today call is BROKEN_STATS. Calls are matched to answers by their id.
 */
async function passDeskSocket(page: Page): Promise<void> {
  await page.routeWebSocket(/\/desk\?/, (ws) => {
    const server = ws.connectToServer();
    const statsCalls = new Set<number>();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id: number; method: string };
      if (call.method === 'stats.today') statsCalls.add(call.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { id: number };
      const broken = breakStats && statsCalls.has(answer.id);
      statsCalls.delete(answer.id);
      ws.send(broken ? JSON.stringify({ id: answer.id, result: BROKEN_STATS }) : message);
    });
  });
}

const failedView = (page: Page) => page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="view-failed"]')?.dataset.viewFailed ?? null);
const focusedTestId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? null);

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { core: { logDir } });
}, 120_000);

afterAll(async () => {
  await closeAll(browser, alice, server);
  rmSync(logDir, { recursive: true, force: true });
});

describe('a view that fails', () => {
  let ui: OpenPage | undefined;
  afterAll(() => ui?.context.close());

  it("whose code cannot be fetched says so, offers a reload, and leaves the keys and triage working", async () => {
    ui = await openTriage(browser, alice, 1, {
      beforeLoad: async (page) => {
        await page.route(/\/assets\/QueueView-[^/]*\.js$/, (route) => route.abort('failed'));
        await passDeskSocket(page);
      },
    });
    const { page } = ui;
    const item = await focusedItemId(page);
    await keys(page, 'g', 'q');
    await expect.poll(() => failedView(page)).toBe('queue');
    await expect.poll(() => page.getByTestId('view-failed').textContent()).toContain('could not load');
    // Enter reloads: the reload button has the focus.
    expect(await focusedTestId(page)).toBe('view-failed-reload');
    expect(await page.getByTestId('nav').count()).toBe(1);
    await screenshot(page, 'view-failed-queue');

    await keys(page, 'g', 't');
    await expect.poll(() => bodyView(page)).toBe('triage');
    expect(await failedView(page)).toBeNull();
    expect(await focusedItemId(page)).toBe(item);

    await expect.poll(() => rendererErrors().map((r) => r.where)).toContain('view:queue');
  });

  it('that throws on an answer it did not expect shows the error, and Try again renders it once the answer is right', async () => {
    const { page } = ui!;
    // A core answer missing the outcome counts (as a newer or broken core might send): the view throws. The call
    // goes over the desk socket, or over HTTP while the socket is down: both answer so.
    breakStats = true;
    await page.route('**/rpc/stats.today', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(BROKEN_STATS) }));
    await keys(page, 'g', 'd');
    await expect.poll(() => failedView(page)).toBe('stats');
    await expect.poll(() => page.getByTestId('view-failed').textContent()).toContain('stopped working');
    expect(await focusedTestId(page)).toBe('view-failed-retry');
    await screenshot(page, 'view-failed-stats');
    await expect.poll(() => rendererErrors().filter((r) => r.where === 'view:stats').length).toBeGreaterThan(0);

    breakStats = false;
    await page.unroute('**/rpc/stats.today');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('stats-total-outcomes').count()).toBe(1);
    expect(await failedView(page)).toBeNull();
  });
});
