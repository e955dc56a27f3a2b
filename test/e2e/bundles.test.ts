// Restricted sites through the UI (DESIGN §11), in real Chromium: with the server gone, a work bundle made
// by the server CLI is imported from the command palette (file picker), its items are decided from the
// keyboard, the decisions bundle is exported as a download, the server CLI imports it, and the receipt
// imported from the palette settles the outbox. Every decision lands on the server exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleStatus } from '../../shared/desk-bundles';
import type { SyncStatus } from '../../shared/desk-api';
import { bundleCommand } from '../../server/bundle-cli';
import { spawnServer } from '../helpers/server';
import { closeAll, focusedItemId, keys, launchChromium, openDeskPage, pollUntil, screenshot, startDesk, waitForFocusedChange, type Desk, type OpenPage } from './harness';

let dir: string;
let dbFile: string;
let browser: Browser;
let server: Awaited<ReturnType<typeof spawnServer>>;
let alice: Desk;
let ui: OpenPage;

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.getByTestId('palette-input').fill(command);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-e2e-bundles-'));
  dbFile = join(dir, 'central.sqlite');
  browser = await launchChromium();
  server = await spawnServer({ dbFile, port: 0, seed: 'demo' });
  // No automatic sync: the desk holds only what the bundle brings.
  alice = await startDesk(server.url, 'alice', { core: { autoSync: false } });
  await pollUntil('the device key to be registered', () => alice.call<BundleStatus>('bundles.status'), (s) => s.deviceRegistered);
  await server.kill('SIGTERM');
  ui = await openDeskPage(browser, alice, { view: 'triage' });
}, 120_000);

afterAll(async () => {
  await closeAll(browser, alice);
  if (server && server.child.exitCode === null) await server.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('work in and decisions out as files, from the keyboard', () => {
  const decided: string[] = [];

  it('imports a work bundle from the palette and shows the lease', async () => {
    const { page } = ui;
    const work = join(dir, 'work.bundle');
    await bundleCommand(['checkout', '--user', 'alice', '--count', '5', '--hours', '24', '--out', work, '--db', dbFile]);
    const chooser = page.waitForEvent('filechooser');
    await palette(page, 'Import work bundle');
    await (await chooser).setFiles(work);
    await expect.poll(() => page.getByTestId('bundle-message').textContent()).toMatch(/Imported 5 item\(s\) from work\.bundle/);
    await expect.poll(() => page.getByTestId('bundle-badge').textContent()).toMatch(/Bundle · 23 h \d+ min left/);
    expect(await page.getByTestId('bundle-work-status').textContent()).toMatch(/5 of 5 item\(s\) still to decide/);
    await screenshot(page, 'bundles-imported');
  });

  it('decides the items offline and exports the decisions as a download', async () => {
    const { page } = ui;
    await keys(page, 'g', 't');
    let current = await waitForFocusedChange(page, null);
    for (let i = 0; i < 5; i++) {
      decided.push(current);
      await page.keyboard.press('a');
      if (i < 4) current = await waitForFocusedChange(page, current);
    }
    await pollUntil('5 pending', () => alice.call<SyncStatus>('sync.status'), (s) => s.pending === 5);
    const download = page.waitForEvent('download');
    await palette(page, 'Export decisions bundle');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bundle-export-button');
    await page.keyboard.press('Enter');
    const file = join(dir, 'decisions.bundle');
    const got = await download;
    expect(got.suggestedFilename()).toMatch(/^decisions-alice-.*\.bundle$/);
    await got.saveAs(file);
    await expect.poll(() => page.getByTestId('bundle-message').textContent()).toMatch(/Exported 5 decision\(s\)/);
  });

  it('the server imports it once; the receipt settles the desk', async () => {
    const { page } = ui;
    const receipt = join(dir, 'receipt.bundle');
    expect(await bundleCommand(['import', join(dir, 'decisions.bundle'), '--db', dbFile, '--out', receipt])).toContain('5 applied, 0 duplicate');
    const db = new BetterSqlite3(dbFile, { readonly: true });
    const outcomes = decided.map((id) => (db.prepare(`SELECT COUNT(*) AS n FROM decisions WHERE item_id = ?`).get(id) as { n: number }).n);
    db.close();
    expect(outcomes).toEqual([1, 1, 1, 1, 1]);

    const chooser = page.waitForEvent('filechooser');
    await palette(page, 'Import receipt');
    await (await chooser).setFiles(receipt);
    await expect.poll(() => page.getByTestId('bundle-message').textContent()).toMatch(/Receipt: 5 decision\(s\) settled, 0 conflict\(s\), 0 rejected/);
    await expect.poll(async () => Number(await page.getByTestId('sync-pending').getAttribute('data-count'))).toBe(0);
    expect(await focusedItemId(page)).toBeNull();
    expect(ui.errors).toEqual([]);
  });
});
