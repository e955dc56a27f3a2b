// Offline is a normal state (DESIGN §7): the server (a child process) stops, the status bar says
// offline and deciding goes on; the server comes back on the same database and port and the outbox
// drains without a click.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/server';
import {
  closeAll, focusedItemId, launchChromium, openTriage, screenshot, startDesk, waitForFocusedChange, waitForSynced,
  type Desk, type OpenPage,
} from './harness';
import { serverEvents } from './server-records';

let dir: string;
let dbFile: string;
let browser: Browser;
let server: Awaited<ReturnType<typeof spawnServer>>;
let alice: Desk;
let ui: OpenPage;

const syncState = (page: Page) => page.getByTestId('status-bar').getAttribute('data-sync-state');
const pendingShown = async (page: Page) => Number(await page.getByTestId('sync-pending').getAttribute('data-count'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-e2e-offline-'));
  dbFile = join(dir, 'central.sqlite');
  browser = await launchChromium();
  server = await spawnServer({ dbFile, port: 0, seed: 'demo' });
  // Retry quickly so the drain after the restart shows up within the test's patience.
  alice = await startDesk(server.url, 'alice', { core: { syncIntervalMs: 1000 } });
  ui = await openTriage(browser, alice, 10);
}, 120_000);

afterAll(async () => {
  await closeAll(browser, alice);
  if (server && server.child.exitCode === null) {
    await server.kill('SIGTERM');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('offline and back', () => {
  const decidedOffline: string[] = [];

  it('says offline when the server stops, and deciding goes on', async () => {
    const { page } = ui;
    await server.kill('SIGTERM');
    let current = (await focusedItemId(page))!;
    for (let i = 0; i < 4; i++) {
      decidedOffline.push(current);
      await page.keyboard.press('a');
      current = await waitForFocusedChange(page, current);
    }
    await expect.poll(() => syncState(page), { timeout: 30_000 }).toBe('offline');
    await expect.poll(() => pendingShown(page)).toBe(4);
    await screenshot(page, 'status-offline');
  });

  it('drains the outbox by itself when the server is back on the same database', async () => {
    const { page } = ui;
    server = await spawnServer({ dbFile, port: server.port });
    await expect.poll(() => pendingShown(page), { timeout: 45_000 }).toBe(0);
    await expect.poll(() => syncState(page), { timeout: 30_000 }).not.toBe('offline');
    await waitForSynced(alice);
    const outcomes = serverEvents(dbFile, decidedOffline, ['decided']);
    expect(outcomes.map((e) => e.itemId).sort()).toEqual([...decidedOffline].sort());
    expect(outcomes.every((e) => e.payload.labor)).toBe(true);
    await screenshot(page, 'status-back-online');
  });
});
