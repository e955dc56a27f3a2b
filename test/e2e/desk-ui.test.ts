// The renderer's primitives in real Chromium (issue 9 item 7): the queue grid's column model from
// @tanstack/react-table (sorting, visibility, sizing, all by keyboard) and the one dialog primitive
// (Radix: focus moved in and trapped, Esc closes, focus restored).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, keys, launchChromium, openTriage, startDesk, type Desk, type OpenPage } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let ui: OpenPage;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { core: { autoSync: false } });
  await alice.call('sync.now');
  ui = await openTriage(browser, alice, 5);
}, 120_000);

afterAll(() => closeAll(browser, alice, server));

const activeTestId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);
/** Polls wait as long as a loaded machine needs (sorting re-queries the core). */
const T = { timeout: 10_000 };
const colWidth = async (page: Page, id: string) => Number(await page.getByTestId(`queue-col-${id}`).getAttribute('data-width'));

describe('queue grid columns (react-table)', () => {
  it('sorts from the header, hides and shows a column, and resizes one with the keyboard', async () => {
    const { page } = ui;
    await keys(page, 'g', 'q');
    await expect.poll(() => bodyView(page), T).toBe('queue');
    await page.getByTestId('queue-row').first().waitFor();

    const sortAge = page.getByTestId('queue-sort-age');
    await sortAge.click();
    await expect.poll(() => page.getByTestId('queue-col-age').getAttribute('aria-sort'), T).toBe('ascending');
    expect(await page.getByTestId('queue-col-slaDue').getAttribute('aria-sort')).toBe('none');
    await sortAge.click();
    await expect.poll(() => page.getByTestId('queue-col-age').getAttribute('aria-sort'), T).toBe('descending');

    await page.getByTestId('queue-columns').locator('summary').click();
    await page.getByTestId('queue-column-toggle-queue').uncheck();
    await expect.poll(() => page.getByTestId('queue-col-queue').count(), T).toBe(0);
    expect(await page.getByTestId('queue-grid').getAttribute('aria-colcount')).toBe('7');
    expect(await page.getByTestId('queue-row').first().locator('[role="gridcell"]').count()).toBe(7);
    await page.getByTestId('queue-column-toggle-queue').check();
    await expect.poll(() => page.getByTestId('queue-col-queue').count(), T).toBe(1);

    const before = await colWidth(page, 'class');
    await page.getByTestId('queue-col-resizer-class').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => colWidth(page, 'class'), T).toBe(before + 32);
    const box = await page.getByTestId('queue-col-class').boundingBox();
    expect(Math.round(box!.width)).toBe(before + 32); // the rows' grid tracks follow the size
    const cell = await page.getByTestId('queue-row').first().locator('.col-class').boundingBox();
    expect(Math.round(cell!.width)).toBe(before + 32);
    expect(await bodyView(page)).toBe('queue'); // the arrows did not leak to the window's keys
    await page.keyboard.press('Enter');
    await expect.poll(() => colWidth(page, 'class'), T).toBe(before);
  });
});

describe('the dialog primitive', () => {
  it('moves focus in, keeps Tab inside, closes on Esc and gives focus back', async () => {
    const { page } = ui;
    await keys(page, 'g', 't');
    await expect.poll(() => bodyView(page), T).toBe('triage');
    await page.keyboard.press('n'); // the note editor: a textarea and buttons
    await page.getByTestId('note-editor').waitFor();
    expect(await activeTestId(page)).toBe('note-text');
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="note-editor"]'))).toBe(true);
    }
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="note-editor"]'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('note-editor').count(), T).toBe(0);
    expect(await page.evaluate(() => !document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    // Keys work again once the dialog is gone.
    await page.keyboard.press('?');
    await page.getByTestId('help-dialog').waitFor();
    await page.mouse.click(5, 5); // a press outside closes too
    await expect.poll(() => page.getByTestId('help-dialog').count(), T).toBe(0);
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors).toEqual([]);
  });
});
