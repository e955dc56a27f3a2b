// The renderer on the Electron transport, in real Chromium against a real core: a stand-in `window.desk`
// (what the preload exposes: <group>.<verb>, on(event)) forwards calls to browser mode's /rpc and events
// from its SSE stream, and lets the test send the shell events main would send (app.command,
// core.restarted, app.notice). Also: leaving triage is `triage.close`, not a window blur, and no labor
// is counted while the queue view is shown.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_METHOD_NAMES, type ItemDetail } from '../../shared/desk-api';
import { startTestServer } from '../helpers/server';
import {
  bodyView, closeAll, focusedItemId, launchChromium, openTriage, screenshot, startDesk, waitForFocusedChange, type Desk, type OpenPage,
} from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let ui: OpenPage;
let page: Page;

/** Runs in the page before the app: a window.desk shaped like the preload's, over browser mode. */
function installFakePreload(methods: string[]): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('launch') ?? '';
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: [string, unknown][] = [];
  const w = window as unknown as Record<string, unknown>;
  w.__deskCalls = calls;
  w.__shell = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  const source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
  for (const name of ['sync.status', 'queue.changed', 'session.changed']) {
    source.addEventListener(name, (e) => listeners.get(name)?.forEach((l) => l(JSON.parse((e as MessageEvent<string>).data))));
  }
  const desk: Record<string, unknown> = {
    on(event: string, listener: (p: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  for (const method of methods) {
    const [group, verb] = method.split('.');
    const g = (desk[group] ??= {}) as Record<string, unknown>;
    g[verb] = async (input: unknown = {}) => {
      calls.push([method, input]);
      const res = await fetch(`/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
      return res.json();
    };
  }
  w.desk = desk;
}

const shell = (name: string, payload: unknown) => page.evaluate(([n, p]) => (window as unknown as { __shell(n: string, p: unknown): void }).__shell(n, p), [name, payload] as const);
const calls = () => page.evaluate(() => (window as unknown as { __deskCalls: [string, unknown][] }).__deskCalls.slice());
const clearCalls = () => page.evaluate(() => void ((window as unknown as { __deskCalls: unknown[] }).__deskCalls.length = 0));
const laborOf = async (id: string) => (await alice.call<ItemDetail>('item.get', { itemId: id })).laborActiveMs;
const toastText = () => page.getByTestId('toasts').textContent();
const go = async (key: string, view: string) => {
  await page.keyboard.press('g');
  await page.keyboard.press(key);
  await expect.poll(() => bodyView(page)).toBe(view);
};
/** Moves the mouse for `ms`: input the labor clock would count if an item were focused. */
async function busyFor(ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (let x = 10; Date.now() < end; x = (x % 600) + 37) {
    await page.mouse.move(300 + x, 400);
    await page.waitForTimeout(150);
  }
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { settings: { claimTargetSize: 20 } });
  ui = await openTriage(browser, alice, 10, {
    viewport: { width: 1280, height: 800 },
    beforeLoad: (p) => p.addInitScript(installFakePreload, DESK_METHOD_NAMES as string[]),
  });
  page = ui.page;
}, 120_000);

afterAll(() => closeAll(browser, alice, server));

describe('Electron transport: labor across views', () => {
  it('the page talks through window.desk, not browser mode’s client', async () => {
    const methods = (await calls()).map(([m]) => m);
    expect(methods).toContain('app.boot'); // the boot's one read (session, settings, first item)
    expect(methods).toContain('triage.open');
  });

  it('leaving triage closes it (no blur); labor stops in the queue view and runs again back in triage', async () => {
    const decided = (await focusedItemId(page))!;
    await page.keyboard.press('a');
    const id = await waitForFocusedChange(page, decided);
    await busyFor(1200);
    const inTriage = await laborOf(id);
    expect(inTriage).toBeGreaterThan(500);

    await clearCalls();
    await go('q', 'queue');
    await expect.poll(async () => (await calls()).some(([m]) => m === 'triage.close')).toBe(true);
    expect((await calls()).filter(([m, i]) => m === 'labor.signal' && (i as { signal: string }).signal === 'blur')).toEqual([]);
    const atLeave = await laborOf(id);
    await busyFor(1500);
    expect(await laborOf(id)).toBe(atLeave);

    // Undo from the queue view brings the decided item back into triage, but must not focus it here.
    await page.keyboard.press('z');
    await expect.poll(toastText).toContain('Undid approve');
    await expect.poll(async () => (await calls()).some(([m, i]) => m === 'item.get' && (i as { itemId: string }).itemId === decided)).toBe(true);
    const undoneAtUndo = await laborOf(decided);
    await busyFor(1200);
    expect(await laborOf(decided)).toBe(undoneAtUndo);
    expect(await laborOf(id)).toBe(atLeave);
    expect((await calls()).filter(([m]) => m === 'triage.open')).toEqual([]);

    await clearCalls();
    await go('t', 'triage');
    expect(await focusedItemId(page)).toBe(decided);
    await expect.poll(async () => (await calls()).some(([m, i]) => m === 'triage.open' && (i as { itemId: string }).itemId === decided)).toBe(true);
    await busyFor(1200);
    expect(await laborOf(decided)).toBeGreaterThan(undoneAtUndo + 500);
  });
});

describe('settings send only what changed', () => {
  it('a number, the theme and a key remap each send a patch of their own key', async () => {
    await go(',', 'settings');
    await clearCalls();
    const lease = page.getByTestId('settings-lease');
    await lease.fill('45');
    await lease.press('Enter');
    await page.getByTestId('settings-theme').getByText('Dark').click();
    await page.getByTestId('settings-theme').getByText('Dark').click(); // already dark: nothing to send
    await page.getByTestId('keymap-record-decide.defer').click();
    await page.keyboard.press('y');
    const sets = async () => (await calls()).filter(([m]) => m === 'settings.set').map(([, i]) => i);
    await expect.poll(sets, { timeout: 5_000 }).toEqual([{ leaseMinutes: 45 }, { theme: 'dark' }, { keymap: { 'decide.defer': ['d', 'y'] } }]);
    await lease.fill('45');
    await lease.press('Enter');
    // Unchanged: nothing is sent. A later change proves the form sends in order, so the 45 would be here by now.
    await lease.fill('46');
    await lease.press('Enter');
    await expect.poll(sets, { timeout: 5_000 }).toHaveLength(4);
    expect((await sets())[3]).toEqual({ leaseMinutes: 46 });
    expect((await alice.call<{ leaseMinutes: number; claimTargetSize: number }>('settings.get'))).toMatchObject({ leaseMinutes: 46, claimTargetSize: 20 });
    await alice.call('settings.set', { theme: 'system', keymap: {}, leaseMinutes: 30 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys do not fire in a field
    await go('t', 'triage');
  });
});

describe('shell events', () => {
  it('app.command runs a keymap action from the menu, and refuses a decision outside triage', async () => {
    await shell('app.command', { command: 'go.sync' });
    await expect.poll(() => bodyView(page)).toBe('sync');
    await shell('app.command', { command: 'decide.approve' });
    await expect.poll(toastText).toContain('Approve works in Triage');
    await shell('app.command', { command: 'go.triage' });
    await expect.poll(() => bodyView(page)).toBe('triage');
    const before = (await focusedItemId(page))!;
    await shell('app.command', { command: 'decide.approve' });
    await waitForFocusedChange(page, before);
    await expect.poll(toastText).toContain('Approved');
  });

  it('core.restarted reloads session, sync, conflicts and the shown item, with a polite notice', async () => {
    const id = (await focusedItemId(page))!;
    await clearCalls();
    await shell('core.restarted', { restarts: 1, reason: 'core process exited with code 9', gaveUp: false });
    await expect.poll(toastText).toContain('background process restarted');
    await expect
      .poll(async () => {
        const seen = (await calls()).map(([m, i]) => (m === 'triage.open' ? `${m}:${(i as { itemId: string }).itemId}` : m));
        return ['session.get', 'settings.get', 'sync.status', 'conflicts.list', `triage.open:${id}`, 'labor.signal'].filter((m) => !seen.includes(m));
      })
      .toEqual([]);
    expect(await page.getByRole('status', { name: 'Notifications' }).count()).toBe(1);
    // The new core was told the window is focused and visible, and the shown item's labor runs again.
    const before = await laborOf(id);
    await busyFor(1200);
    expect(await laborOf(id)).toBeGreaterThan(before + 500);
  });

  it('app.notice and a core that gave up show notices that stay until dismissed', async () => {
    await shell('app.notice', { level: 'warning', code: 'secrets_session_only', message: 'No OS keyring: your sign-in is kept in memory only until the app quits.' });
    await shell('core.restarted', { restarts: 3, reason: 'core process exited with code 9', gaveUp: true });
    await shell('app.notice', { level: 'error', code: 'core_down', message: 'The desk core stopped and could not be restarted. Restart the app.' });
    const notices = page.getByTestId('notice');
    await expect.poll(() => notices.count()).toBe(2); // core_down once, however many times it is told
    expect(await page.locator('[data-testid="notice"][data-code="core_down"]').getAttribute('role')).toBe('alert');
    expect(await page.locator('[data-testid="notice"][data-code="secrets_session_only"]').getAttribute('role')).toBe('status');
    await screenshot(page, 'shell-notices');
    await page.locator('[data-testid="notice"][data-code="secrets_session_only"]').getByRole('button', { name: /Dismiss/ }).click();
    await expect.poll(() => notices.count()).toBe(1);
  });

  it('a malformed shell event is ignored, and nothing broke on the way', async () => {
    await shell('app.notice', { level: 'shout', code: 'x', message: 'y' });
    await shell('app.command', { command: '' });
    // Shell events arrive in order: once a later, valid notice is shown, the malformed ones were handled.
    await shell('app.notice', { level: 'info', code: 'after_malformed', message: 'delivered after the malformed ones' });
    await expect.poll(() => page.locator('[data-testid="notice"][data-code="after_malformed"]').count()).toBe(1);
    expect(await page.locator('[data-testid="notice"][data-code="x"]').count()).toBe(0);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
