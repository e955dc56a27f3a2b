// The weekly review's file buttons in real Chromium (browser mode, demo data), keyboard only, against the
// shell's seam: with a `window.deskFiles` standing in for the Electron preload, Export goes to
// deskFiles.save and Print / Save as PDF to deskFiles.printToPdf (with the pack's name), and the shell's
// answer is the toast; without it, Print opens the browser's print dialog (window.print).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';
import { closeAll, launchChromium, openDeskPage, startDesk, type Desk } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let olivia: Desk;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  olivia = await startDesk(server.url, 'olivia');
}, 180_000);
afterAll(() => closeAll(browser, olivia, server));

type Calls = { save: unknown[]; printToPdf: unknown[]; print: number };
const calls = (page: Page) => page.evaluate(() => (window as unknown as { __calls: Calls }).__calls);

async function openWeekly(page: Page) {
  await page.keyboard.press('g');
  await page.keyboard.press('w');
  await page.getByTestId('weekly-pack').waitFor({ timeout: 20_000 });
}

async function press(page: Page, testId: string) {
  await page.getByTestId(testId).focus();
  await page.keyboard.press('Enter');
}

describe('the weekly review with a shell that offers window.deskFiles', () => {
  it('exports through deskFiles.save, prints through deskFiles.printToPdf, and toasts the answer', async () => {
    const ui = await openDeskPage(browser, olivia, {
      beforeLoad: (page) =>
        page.addInitScript(() => {
          const c = { save: [] as unknown[], printToPdf: [] as unknown[], print: 0 };
          (window as unknown as { __calls: typeof c }).__calls = c;
          window.print = () => void c.print++;
          (window as unknown as { deskFiles: unknown }).deskFiles = {
            save: async (f: { suggestedName: string }) => (c.save.push(f), { status: 'saved', path: `/home/o/${f.suggestedName}`, message: `Saved /home/o/${f.suggestedName}` }),
            printToPdf: async (o: unknown) => (c.printToPdf.push(o), { status: 'cancelled', message: 'Not saved: the save dialog was cancelled.' }),
          };
        }),
    });
    try {
      const { page } = ui;
      await openWeekly(page);
      const pack = page.getByTestId('weekly-pack');
      const week = await pack.getAttribute('data-week');
      const owner = await pack.getAttribute('data-owner-id');

      await press(page, 'weekly-export-md');
      await expect.poll(async () => (await calls(page)).save.length, { timeout: 10_000 }).toBe(1);
      const saved = (await calls(page)).save[0] as { suggestedName: string; contentType: string; content: string };
      expect(saved.suggestedName).toMatch(/\.md$/);
      expect(saved.contentType).toMatch(/^text\/markdown/);
      expect(saved.content).toContain(week!);
      await expect.poll(() => page.getByTestId('toast').last().textContent()).toContain(`Saved /home/o/${saved.suggestedName}`);

      expect(await page.getByTestId('weekly-print').textContent()).toBe('Print / Save as PDF');
      await press(page, 'weekly-print');
      await expect.poll(async () => (await calls(page)).printToPdf, { timeout: 10_000 }).toEqual([{ suggestedName: `weekly-review-${owner}-${week}.pdf` }]);
      await expect.poll(() => page.getByTestId('toast').last().textContent()).toContain('the save dialog was cancelled');
      expect((await calls(page)).print).toBe(0);
    } finally {
      await ui.context.close();
    }
  });
});

describe('the weekly review in a plain browser', () => {
  it('Print / Save as PDF opens the browser print dialog', async () => {
    const ui = await openDeskPage(browser, olivia, {
      beforeLoad: (page) =>
        page.addInitScript(() => {
          const c = { save: [] as unknown[], printToPdf: [] as unknown[], print: 0 };
          (window as unknown as { __calls: typeof c }).__calls = c;
          window.print = () => void c.print++;
        }),
    });
    try {
      const { page } = ui;
      await openWeekly(page);
      await press(page, 'weekly-print');
      await expect.poll(async () => (await calls(page)).print, { timeout: 10_000 }).toBe(1);
    } finally {
      await ui.context.close();
    }
  });
});
