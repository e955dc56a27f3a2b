// Offline (issue 11, Tests): the supervisor opens Team, Control points, Exception tax, Signals/scorecard
// and Weekly review while the server is up (the core stores each answer), then the server goes away; each
// view reopened by keyboard shows the same figures marked "Offline: last figures, computed … ago", with no
// error and no page error, and its keyboard controls still work.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, pollUntil, screenshot, startDesk, type Desk, type OpenPage } from './harness';
import { chord } from './ops-steps';
import type { SyncStatus } from '../../shared/desk-api';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sam: Desk;
let ui: OpenPage;
let serverClosed = false;


interface ViewCase {
  view: string;
  key: string;
  /** An element that holds the view's figures. */
  content: string;
}
const VIEWS: ViewCase[] = [
  { view: 'team', key: 'm', content: 'team-tiles' },
  { view: 'control', key: 'c', content: 'cp-board' },
  { view: 'tax', key: 'x', content: 'tax-table' },
  { view: 'signals', key: 'i', content: 'scorecard-workflow' },
  { view: 'weekly', key: 'w', content: 'weekly-pack' },
];

/** What a view shows: its freshness line and a digest of its figures (the text of its content element). */
async function readView(page: Page, v: ViewCase) {
  const section = page.getByTestId(`view-${v.view}`);
  const fresh = section.getByTestId('ops-freshness').first();
  return {
    fromCache: await fresh.getAttribute('data-from-cache'),
    computedAt: await fresh.getAttribute('data-computed-at'),
    text: (await fresh.textContent()) ?? '',
    figures: (await section.getByTestId(v.content).allTextContents()).join('\n').replace(/\s+/g, ' '),
  };
}

async function openView(page: Page, v: ViewCase): Promise<void> {
  await chord(page, 't');
  await expect.poll(() => bodyView(page)).toBe('triage');
  await chord(page, v.key);
  await expect.poll(() => bodyView(page)).toBe(v.view);
  await page.getByTestId(`view-${v.view}`).getByTestId(v.content).first().waitFor({ timeout: 20_000 });
  await page.getByTestId(`view-${v.view}`).getByTestId('ops-freshness').first().waitFor({ timeout: 20_000 });
}

const online = new Map<string, Awaited<ReturnType<typeof readView>>>();

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  sam = await startDesk(server.url, 'sam');
  ui = await openDeskPage(browser, sam);
}, 180_000);
afterAll(() => closeAll(browser, sam, serverClosed ? undefined : server));

describe('the supervisor\'s views offline', () => {
  it('each view, read while the server is up, shows live figures', async () => {
    const { page } = ui;
    for (const v of VIEWS) {
      await openView(page, v);
      await expect.poll(async () => (await readView(page, v)).fromCache, { timeout: 20_000 }).toBe('false');
      const r = await readView(page, v);
      expect(r.text, v.view).toMatch(/^Computed .+ ago/);
      expect(r.figures.length, `${v.view} shows figures`).toBeGreaterThan(20);
      online.set(v.view, r);
    }
  }, 120_000);

  it('with the server gone, each view reopens with the last figures and their age, and nothing breaks', async () => {
    const { page } = ui;
    await server.close();
    serverClosed = true;
    await pollUntil('the desk to notice the server is away', async () => {
      await sam.call('sync.now').catch(() => undefined);
      return sam.call<SyncStatus>('sync.status');
    }, (s) => s.state === 'offline' || s.state === 'error');
    for (const v of VIEWS) {
      const before = online.get(v.view)!;
      await openView(page, v);
      await expect.poll(async () => (await readView(page, v)).fromCache, { timeout: 20_000 }).toBe('true');
      const r = await readView(page, v);
      expect(r.computedAt, `${v.view}: the figures of the last answer`).toBe(before.computedAt);
      expect(r.text, v.view).toMatch(/^Offline: last figures, computed .+ ago/);
      expect(r.figures, `${v.view}: the same figures as online`).toBe(before.figures);
      expect(await page.getByTestId(`view-${v.view}`).getByTestId('ops-error').count(), `${v.view}: no error shown`).toBe(0);
      await screenshot(page, `ops-offline-${v.view}`);
    }
  }, 120_000);

  it('offline, the keyboard still drives the views: Team\'s chart table and Control points\' sort', async () => {
    const { page } = ui;
    await openView(page, VIEWS[0]);
    await page.getByTestId('team-chart-toggle').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('team-chart-table').waitFor();
    expect(await page.getByTestId('team-chart-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await page.getByTestId('team-chart-canvas').waitFor();

    await openView(page, VIEWS[1]);
    await page.getByTestId('cp-sort-depth').focus();
    await page.keyboard.press('Enter');
    const depths = async () => (await page.getByTestId('cp-depth').allTextContents()).map((t) => Number(t));
    const asc = await depths();
    expect(asc.length).toBeGreaterThan(0);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.keyboard.press('Enter');
    expect(await depths()).toEqual([...asc].sort((a, b) => b - a));
    expect(await bodyView(page)).toBe('control');
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
