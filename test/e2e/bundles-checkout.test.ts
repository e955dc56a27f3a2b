// Checking out work for long offline hours from the UI (issue 12, item 5's UI and item 1 from a desk), in
// real Chromium against a live server: N items for H hours leased to this desk (sync.checkout), or
// handed over as a signed work bundle to carry to a restricted site.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemDetail, QueuePage, SyncStatus } from '../../shared/desk-api';
import { startTestServer, type TestServer } from '../helpers/server';
import { closeAll, launchChromium, openDeskPage, pollUntil, startDesk, type Desk, type OpenPage } from './harness';

let browser: Browser;
let server: TestServer;
let bob: Desk;
let ui: OpenPage;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  bob = await startDesk(server.url, 'bob', { core: { autoSync: false } });
  ui = await openDeskPage(browser, bob, { view: 'triage' });
}, 120_000);

afterAll(async () => { await closeAll(browser, bob, server); });

describe('check out work for offline hours', () => {
  it('leases N items to this desk for H hours, from the keyboard', async () => {
    const { page } = ui;
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').fill('Check out work for offline');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bundle-checkout-count');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('3');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('48');
    await page.getByTestId('bundle-checkout-here').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('bundle-message').textContent()).toMatch(/Checked out 3 item\(s\) to this desk for 48 h/);
    const status = await pollUntil('3 assigned', () => bob.call<SyncStatus>('sync.status'), (s) => s.assigned === 3);
    expect(status.assigned).toBe(3);
    const { rows } = await bob.call<QueuePage>('queue.page', { limit: 10 });
    for (const r of rows) {
      const { item } = await bob.call<ItemDetail>('item.get', { itemId: r.id });
      expect(Date.parse(item.leaseExpiresAt!) - Date.now()).toBeGreaterThan(47.9 * 3600_000);
    }
  });

  it('or hands them over as a signed work bundle (a download)', async () => {
    const { page } = ui;
    const download = page.waitForEvent('download');
    await page.getByTestId('bundle-checkout').getByRole('button', { name: 'Check out as a file' }).click();
    const got = await download;
    expect(got.suggestedFilename()).toMatch(/^work-bob-.*\.bundle$/);
    const path = await got.path();
    expect(readFileSync(path!).subarray(0, 13).toString()).toBe('manifest.json');
    await expect.poll(() => page.getByTestId('bundle-message').textContent()).toMatch(/Checked out 3 item\(s\) until/);
    expect(ui.errors).toEqual([]);
  });
});
