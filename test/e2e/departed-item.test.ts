// The item on screen is the item decided (issue 8 item 1), in real Chromium against a real core and
// server: a supervisor reassigns the focused item, the desk pulls it an instant before the reviewer
// presses `a`, and the approval must not land on the next item. Automatic sync is off (a real core
// option) so the pull happens exactly when the test says, right before the key press.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/desk-api';
import { CentralClient } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import { closeAll, focusedItemId, launchChromium, openTriage, screenshot, startDesk, waitForFocusedChange, type Desk, type OpenPage } from './harness';
import { serverEvents } from './server-records';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let ui: OpenPage;

const departedOf = (page: Page) => page.evaluate(() => document.querySelector('[data-testid="triage-departed"]')?.getAttribute('data-departure') ?? null);

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { core: { autoSync: false } });
  await alice.call('sync.now');
  ui = await openTriage(browser, alice, 5);
}, 120_000);

afterAll(() => closeAll(browser, alice, server));

async function reassignToBob(itemId: string): Promise<void> {
  const bobId = (await new CentralClient(server.url, 'demo-bob').me()).id;
  await new CentralClient(server.url, 'demo-sam').assign({ itemIds: [itemId], assigneeId: bobId });
}

describe('a reassignment pulled just before `a`', () => {
  it('decides nothing: the item stays on screen with why, and the next key acts on the notice', async () => {
    const { page } = ui;
    // Let the look-ahead fill, so the fast path (next item painted from cache) is what races.
    await page.waitForSelector('[data-testid="triage-position"]');
    const shown = (await focusedItemId(page))!;
    await reassignToBob(shown);
    await alice.call('sync.now'); // the pull lands in the core; its event is on its way to the page
    await page.keyboard.press('a'); // at once, before or after the page heard of it

    await expect.poll(() => departedOf(page), { timeout: 10_000 }).toBe('reassigned');
    expect(await focusedItemId(page)).toBe(shown);
    await expect.poll(() => page.getByTestId('triage-departed').textContent()).toMatch(/reassigned to someone else/);
    await screenshot(page, 'triage-departed');
    const status = await alice.call<SyncStatus>('sync.status');
    expect(status.pending).toBe(0); // nothing reached the outbox, for this item or any other

    // The next key press (once the notice has stood long enough to be read) acknowledges: it moves on and decides nothing.
    await page.waitForSelector('[data-testid="triage-departed"][data-armed="true"]');
    await page.keyboard.press('a');
    const next = await waitForFocusedChange(page, shown);
    expect(await departedOf(page)).toBeNull();
    expect((await alice.call<SyncStatus>('sync.status')).pending).toBe(0);

    // Only now does `a` decide, and it decides the item on screen.
    await page.keyboard.press('a');
    await waitForFocusedChange(page, next);
    expect((await alice.call<SyncStatus>('sync.status')).pending).toBe(1);
    await alice.call('sync.now');
    expect(serverEvents(server.dbFile, [shown], ['decided'])).toEqual([]);
    expect(serverEvents(server.dbFile, [next], ['decided']).map((e) => e.itemId)).toEqual([next]);
  });

  it('a key press on the notice never reaches the next item, whatever key it is', async () => {
    const { page } = ui;
    const shown = (await focusedItemId(page))!;
    await reassignToBob(shown);
    await alice.call('sync.now');
    await expect.poll(() => departedOf(page), { timeout: 10_000 }).toBe('reassigned');
    await page.waitForSelector('[data-testid="triage-departed"][data-armed="true"]');
    await page.keyboard.press('j');
    const next = await waitForFocusedChange(page, shown);
    expect(next).not.toBe(shown);
    expect((await alice.call<SyncStatus>('sync.status')).pending).toBe(0);
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors).toEqual([]);
  });
});
