// The supervisor's Team and Control points views in real Chromium on the demo server's real metrics
// endpoints, keyboard only: tiles that explain themselves on focus, the chart's table alternative, the
// sortable SLA board; axe in light and dark; screenshots.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuePage } from '../../shared/desk-api';
import type { TeamViewOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, screenshot, startDesk, waitForAssigned, waitForSynced, type Desk, type OpenPage } from './harness';
import { chord, expectAccessible } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sam: Desk;
let ui: OpenPage;


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
    expect(core.data.team.buckets?.bucket).toBe('day');
    expect(await page.getByTestId('team-chart-table').locator('tbody tr').count()).toBe(core.data.team.buckets!.points.length);
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

  it('charts hours or days over the chosen window, from the keyboard', async () => {
    const { page } = ui;
    await page.getByTestId('team-bucket').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('team-bucket').inputValue()).toBe('hour');
    await page.getByTestId('team-window').focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.getByTestId('team-window').inputValue()).toBe('7d');
    const core = await sam.call<TeamViewOutput>('ops.team', { window: '7d', bucket: 'hour' });
    expect(core.data.team.buckets?.bucket).toBe('hour');
    // Seven days cut at the minute touch 169 UTC hours (the first and last partial).
    expect(core.data.team.buckets!.points.length).toBeGreaterThanOrEqual(168);
    await page.getByTestId('team-chart-toggle').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('team-chart-table').locator('tbody tr').count()).toBe(core.data.team.buckets!.points.length);
    expect(await page.getByTestId('team-chart-table').locator('tbody tr th').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:00$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('team-chart-canvas').waitFor();
  });

  it('updates the figures while the view stays open (the core is asked again)', async () => {
    const { page } = ui;
    const tile = page.getByTestId('team-tile-outcomes-today');
    const before = Number((await tile.getAttribute('data-value'))!.replace(/,/g, ''));
    // alice approves one item on her own desk; the open Team view shows it at its next read.
    const alice = await startDesk(server.url, 'alice');
    try {
      await waitForAssigned(alice, 1);
      const item = (await alice.call<QueuePage>('queue.page', { limit: 5 })).rows[0];
      await alice.call('triage.open', { itemId: item.id });
      await alice.call('triage.decide', { itemId: item.id, kind: 'approve', payload: {} });
      await waitForSynced(alice);
      await expect.poll(async () => Number((await tile.getAttribute('data-value'))!.replace(/,/g, '')), { timeout: 40_000, interval: 500 }).toBe(before + 1);
    } finally {
      await alice.close();
    }
  }, 60_000);

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
