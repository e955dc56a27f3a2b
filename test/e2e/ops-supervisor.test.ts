// The supervisor's Team and Control points views in real Chromium on the demo server's real metrics
// endpoints, keyboard only: tiles that explain themselves on focus, the chart's table alternative, the
// sortable SLA board; axe in light and dark; screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamViewOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import { axeScan, bodyView, closeAll, launchChromium, openDeskPage, screenshot, startDesk, type Desk, type OpenPage } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sam: Desk;
let ui: OpenPage;

async function expectAccessible(page: Page, name: string): Promise<void> {
  const scan = await axeScan(page);
  expect(scan.passed, `${name}: axe ran its rules`).toBeGreaterThan(10);
  expect(scan.serious, `${name}: ${JSON.stringify(scan.serious, null, 1)}`).toEqual([]);
}
const chord = async (page: Page, key: string) => {
  await page.keyboard.press('g');
  await page.keyboard.press(key);
};

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  sam = await startDesk(server.url, 'sam');
  ui = await openDeskPage(browser, sam);
}, 180_000);
afterAll(() => closeAll(browser, sam, server));

describe('the supervisor', () => {
  it('g m opens Team: tiles match the core, and a focused tile explains itself', async () => {
    const { page } = ui;
    expect(await page.getByTestId('nav-team').count()).toBe(1);
    expect(await page.getByTestId('nav-owner').count()).toBe(0);
    await chord(page, 'm');
    await expect.poll(() => bodyView(page)).toBe('team');
    await page.getByTestId('team-tiles').waitFor({ timeout: 20_000 });
    const core = await sam.call<TeamViewOutput>('ops.team', { window: '28d' });
    expect(await page.getByTestId('team-tile-outcomes-today').getAttribute('data-value')).toBe((core.data.today.throughput.value ?? 0).toLocaleString('en'));
    await page.getByTestId('team-tile-within-sla').focus();
    await expect.poll(() => page.getByTestId('ops-explain').getAttribute('data-metric')).toBe('within_sla');
    expect((await page.getByTestId('ops-explain-definition').textContent())!.length).toBeGreaterThan(20);
    await page.getByTestId('team-chart-toggle').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('team-chart-table').waitFor();
    expect(await page.getByTestId('team-chart-table').locator('tbody tr').count()).toBe(core.data.team.perDay.length);
    await page.keyboard.press('Enter');
    await page.getByTestId('team-chart-canvas').waitFor();
    await screenshot(page, 'ops-team');
    await expectAccessible(page, 'team (light)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(150);
    await screenshot(page, 'ops-team-dark');
    await expectAccessible(page, 'team (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('g c opens the SLA board, sortable from the keyboard', async () => {
    const { page } = ui;
    await chord(page, 'c');
    await expect.poll(() => bodyView(page)).toBe('control');
    await page.getByTestId('cp-board').waitFor({ timeout: 20_000 });
    const rows = page.getByTestId('cp-row');
    expect(await rows.count()).toBeGreaterThan(0);
    await page.getByTestId('cp-sort-depth').focus();
    await page.keyboard.press('Enter');
    const depths = async () => (await page.getByTestId('cp-depth').allTextContents()).map((t) => Number(t));
    const asc = await depths();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.keyboard.press('Enter');
    const desc = await depths();
    expect(desc).toEqual([...asc].sort((a, b) => b - a));
    await screenshot(page, 'ops-control-points');
    await expectAccessible(page, 'control points (light)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(150);
    await screenshot(page, 'ops-control-points-dark');
    await expectAccessible(page, 'control points (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
