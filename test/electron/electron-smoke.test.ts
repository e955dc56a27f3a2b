// The real app in the real Electron binary, driven by Playwright's _electron: launch on the embedded demo
// server, sign in as alice (main does it via session.connectDemo), decide one item from the keyboard, check
// the decision reached the server, quit. Runs wherever the Electron binary exists; where it does not
// (its download is blocked on the build machines) it reports itself skipped, with the reason, in its name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication } from 'playwright-core';
import { ensureBuilt } from '../../scripts/build';
import { electronBinary } from '../../scripts/electron-binary';
import { startTestServer, type TestServer } from '../helpers/server';
import { serverEvents } from '../e2e/server-records';

const ROOT = path.resolve(__dirname, '..', '..');

const binary = electronBinary(ROOT);
const skipReason = binary
  ? null
  : 'the Electron binary is not installed (node_modules/electron/dist is missing: its download is blocked on this machine); this test runs wherever `npx install-electron` could fetch it';
if (skipReason) console.warn(`[electron-smoke] skipped: ${skipReason}`);

let app: ElectronApplication | undefined;
let server: TestServer | undefined;
let userData: string | undefined;

afterAll(async () => {
  await app?.close().catch(() => {});
  await server?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

describe(skipReason ? `Electron smoke (skipped: ${skipReason})` : 'Electron smoke (real binary)', () => {
  it.skipIf(skipReason !== null)('launches, signs in to the demo, decides one item from the keyboard, and quits', async () => {
    await ensureBuilt({ electron: true, quiet: true });
    server = await startTestServer({ seed: 'demo' });
    userData = mkdtempSync(path.join(tmpdir(), 'desk-electron-'));
    app = await _electron.launch({
      executablePath: binary!,
      args: [path.join(ROOT, 'dist', 'electron', 'main.cjs'), `--demo-server=${server.url}`, `--user-data-dir=${userData}`],
      cwd: ROOT,
      timeout: 60_000,
    });
    const page = await app.firstWindow();
    expect(page.url()).toBe('app://desk/index.html');
    await page.waitForFunction(() => document.body.dataset.view === 'triage' && !!document.body.dataset.focusedItemId, null, { timeout: 60_000 });
    const first = await page.evaluate(() => document.body.dataset.focusedItemId!);
    // The renderer sees window.desk and nothing of Node or Electron.
    expect(await page.evaluate(() => [typeof (window as unknown as { desk?: unknown }).desk, typeof (window as unknown as { require?: unknown }).require, typeof (window as unknown as { process?: unknown }).process])).toEqual(['object', 'undefined', 'undefined']);
    await page.keyboard.press('a');
    await page.waitForFunction((id) => document.body.dataset.focusedItemId !== id, first, { timeout: 30_000 });
    await expect
      .poll(() => serverEvents(server!.dbFile, [first], ['decided']).length, { timeout: 60_000, interval: 500 })
      .toBe(1);
    await app.close();
    app = undefined;
  });
});
