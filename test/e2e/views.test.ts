// Every view in real Chromium: the queue table's filter and sort, help and the command palette, a
// supervisor's reassignment landing in the conflicts inbox, an axe-core scan of every view (light and
// dark) with no serious or critical violation, and a screenshot of each in test-artifacts/screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYMAP_ACTIONS } from '../../shared/keymap';
import { actionAvailable } from '../../shared/ops-access';
import type { QueuePage } from '../../shared/desk-api';
import { CentralClient } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import {
  axeScan, bodyView, closeAll, focusedItemId, launchChromium, openTriage, screenshot, startDesk,
  waitForFocusedChange, type Desk, type OpenPage,
} from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let ui: OpenPage;

const go = async (page: Page, key: string, view: string) => {
  await page.keyboard.press('g');
  await page.keyboard.press(key);
  await expect.poll(() => bodyView(page)).toBe(view);
};

/** The rows the grid shows once it has settled (no loading placeholders), top to bottom. */
async function settledRows(page: Page): Promise<{ total: number; ids: string[]; classes: string[]; titles: string[] }> {
  await page.waitForFunction(() => {
    const grid = document.querySelector('[data-testid="queue-grid"]') as HTMLElement | null;
    return !!grid && grid.dataset.total !== undefined && document.querySelectorAll('[data-testid="queue-row"].is-loading').length === 0;
  });
  return page.evaluate(() => {
    const grid = document.querySelector('[data-testid="queue-grid"]') as HTMLElement;
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="queue-row"]')]
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    return {
      total: Number(grid.dataset.total),
      ids: rows.map((r) => r.dataset.itemId ?? ''),
      classes: rows.map((r) => r.querySelector<HTMLElement>('[data-class]')?.dataset.class ?? ''),
      titles: rows.map((r) => r.querySelector('.col-title')?.textContent ?? ''),
    };
  });
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  const scan = await axeScan(page);
  expect(scan.passed, `${name}: axe ran its rules`).toBeGreaterThan(10);
  expect(scan.serious, `${name}: ${JSON.stringify(scan.serious, null, 1)}`).toEqual([]);
  if (scan.minor.length) console.log(`axe ${name}: minor/moderate: ${scan.minor.join(', ')}`);
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { settings: { claimTargetSize: 120 } });
  ui = await openTriage(browser, alice, 100);
}, 120_000);

afterAll(() => closeAll(browser, alice, server));

describe('views', () => {
  it('the launch key leaves the address bar, and a reload still reaches the desk', async () => {
    const { page } = ui;
    expect(page.url()).not.toContain('launch=');
    expect(page.url()).not.toContain(alice.web.token);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.view === 'triage' && !!document.body.dataset.focusedItemId);
    expect(page.url()).not.toContain(alice.web.token);
  });

  it('filters the queue table by class and text, and sorts it', async () => {
    const { page } = ui;
    await go(page, 'q', 'queue');
    const all = await settledRows(page);
    expect(all.total).toBeGreaterThanOrEqual(100);
    await screenshot(page, 'queue');

    await page.getByTestId('queue-filter-class-policy').click();
    await expect.poll(async () => (await settledRows(page)).total).toBeLessThan(all.total);
    const policy = await settledRows(page);
    expect(policy.total).toBeGreaterThan(0);
    expect(new Set(policy.classes)).toEqual(new Set(['policy']));
    const corePolicy = await alice.call<QueuePage>('queue.page', { filter: { classes: ['policy'] }, limit: 1 });
    expect(policy.total).toBe(corePolicy.total);

    await page.getByTestId('queue-sort-confidence').click();
    await expect.poll(() => page.locator('[role="columnheader"][aria-sort="ascending"], [role="columnheader"][aria-sort="descending"]').count()).toBe(1);
    const dir = (await page.locator('[role="columnheader"]:has([data-testid="queue-sort-confidence"])').getAttribute('aria-sort')) === 'ascending' ? 'asc' : 'desc';
    const expected = await alice.call<QueuePage>('queue.page', { filter: { classes: ['policy'] }, sort: { by: 'confidence', dir }, limit: 1000 });
    await expect.poll(async () => {
      const shown = await settledRows(page);
      return shown.ids.filter(Boolean);
    }).toEqual(expected.rows.slice(0, (await settledRows(page)).ids.filter(Boolean).length).map((r) => r.id));
    await page.getByTestId('queue-sort-confidence').click();
    const reversed = dir === 'asc' ? 'desc' : 'asc';
    const expectedReversed = await alice.call<QueuePage>('queue.page', { filter: { classes: ['policy'] }, sort: { by: 'confidence', dir: reversed }, limit: 1000 });
    await expect.poll(async () => (await settledRows(page)).ids.filter(Boolean)[0]).toBe(expectedReversed.rows[0].id);

    const word = policy.titles[0].split(/\s+/).find((w) => w.length > 4)!;
    await page.keyboard.press('/');
    await page.keyboard.type(word);
    await expect.poll(async () => (await settledRows(page)).titles.every((t) => t.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    const text = await settledRows(page);
    expect(text.total).toBeGreaterThan(0);
    expect(text.total).toBeLessThanOrEqual(policy.total);
    await screenshot(page, 'queue-filtered-sorted');
    await expectAccessible(page, 'queue');
    await page.keyboard.press('Escape');
  });

  it('help lists every binding of the keymap', async () => {
    const { page } = ui;
    await go(page, 't', 'triage');
    await page.keyboard.press('?');
    const help = page.getByTestId('help-dialog');
    await help.waitFor();
    const rows = help.getByTestId('help-row');
    // alice is a reviewer: the supervisor's and owner's views are not hers, so help does not list them.
    const hers = KEYMAP_ACTIONS.filter((a) => actionAvailable(a.id, ['reviewer']));
    expect(hers.length).toBeLessThan(KEYMAP_ACTIONS.length);
    expect(await rows.count()).toBe(hers.length);
    const ids = await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.actionId));
    expect(new Set(ids)).toEqual(new Set(hers.map((a) => a.id)));
    for (const a of hers) {
      const row = help.locator(`[data-testid="help-row"][data-action-id="${a.id}"]`);
      expect(await row.locator('.kbd-seq').count(), a.id).toBe(a.defaults.length);
    }
    await screenshot(page, 'help');
    await expectAccessible(page, 'help');
    await page.keyboard.press('Escape');
    await expect(help.count()).resolves.toBe(0);
  });

  it('the command palette runs an action', async () => {
    const { page } = ui;
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('palette');
    await palette.waitFor();
    await page.keyboard.type('stats');
    await screenshot(page, 'palette');
    await expectAccessible(page, 'palette');
    await page.keyboard.press('Enter');
    await expect.poll(() => bodyView(page)).toBe('stats');

    await go(page, 't', 'triage');
    const before = (await focusedItemId(page))!;
    await page.keyboard.press('Control+k');
    await palette.waitFor();
    await page.keyboard.type('Approve');
    await page.keyboard.press('Enter');
    await waitForFocusedChange(page, before);
  });

  it('an item reassigned by a supervisor mid-session shows up in the conflicts inbox', async () => {
    const { page } = ui;
    await go(page, 't', 'triage');
    const id = (await focusedItemId(page))!;
    const title = (await page.getByTestId('triage-title').textContent())!;
    const bobId = (await new CentralClient(server.url, 'demo-bob').me()).id;
    await new CentralClient(server.url, 'demo-sam').assign({ itemIds: [id], assigneeId: bobId });
    await page.keyboard.press('a');
    await waitForFocusedChange(page, id);
    await expect.poll(async () => Number(await page.getByTestId('sync-conflicts').getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await go(page, 's', 'sync');
    const row = page.locator(`[data-testid="conflict-row"][data-item-id="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.textContent()).toMatch(/reassign/i);
    // The server hides an item that is someone else's now: the card says so, and only discard is offered.
    await expect.poll(() => row.getByTestId('conflict-server-hidden').textContent()).toMatch(/belongs to someone else/);
    expect(await row.getByTestId('conflict-resubmit').isDisabled()).toBe(true);
    await expect.poll(() => row.getByTestId('conflict-item').textContent()).toBe(title); // from this desk's cache
    await screenshot(page, 'sync-conflicts');
    await expectAccessible(page, 'sync');
  });

  it('every view passes an axe-core scan (no serious or critical violation) in light and dark, with screenshots', async () => {
    const { page } = ui;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [key, view] of [['t', 'triage'], ['q', 'queue'], ['s', 'sync'], ['d', 'stats'], [',', 'settings']] as const) {
        await go(page, key, view);
        if (view === 'triage') await page.getByTestId('triage-item').waitFor();
        if (view === 'queue') await settledRows(page);
        await page.waitForTimeout(150);
        await screenshot(page, `${view}-${scheme}`);
        await expectAccessible(page, `${view} (${scheme})`);
      }
      await go(page, 't', 'triage');
      await page.keyboard.press('r');
      await page.getByTestId('reason-picker').waitFor();
      await screenshot(page, `reason-picker-${scheme}`);
      await expectAccessible(page, `reason picker (${scheme})`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('c');
      await page.getByTestId('correct-editor').waitFor();
      await screenshot(page, `correct-editor-${scheme}`);
      await expectAccessible(page, `correct editor (${scheme})`);
      await page.keyboard.press('Escape');
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await go(page, ',', 'settings');
    await page.getByTestId('sign-out').click();
    await expect.poll(() => bodyView(page)).toBe('signin');
    await screenshot(page, 'signin');
    await expectAccessible(page, 'signin');
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
