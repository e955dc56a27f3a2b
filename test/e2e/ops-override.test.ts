// The items behind a figure, read-only, and the owner's override from the desk, in real Chromium (browser
// mode, demo data), keyboard only: a supervisor opens the items behind a Team tile; an owner opens an item
// alice decided and overrides it with a reason; the server's refusal comes back in words. axe in light and
// dark on the read-only items dialog and on the override form.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuePage } from '../../shared/desk-api';
import type { Queue } from '../../shared/domain';
import type { OpsItemsOutput, TeamViewOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, screenshot, startDesk, waitForAssigned, waitForSynced, type Desk } from './harness';
import { chord, expectAccessible } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let olivia: Desk;
let sam: Desk;
const approved: string[] = [];


beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { settings: { claimTargetSize: 40 } });
  olivia = await startDesk(server.url, 'olivia');
  sam = await startDesk(server.url, 'sam');
  await waitForAssigned(alice, 40);
  const { queues } = await alice.call<{ queues: Queue[] }>('queue.list');
  const owned = new Set(queues.filter((q) => q.ownerId === 'olivia').map((q) => q.id));
  const page = await alice.call<QueuePage>('queue.page', { limit: 40 });
  for (const row of page.rows.filter((r) => owned.has(r.queueId)).slice(0, 2)) {
    await alice.call('triage.open', { itemId: row.id });
    await alice.call('triage.decide', { itemId: row.id, kind: 'approve', payload: {} });
    approved.push(row.id);
  }
  expect(approved).toHaveLength(2);
  await waitForSynced(alice);
}, 180_000);
afterAll(() => closeAll(browser, alice, olivia, sam, server));

describe('the items behind a figure', () => {
  it("a supervisor opens a Team tile's items, read-only, and moves through them with j / k", async () => {
    const ui = await openDeskPage(browser, sam);
    try {
      const { page } = ui;
      await chord(page, 'm');
      await expect.poll(() => bodyView(page)).toBe('team');
      const tile = page.getByTestId('team-tile-outcomes-today');
      await tile.waitFor({ timeout: 20_000 });
      await tile.focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('ops-items-dialog').waitFor();
      const detail = page.getByTestId('ops-item-detail');
      await detail.waitFor({ timeout: 10_000 });
      const first = await detail.getAttribute('data-item-id');
      // The first item behind the tile is the first the core names for today's outcomes (alice's two among them).
      const team = await sam.call<TeamViewOutput>('ops.team', { window: '28d' });
      const behind = team.data.today.throughput.recompute.itemIds;
      expect(behind).toEqual(expect.arrayContaining(approved));
      expect(first).toBe(behind[0]);
      expect(await page.getByTestId('ops-item-history').locator('li[data-type="decided"]').count()).toBeGreaterThan(0);
      // A supervisor reads; overriding is the owner's.
      expect(await page.getByTestId('ops-item-override').count()).toBe(0);
      await page.keyboard.press('j');
      await expect.poll(() => detail.getAttribute('data-item-id')).not.toBe(first);
      await page.keyboard.press('k');
      await expect.poll(() => detail.getAttribute('data-item-id')).toBe(first);
      await screenshot(page, 'ops-items-behind');
      await expectAccessible(page, 'items behind a figure (light)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await page.waitForTimeout(150);
      await screenshot(page, 'ops-items-behind-dark');
      await expectAccessible(page, 'items behind a figure (dark)');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('ops-items-dialog').count()).toBe(0);
    } finally {
      await ui.page.close();
    }
  });
});

describe("the owner's override", () => {
  it('opens the item alice approved and overrides it to reject with a reason, from the keyboard', async () => {
    const ui = await openDeskPage(browser, olivia);
    try {
      const { page } = ui;
      await chord(page, 'o');
      await expect.poll(() => bodyView(page)).toBe('owner');
      await page.getByTestId('owner-find-item').focus();
      await page.keyboard.type(approved[0]);
      await page.keyboard.press('Enter');
      const detail = page.getByTestId('ops-item-detail');
      await detail.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('ops-item-outcome').getAttribute('data-kind')).toBe('approve');
      expect(await page.getByTestId('ops-item-outcome').getAttribute('data-by')).toBe('alice');
      await page.getByTestId('ops-item-open').first().focus();
      await page.keyboard.press('o');
      await page.getByTestId('ops-override-form').waitFor();
      // The outcome offered first is the other one: reject; a reason code is picked; the reason is typed.
      expect(await page.getByTestId('ops-override-outcome').inputValue()).toBe('reject');
      // An empty reason is refused before anything is sent.
      await page.getByTestId('ops-override-reason').focus();
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.getByTestId('ops-override-error').textContent()).toBe('Say why you override this outcome.');
      await page.keyboard.type('vendor is on the blocked list');
      await screenshot(page, 'ops-override-form');
      await expectAccessible(page, 'override form (light)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await page.waitForTimeout(150);
      await screenshot(page, 'ops-override-form-dark');
      await expectAccessible(page, 'override form (dark)');
      await page.emulateMedia({ colorScheme: 'light' });
      // The scans leave the focus in the reason field, where Ctrl+Enter sends.
      await page.getByTestId('ops-override-reason').focus();
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => page.getByTestId('ops-item-outcome').getAttribute('data-by'), { timeout: 10_000 }).toBe('olivia');
      expect(await page.getByTestId('ops-item-outcome').getAttribute('data-kind')).toBe('reject');
      expect(await page.getByTestId('ops-item-history').locator('li[data-type="reverted"]').count()).toBe(1);
      // Her own outcome now: no override offered (a revert is for that).
      expect(await page.getByTestId('ops-item-override').count()).toBe(0);
      await page.keyboard.press('Escape');
      // The server agrees: one override, with her reason.
      const read = await sam.call<OpsItemsOutput>('ops.items', { itemIds: [approved[0]] });
      expect(read.data.items[0].item.outcome).toMatchObject({ kind: 'reject', by: 'olivia', comment: 'vendor is on the blocked list' });
      expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await ui.page.close();
    }
  });
});
