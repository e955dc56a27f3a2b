// Undo (DESIGN §7): `z` takes back a decision still in the outbox (the server never sees it); after the
// decision reached the server, `z` sends a revert that reaches it. The desk here runs with automatic
// sync off (a real core option) so "before it synced" is a state the test holds on purpose, not a race
// against the 25 ms push that follows every decision; sync runs when the reviewer presses Shift+S.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';
import {
  closeAll, focusedItemId, launchChromium, openTriage, screenshot, startDesk, waitForFocusedChange,
  type Desk, type OpenPage,
} from './harness';
import { serverEvents, serverItem } from './server-records';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let bob: Desk;
let ui: OpenPage;

const pendingShown = async (page: Page) => Number(await page.getByTestId('sync-pending').getAttribute('data-count'));
const toastText = (page: Page) => page.getByTestId('toasts').textContent();
const decidedShown = (page: Page) => page.getByTestId('triage-position').getAttribute('data-decided');
/** Waits for the sync cycle Shift+S started, and its follow-up, to finish (sync.now joins a running one). */
const drainSync = () => bob.call('sync.now');

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  bob = await startDesk(server.url, 'bob', { core: { autoSync: false } });
  await bob.call('sync.now');
  ui = await openTriage(browser, bob, 5);
}, 120_000);

afterAll(() => closeAll(browser, bob, server));

describe('undo', () => {
  let itemId: string;

  it('before the decision synced: z takes it back out of the outbox and the server never sees it', async () => {
    const { page } = ui;
    itemId = (await focusedItemId(page))!;
    await page.keyboard.press('a');
    await waitForFocusedChange(page, itemId);
    await expect.poll(() => pendingShown(page)).toBe(1);
    // The position counts open items only: the decision count says the approval counted.
    await expect.poll(() => decidedShown(page)).toBe('1');
    expect(await page.getByTestId('triage-decided').textContent()).toBe(' · 1 decided here');
    await page.keyboard.press('z');
    await expect.poll(() => toastText(page)).toMatch(/undid approve/i);
    await expect.poll(() => toastText(page)).not.toMatch(/revert/i);
    await expect.poll(() => pendingShown(page)).toBe(0);
    await expect.poll(() => decidedShown(page)).toBe('0');
    expect(await page.getByTestId('triage-decided').count()).toBe(0);
    await expect.poll(() => focusedItemId(page)).toBe(itemId);
    await screenshot(page, 'undo-toast');
    await page.keyboard.press('Shift+S');
    await drainSync();
    expect(serverEvents(server.dbFile, [itemId], ['decided', 'reverted'])).toEqual([]);
    expect(serverItem(server.dbFile, itemId)?.status).toBe('leased');
  });

  it('after the decision reached the server: z sends a revert that reaches it', async () => {
    const { page } = ui;
    expect(await focusedItemId(page)).toBe(itemId);
    await page.keyboard.press('a');
    await waitForFocusedChange(page, itemId);
    await page.keyboard.press('Shift+S');
    await expect.poll(() => serverEvents(server.dbFile, [itemId], ['decided']).length, { timeout: 20_000 }).toBe(1);
    // The cycle Shift+S started must be over before z, or it would carry the revert out with it and
    // "pending 1" would never be on screen to see.
    await drainSync();
    await expect.poll(() => pendingShown(page)).toBe(0);
    expect(serverItem(server.dbFile, itemId)?.status).toBe('resolved');

    await page.keyboard.press('z');
    await expect.poll(() => toastText(page)).toMatch(/revert/i);
    await expect.poll(() => pendingShown(page)).toBe(1);
    await page.keyboard.press('Shift+S');
    await expect.poll(() => serverEvents(server.dbFile, [itemId], ['reverted']).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => pendingShown(page)).toBe(0);
    const row = serverItem(server.dbFile, itemId)!;
    expect(row.status).not.toBe('resolved');
    expect(row.outcome).toBeNull();
  });
});
