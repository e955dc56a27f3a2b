// Design signals, the operations scorecard and the weekly review in real Chromium (browser mode, demo data),
// keyboard only: an owner decides a signal with a reason and marks the week reviewed; the exported Markdown
// and CSV parse and match the screen; a supervisor reads but does not decide; a reviewer reaches none of it;
// axe in light and dark; screenshots.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScorecardViewOutput, SignalsViewOutput, WeeklyViewOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import { bodyView, closeAll, launchChromium, openDeskPage, screenshot, startDesk, type Desk, type OpenPage } from './harness';
import { chord, lightAndDark } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let olivia: Desk;
let sam: Desk;
let alice: Desk;
let oliviaUi: OpenPage;

/** RFC 4180 enough for the pack: quoted fields with doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  olivia = await startDesk(server.url, 'olivia');
  sam = await startDesk(server.url, 'sam');
  alice = await startDesk(server.url, 'alice');
  oliviaUi = await openDeskPage(browser, olivia);
}, 180_000);
afterAll(() => closeAll(browser, olivia, sam, alice, server));

describe('a reviewer', () => {
  it('reaches neither view: g i and g w say why; the core refuses their methods', async () => {
    const ui = await openDeskPage(browser, alice);
    try {
      for (const [key, label] of [['i', 'Design signals'], ['w', 'Weekly review']] as const) {
        await chord(ui.page, key);
        await expect.poll(() => ui.page.getByTestId('toast').last().locator('.toast-text').textContent()).toBe(`${label} is not available to reviewer`);
        expect(await bodyView(ui.page)).toBe('triage');
      }
      await expect(alice.call('ops.signals', { window: '28d' })).rejects.toThrow(/forbidden/);
      await expect(alice.call('ops.weekly', {})).rejects.toThrow(/forbidden/);
    } finally {
      await ui.page.close();
    }
  });
});

describe('the owner', () => {
  it('g i shows the signals and the scorecard as the core answers them', async () => {
    const { page } = oliviaUi;
    await chord(page, 'i');
    await expect.poll(() => bodyView(page)).toBe('signals');
    await page.getByTestId('scorecard-workflow').first().waitFor({ timeout: 20_000 });
    const card = await olivia.call<ScorecardViewOutput>('ops.scorecard', { window: '28d' });
    const ratings = await page.getByTestId('scorecard-answer').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.rating));
    expect(ratings).toEqual(card.data.workflows.flatMap((w) => w.answers.map((a) => a.rating)));
    const sig = await olivia.call<SignalsViewOutput>('ops.signals', { window: '28d' });
    await expect.poll(() => page.getByTestId('signal').count()).toBe(sig.data.signals.length);
    // A scorecard answer explains itself on focus: what it counts.
    await page.getByTestId('scorecard-answer').first().locator('button').focus();
    await expect.poll(() => page.getByTestId('ops-explain').getAttribute('data-metric')).toBe('scorecard');
    expect(await page.getByTestId('ops-explain-definition').textContent()).toBe(card.data.workflows[0].answers[0].definition);
    await lightAndDark(page, 'ops-signals');
  });

  it('accepts a signal with a reason from the keyboard, when one fired', async () => {
    const { page } = oliviaUi;
    const sig = await olivia.call<SignalsViewOutput>('ops.signals', { window: '28d' });
    const mine = sig.data.signals.find((s) => s.ownerIds.includes('olivia') && s.status === 'open');
    if (!mine) {
      // Demo history without a signal of hers: the list says so, and nothing can be decided.
      expect(await page.getByTestId('signal-accept').count()).toBe(0);
      return;
    }
    const card = page.locator(`[data-testid="signal"][data-signal-id="${mine.id}"]`);
    await card.getByTestId('signal-accept').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('worth a pilot next sprint');
    await page.keyboard.press('Enter');
    await expect.poll(() => card.getAttribute('data-status')).toBe('accepted');
  });

  it('g w shows this week\'s pack; marks it reviewed with notes and an action item; exports that parse and match the screen', async () => {
    const { page } = oliviaUi;
    await chord(page, 'w');
    await expect.poll(() => bodyView(page)).toBe('weekly');
    const pack = page.getByTestId('weekly-pack');
    await pack.waitFor({ timeout: 20_000 });
    const core = await olivia.call<WeeklyViewOutput>('ops.weekly', {});
    expect(await pack.getAttribute('data-week')).toBe(core.data.pack.week);
    const queues = await page.getByTestId('weekly-sla-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.queueId!));
    expect(queues).toEqual(core.data.pack.controlPoints.map((c) => c.queueId));
    expect(queues.length).toBeGreaterThan(0);

    await page.getByTestId('weekly-notes-input').focus();
    await page.keyboard.type('SLA fine; kyc backlog watched.');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Ask vendor for clean tax ids');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('weekly-status').textContent(), { timeout: 10_000 }).toMatch(/Reviewed by olivia/);
    expect(await page.getByTestId('weekly-notes').textContent()).toBe('SLA fine; kyc backlog watched.');
    expect(await page.getByTestId('weekly-actions').textContent()).toContain('Ask vendor for clean tax ids');

    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('weekly-export-csv').focus();
    await page.keyboard.press('Enter');
    const csvFile = await csvDownload;
    expect(csvFile.suggestedFilename()).toMatch(/\.csv$/);
    const rows = parseCsv(readFileSync((await csvFile.path())!, 'utf8'));
    expect(rows.length).toBeGreaterThan(1);
    const width = rows[0].length;
    expect(rows.filter((r) => r.length > 1).every((r) => r.length === width), 'every CSV row has the header\'s width').toBe(true);
    const flat = rows.flat().join('\n');
    for (const q of queues) expect(flat, `the CSV names ${q}`).toContain(q);
    expect(flat).toContain('Ask vendor for clean tax ids');

    const mdDownload = page.waitForEvent('download');
    await page.getByTestId('weekly-export-md').focus();
    await page.keyboard.press('Enter');
    const mdFile = await mdDownload;
    expect(mdFile.suggestedFilename()).toMatch(/\.md$/);
    const md = readFileSync((await mdFile.path())!, 'utf8');
    expect(md).toMatch(/^# /m);
    expect(md).toContain(core.data.pack.week);
    for (const q of queues) expect(md).toContain(q);
    expect(md).toContain('SLA fine; kyc backlog watched.');
    await lightAndDark(page, 'ops-weekly');
    expect(oliviaUi.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

describe('the supervisor', () => {
  it('reads the signals, the scorecard and any owner\'s pack, and decides nothing', async () => {
    const ui = await openDeskPage(browser, sam);
    try {
      const { page } = ui;
      await chord(page, 'i');
      await expect.poll(() => bodyView(page)).toBe('signals');
      await page.getByTestId('scorecard-workflow').first().waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('signal-accept').count()).toBe(0);
      await chord(page, 'w');
      await expect.poll(() => bodyView(page)).toBe('weekly');
      await page.getByTestId('weekly-pack').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('weekly-owner').count()).toBe(1);
      expect(await page.getByTestId('weekly-mark').count()).toBe(0);
      await screenshot(page, 'ops-weekly-supervisor');
    } finally {
      await ui.page.close();
    }
  });
});
