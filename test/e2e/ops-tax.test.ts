// The Exception tax view in real Chromium on the demo server's real figures, keyboard only: a supervisor
// sees every path, an owner their own, a reviewer none; figures match the core and explain themselves on
// focus; the chart's table alternative carries the same buckets; axe in light and dark; screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from '../../shared/domain';
import type { TaxViewOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, screenshot, startDesk, type Desk, type OpenPage } from './harness';
import { chord, expectAccessible } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sam: Desk;
let olivia: Desk;
let alice: Desk;
let samUi: OpenPage;

const rowKeys = (page: Page) => page.getByTestId('tax-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key!));

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  sam = await startDesk(server.url, 'sam');
  olivia = await startDesk(server.url, 'olivia');
  alice = await startDesk(server.url, 'alice');
  samUi = await openDeskPage(browser, sam);
}, 180_000);
afterAll(() => closeAll(browser, sam, olivia, alice, server));

describe('a reviewer', () => {
  it('has no Exception tax: not in the nav, g x says why, and the core refuses ops.tax', async () => {
    const ui = await openDeskPage(browser, alice);
    try {
      expect(await ui.page.getByTestId('nav-tax').count()).toBe(0);
      await chord(ui.page, 'x');
      await expect.poll(() => ui.page.getByTestId('toast').last().locator('.toast-text').textContent()).toBe('Exception tax is not available to reviewer');
      expect(await bodyView(ui.page)).toBe('triage');
      await expect(alice.call('ops.tax', { window: '28d' })).rejects.toThrow(/forbidden/);
    } finally {
      await ui.page.close();
    }
  });
});

describe('the supervisor', () => {
  it('g x opens the tax per workflow: the rows and figures are the core answer, and a focused figure explains itself', async () => {
    const { page } = samUi;
    expect(await page.getByTestId('nav-tax').count()).toBe(1);
    await chord(page, 'x');
    await expect.poll(() => bodyView(page)).toBe('tax');
    await page.getByTestId('tax-table').waitFor({ timeout: 20_000 });
    const core = await sam.call<TaxViewOutput>('ops.tax', { window: '28d' });
    expect(core.data.groups.length).toBeGreaterThan(0);
    await expect.poll(() => rowKeys(page)).toEqual(core.data.groups.map((g) => g.key));
    const outcomes = await page.getByTestId('tax-outcomes').allTextContents();
    expect(outcomes).toEqual(core.data.groups.map((g) => g.outcomes.toLocaleString('en')));
    const taxValues = await page.getByTestId('tax-taxPerOutcome').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.value));
    expect(taxValues).toEqual(core.data.groups.map((g) => String(g.taxPerOutcome.value ?? '')));
    await page.getByTestId('tax-costToCompletion').first().focus();
    await expect.poll(() => page.getByTestId('ops-explain').getAttribute('data-metric')).toBe('cost_to_completion');
    expect(await page.getByTestId('ops-explain-n').textContent()).toBe(core.data.groups[0].costToCompletion.n.toLocaleString());
    await page.getByTestId('tax-laborPerOutcome').first().focus();
    await expect.poll(() => page.getByTestId('ops-explain').getAttribute('data-metric')).toBe('labor_minutes_per_outcome');
  });

  it('charts the group over time, with the same buckets as a table', async () => {
    const { page } = samUi;
    const core = await sam.call<TaxViewOutput>('ops.tax', { window: '28d' });
    await page.getByTestId('tax-chart-canvas').waitFor();
    await page.getByTestId('tax-chart-toggle').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('tax-chart-table').waitFor();
    expect(await page.getByTestId('tax-chart-table').locator('tbody tr').count()).toBe(core.data.series!.points.length);
    await page.keyboard.press('Enter');
    await page.getByTestId('tax-chart-canvas').waitFor();
    // ISO weeks: fewer buckets, each starting on a Monday.
    await page.getByTestId('tax-bucket').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('tax-bucket').inputValue()).toBe('week');
    const weeks = await sam.call<TaxViewOutput>('ops.tax', { window: '28d', bucket: 'week' });
    expect(weeks.data.series!.points.slice(1).every((p) => new Date(p.start).getUTCDay() === 1)).toBe(true);
    await page.getByTestId('tax-chart-toggle').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('tax-chart-table').locator('tbody tr').count()).toBe(weeks.data.series!.points.length);
    await page.keyboard.press('Enter');
  });

  it('groups by queue from the keyboard; light and dark pass axe', async () => {
    const { page } = samUi;
    await page.getByTestId('tax-group-by').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('tax-group-by').inputValue()).toBe('queue');
    const core = await sam.call<TaxViewOutput>('ops.tax', { window: '28d', groupBy: 'queue' });
    await expect.poll(() => rowKeys(page)).toEqual(core.data.groups.map((g) => g.key));
    await screenshot(page, 'ops-tax');
    await expectAccessible(page, 'tax (light)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(150);
    await screenshot(page, 'ops-tax-dark');
    await expectAccessible(page, 'tax (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('ran without a CSP violation or page error', () => {
    expect(samUi.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(samUi.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

describe('an owner', () => {
  it('sees the tax of the queues they own only', async () => {
    const ui = await openDeskPage(browser, olivia);
    try {
      const { queues } = await olivia.call<{ queues: Queue[] }>('queue.list');
      const own = new Set(queues.filter((q) => q.ownerId === 'olivia').map((q) => q.id));
      await chord(ui.page, 'x');
      await expect.poll(() => bodyView(ui.page)).toBe('tax');
      await ui.page.getByTestId('tax-table').waitFor({ timeout: 20_000 });
      await ui.page.getByTestId('tax-group-by').focus();
      await ui.page.keyboard.press('ArrowDown');
      await ui.page.keyboard.press('ArrowDown');
      const core = await olivia.call<TaxViewOutput>('ops.tax', { window: '28d', groupBy: 'queue' });
      expect(core.data.groups.length).toBeGreaterThan(0);
      expect(core.data.groups.every((g) => g.queueIds.every((id) => own.has(id)))).toBe(true);
      await expect.poll(() => rowKeys(ui.page)).toEqual(core.data.groups.map((g) => g.key));
      await screenshot(ui.page, 'ops-tax-owner');
      await expectAccessible(ui.page, 'tax, owner (light)');
    } finally {
      await ui.page.close();
    }
  });
});
