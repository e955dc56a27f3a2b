// Reassignment from Control points' at-risk list reaches the reviewer's next pull, end to end from the UI
// (issue 11, Tests): the demo supervisor selects at-risk items with the keyboard and reassigns them to bob;
// bob's own desk (a second core against the same server) syncs and holds exactly those items.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuePage } from '../../shared/desk-api';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, pollUntil, screenshot, startDesk, waitForAssigned, type Desk, type OpenPage } from './harness';
import { chord } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sam: Desk;
let bob: Desk;
let ui: OpenPage;

const selectedIds = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('[data-testid="cp-at-risk-row"][aria-selected="true"]')].map((e) => (e as HTMLElement).dataset.itemId!));

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  bob = await startDesk(server.url, 'bob');
  await waitForAssigned(bob, 1);
  sam = await startDesk(server.url, 'sam');
  ui = await openDeskPage(browser, sam);
}, 180_000);
afterAll(() => closeAll(browser, sam, bob, server));

describe('reassigning from the at-risk list', () => {
  it('reaches the reviewer\'s next pull: exactly the items chosen with the keyboard', async () => {
    const { page } = ui;
    await chord(page, 'c');
    await expect.poll(() => bodyView(page)).toBe('control');
    const list = page.getByTestId('cp-at-risk-list');
    await list.waitFor({ timeout: 20_000 });
    const rows = await page.getByTestId('cp-at-risk-row').evaluateAll((els) =>
      els.map((e) => ({ id: (e as HTMLElement).dataset.itemId!, text: e.textContent ?? '' })));
    // Pick rows that are not bob's already, so the move is visible on his desk.
    const candidates = rows.map((r, i) => ({ ...r, i })).filter((r) => !/with bob\b/.test(r.text));
    expect(candidates.length, 'the demo history has at least two at-risk items not with bob').toBeGreaterThanOrEqual(2);
    const before = await bob.call<QueuePage>('queue.page', { limit: 500 });
    const bobHeld = new Set(before.rows.map((r) => r.id));
    const picks = candidates.filter((c) => !bobHeld.has(c.id)).slice(0, 2);
    expect(picks).toHaveLength(2);

    // Keyboard only: focus the list, walk the cursor to each pick and toggle it with Space.
    await list.focus();
    let cursor = 0;
    for (const p of picks) {
      while (cursor < p.i) {
        await page.keyboard.press('ArrowDown');
        cursor++;
      }
      await page.keyboard.press('Space');
    }
    await expect.poll(() => page.getByTestId('cp-selected-count').getAttribute('data-count')).toBe('2');
    const chosen = await selectedIds(page);
    expect(chosen.sort()).toEqual(picks.map((p) => p.id).sort());

    // Enter moves to the reviewer picker; arrows choose bob; Tab to the button; Enter reassigns.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cp-assignee');
    const picker = page.getByTestId('cp-assignee');
    const options = await picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toContain('bob');
    for (let n = 0; n < options.indexOf('bob'); n++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => picker.inputValue()).toBe('bob');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cp-reassign');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cp-selected-count').getAttribute('data-count'), { timeout: 20_000 }).toBe('0');
    await expect.poll(() => page.locator('.toast, [role="status"]').filter({ hasText: 'Reassigned 2 items to bob' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'ops-control-points-reassigned');

    // bob's next pull holds exactly those items, assigned to him.
    // (His desk may also claim other items to refill; the two chosen must be among what it holds.)
    await pollUntil('bob\'s desk to pull the reassigned items', async () => {
      await bob.call('sync.now');
      return bob.call<QueuePage>('queue.page', { limit: 500 });
    }, (p) => chosen.every((id) => p.rows.some((r) => r.id === id)));
    for (const id of chosen) {
      const got = await bob.call<{ item: { assigneeId: string | null } }>('item.get', { itemId: id });
      expect(got.item.assigneeId).toBe('bob');
    }
  }, 120_000);

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
