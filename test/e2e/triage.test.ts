// Keyboard triage end to end: real Chromium on browser mode, alice's real core, the real reference
// server. Every decision is checked where it lands: in the server's database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ItemDetail } from '../../shared/desk-api';
import { startTestServer } from '../helpers/server';
import {
  closeAll, focusedItemId, launchChromium, openDeskPage, openTriage, screenshot, startDesk, waitForFocusedChange,
  waitForSynced, type Desk, type OpenPage,
} from './harness';
import { serverEvents, serverItem } from './server-records';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let olivia: Desk | undefined;
let ui: OpenPage;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { settings: { claimTargetSize: 100 } });
  ui = await openTriage(browser, alice, 60);
}, 120_000);

afterAll(() => closeAll(browser, olivia, alice, server));

describe('triage with the keyboard', () => {
  it('triages 50 items with the keyboard alone; the server then holds 50 outcomes with labor', async () => {
    const { page } = ui;
    await screenshot(page, 'triage');
    const decided: string[] = [];
    let current = (await focusedItemId(page))!;
    for (let i = 0; i < 50; i++) {
      decided.push(current);
      await page.keyboard.press('a');
      current = await waitForFocusedChange(page, current);
    }
    expect(new Set(decided).size).toBe(50);
    await waitForSynced(alice);

    const outcomes = serverEvents(server.dbFile, decided, ['decided']);
    expect(outcomes.map((e) => e.itemId).sort()).toEqual([...decided].sort());
    for (const e of outcomes) {
      expect(e.payload.labor, `labor of ${e.itemId}`).toBeTruthy();
      expect(e.payload.labor!.wallMs).toBeGreaterThan(0);
      expect(e.payload.labor!.segments).toBeGreaterThanOrEqual(1);
    }
    expect(outcomes.filter((e) => e.payload.labor!.activeMs > 0).length).toBeGreaterThanOrEqual(45);
    for (const id of decided) {
      const item = serverItem(server.dbFile, id);
      expect(item?.status).toBe('resolved');
      expect(item?.outcome).toMatchObject({ kind: 'approve' });
    }
  });

  it('rejects with a reason picked by its number', async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    await page.keyboard.press('r');
    const picker = page.getByTestId('reason-picker');
    await picker.waitFor();
    await expect.poll(() => picker.getByTestId('reason-option-1').textContent()).toContain(detail.queue!.reasonCodes[0].label);
    await screenshot(page, 'triage-reason-picker');
    await page.keyboard.press('1');
    await waitForFocusedChange(page, id);
    await waitForSynced(alice);
    expect(serverItem(server.dbFile, id)?.outcome).toMatchObject({ kind: 'reject', reasonCode: detail.queue!.reasonCodes[0].code });
  });

  it('corrects with an edited output (Ctrl+Enter saves) and shows what changed', async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    await page.keyboard.press('c');
    const editor = page.getByTestId('correct-editor');
    await editor.waitFor();
    const field = editor.locator('[data-testid^="correct-field-"]').first();
    const original = await field.inputValue();
    const edited = /^-?\d+(\.\d+)?$/.test(original) ? String(Number(original) + 7) : `${original} (checked)`;
    await field.fill(edited);
    await expect.poll(() => editor.getByTestId('correct-diff').textContent()).toContain(edited);
    await screenshot(page, 'triage-correct-editor');
    await page.keyboard.press('Control+Enter');
    await waitForFocusedChange(page, id);
    await waitForSynced(alice);
    const outcome = serverItem(server.dbFile, id)?.outcome as { kind: string; correctedOutput: Record<string, unknown> };
    expect(outcome.kind).toBe('correct');
    expect(outcome.correctedOutput).not.toEqual(detail.item.output);
    expect(JSON.stringify(outcome.correctedOutput)).toContain(edited);
  });

  it("escalates with a reason, and the item appears on the owner's (olivia's) desk", async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    await page.keyboard.press('e');
    await page.getByTestId('reason-picker').waitFor();
    await page.keyboard.press('1');
    await waitForFocusedChange(page, id);
    await waitForSynced(alice);
    const row = serverItem(server.dbFile, id)!;
    expect(row.status).toBe('escalated');

    olivia = await startDesk(server.url, 'olivia');
    await expect
      .poll(async () => (await olivia!.call<{ rows: { id: string }[] }>('queue.page', { filter: { text: detail.item.title }, limit: 1000 })).rows.map((r) => r.id), { timeout: 30_000 })
      .toContain(id);
    const oliviaUi = await openDeskPage(browser, olivia);
    try {
      await oliviaUi.page.keyboard.press('g');
      await oliviaUi.page.keyboard.press('q');
      await expect.poll(() => oliviaUi.page.evaluate(() => document.body.dataset.view)).toBe('queue');
      // The queue's code loads lazily (half a second on a page just opened): type once the view is there.
      await oliviaUi.page.getByTestId('view-queue').waitFor();
      await oliviaUi.page.keyboard.press('/');
      await oliviaUi.page.keyboard.type(detail.item.title);
      // The typed title went to the filter box (not to the shortcuts), and the rows are the filtered ones.
      await expect.poll(() => oliviaUi.page.getByTestId('queue-filter-text').inputValue()).toBe(detail.item.title);
      await expect.poll(() => oliviaUi.page.getByTestId('queue-total').textContent()).toMatch(/^\d+ open items$/);
      await expect.poll(() => oliviaUi.page.locator('[data-item-id]').count()).toBeLessThan(50);
      await oliviaUi.page.locator(`[data-item-id="${id}"]`).first().waitFor({ timeout: 10_000 });
      await screenshot(oliviaUi.page, 'queue-olivia-escalation');
    } finally {
      await oliviaUi.context.close();
    }
  });

  it('loaded without a CSP violation or page error', () => {
    expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
