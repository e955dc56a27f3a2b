// The supervisor's and owner's views in real Chromium (browser mode, demo data), keyboard only: a
// reviewer reaches none of them; an owner decides escalations in their own inbox with the triage keys;
// axe scans in light and dark; screenshots in test-artifacts/screenshots.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueuePage } from '../../shared/desk-api';
import type { Queue } from '../../shared/domain';
import type { EscalationsOutput } from '../../shared/ops-desk';
import { startTestServer } from '../helpers/server';
import {
  bodyView, closeAll, launchChromium, openDeskPage, pollUntil, screenshot, startDesk, waitForAssigned, waitForSynced,
  type Desk, type OpenPage,
} from './harness';
import { chord, expectAccessible } from './ops-steps';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let olivia: Desk;
let aliceUi: OpenPage;
let oliviaUi: OpenPage;
const escalated: string[] = [];
const approved: string[] = [];
let rollbackQueue = '';
let serverClosed = false;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { settings: { claimTargetSize: 60 } });
  olivia = await startDesk(server.url, 'olivia', { settings: { claimTargetSize: 10 } });
  // alice escalates three items of queues olivia owns, with a note on each.
  await waitForAssigned(alice, 60);
  const { queues } = await alice.call<{ queues: Queue[] }>('queue.list');
  const owned = new Map(queues.filter((q) => q.ownerId === 'olivia').map((q) => [q.id, q]));
  const page = await alice.call<QueuePage>('queue.page', { limit: 60 });
  for (const row of page.rows.filter((r) => owned.has(r.queueId)).slice(0, 3)) {
    const q = owned.get(row.queueId)!;
    await alice.call('triage.open', { itemId: row.id });
    await alice.call('triage.decide', { itemId: row.id, kind: 'escalate', payload: { reasonCode: q.reasonCodes[0].code, comment: `note on ${row.id}` } });
    escalated.push(row.id);
  }
  expect(escalated).toHaveLength(3);
  // ...and approves four more of one such queue: the outcomes the owner will roll back.
  const target = page.rows.filter((r) => owned.has(r.queueId) && !escalated.includes(r.id));
  rollbackQueue = target[0].queueId;
  for (const row of target.filter((r) => r.queueId === rollbackQueue).slice(0, 4)) {
    await alice.call('triage.open', { itemId: row.id });
    await alice.call('triage.decide', { itemId: row.id, kind: 'approve', payload: {} });
    approved.push(row.id);
  }
  expect(approved.length).toBeGreaterThan(0);
  await waitForSynced(alice);
  await olivia.call('sync.now');
  await pollUntil('olivia to hold the escalations', () => olivia.call<EscalationsOutput>('ops.escalations'),
    (o) => escalated.every((id) => o.escalations.some((e) => e.item.id === id)));
  aliceUi = await openDeskPage(browser, alice);
  oliviaUi = await openDeskPage(browser, olivia);
}, 180_000);

afterAll(() => closeAll(browser, alice, olivia, serverClosed ? undefined : server));

describe('a reviewer', () => {
  it('sees no ops view in the nav, the palette or help, and their g chords do nothing', async () => {
    const { page } = aliceUi;
    for (const v of ['team', 'control', 'owner']) expect(await page.getByTestId(`nav-${v}`).count(), v).toBe(0);
    for (const [key, view] of [['m', 'Team'], ['c', 'Control points'], ['o', "Owner's desk"]] as const) {
      await chord(page, key);
      await expect.poll(() => page.getByTestId('toast').last().locator('.toast-text').textContent()).toBe(`${view} is not available to reviewer`);
      expect(await bodyView(page)).toBe('triage');
    }
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette').waitFor();
    for (const id of ['go.team', 'go.control', 'go.owner']) expect(await page.getByTestId(`palette-item-${id}`).count(), id).toBe(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByTestId('help-dialog').waitFor();
    expect(await page.locator('[data-testid="help-row"][data-action-id^="go.team"], [data-testid="help-row"][data-action-id="go.control"], [data-testid="help-row"][data-action-id="go.owner"]').count()).toBe(0);
    await page.keyboard.press('Escape');
  });
});

describe("the owner's desk", () => {
  it('g o opens the escalations inbox, apart from ordinary work, with why each came', async () => {
    const { page } = oliviaUi;
    expect(await page.getByTestId('nav-owner').count()).toBe(1);
    expect(await page.getByTestId('nav-team').count()).toBe(0);
    await chord(page, 'o');
    await expect.poll(() => bodyView(page)).toBe('owner');
    const rows = page.getByTestId('ops-escalation-row');
    await expect.poll(() => rows.count()).toBe(3);
    const ids = await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId));
    expect(new Set(ids)).toEqual(new Set(escalated));
    const detail = page.getByTestId('ops-escalation-detail');
    const first = await detail.getAttribute('data-item-id');
    expect(await page.getByTestId('ops-escalation-by').textContent()).toBe('alice');
    expect(await page.getByTestId('ops-escalation-note').textContent()).toBe(`note on ${first}`);
    expect((await page.getByTestId('ops-escalation-reason').textContent())!.length).toBeGreaterThan(0);
    await screenshot(page, 'ops-owner-escalations');
    await expectAccessible(page, 'owner (light)');
  });

  it('decides with the triage keys: j moves, a approves, r picks a reason and rejects', async () => {
    const { page } = oliviaUi;
    const detail = page.getByTestId('ops-escalation-detail');
    const first = (await detail.getAttribute('data-item-id'))!;
    await page.keyboard.press('j');
    await expect.poll(() => detail.getAttribute('data-item-id')).not.toBe(first);
    const second = (await detail.getAttribute('data-item-id'))!;
    await page.keyboard.press('a');
    await expect.poll(() => page.getByTestId('ops-escalation-row').count()).toBe(2);
    expect(await page.locator(`[data-testid="ops-escalation-row"][data-item-id="${second}"]`).count()).toBe(0);

    const third = (await detail.getAttribute('data-item-id'))!;
    await page.keyboard.press('r');
    await page.getByTestId('reason-picker').waitFor();
    await expectAccessible(page, 'owner reject picker');
    await page.keyboard.press('1');
    await expect.poll(() => page.getByTestId('ops-escalation-row').count()).toBe(1);
    expect(await page.locator(`[data-testid="ops-escalation-row"][data-item-id="${third}"]`).count()).toBe(0);

    await waitForSynced(olivia);
    const approved = await olivia.call<{ item: { outcome: { kind: string; by: string } | null } }>('item.get', { itemId: second });
    expect(approved.item.outcome).toMatchObject({ kind: 'approve', by: 'olivia' });
    const rejected = await olivia.call<{ item: { outcome: { kind: string } | null } }>('item.get', { itemId: third });
    expect(rejected.item.outcome).toMatchObject({ kind: 'reject' });
  });

  it('rolls back with the guided flow: Esc backs out each step, the preview count is what is reverted, the items reopen', async () => {
    const { page } = oliviaUi;
    await page.getByTestId('owner-rollback').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('rollback-step-filter').waitFor();
    await page.getByTestId(`rollback-queue-${rollbackQueue}`).focus();
    await page.keyboard.press('Space');
    await page.getByTestId('rollback-outcome-approve').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('rollback-reviewers').focus();
    await page.keyboard.type('alice');
    await page.keyboard.press('Enter');
    await page.getByTestId('rollback-step-preview').waitFor();
    expect(Number(await page.getByTestId('rollback-count').getAttribute('data-count'))).toBe(approved.length);
    await screenshot(page, 'ops-rollback-preview');
    await expectAccessible(page, 'rollback preview');
    await page.keyboard.press('Enter'); // Continue (focused)
    await page.getByTestId('rollback-step-confirm').waitFor();
    await page.keyboard.type('model v3 approved wrong totals');
    // Esc backs out: confirm -> preview -> filter -> closed.
    await page.keyboard.press('Escape');
    await page.getByTestId('rollback-step-preview').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('rollback-step-filter').waitFor();
    expect(await page.getByTestId('rollback-reviewers').inputValue()).toBe('alice');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('rollback-flow').count()).toBe(0);
    expect(await bodyView(page)).toBe('owner');

    // Again, to the end.
    await page.getByTestId('owner-rollback').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId(`rollback-queue-${rollbackQueue}`).focus();
    await page.keyboard.press('Space');
    await page.getByTestId('rollback-outcome-approve').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('rollback-reviewers').focus();
    await page.keyboard.type('alice');
    await page.keyboard.press('Enter');
    await page.getByTestId('rollback-step-preview').waitFor();
    const count = Number(await page.getByTestId('rollback-count').getAttribute('data-count'));
    await page.keyboard.press('Enter');
    await page.getByTestId('rollback-step-confirm').waitFor();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('rollback-error').textContent()).toMatch(/reason/i);
    await page.keyboard.type('model v3 approved wrong totals');
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('rollback-step-result').waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('rollback-result').getAttribute('data-reverted'))).toBe(count);
    await screenshot(page, 'ops-rollback-result');
    await expectAccessible(page, 'rollback result');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('rollback-flow').count()).toBe(0);

    // The reviewer's desk shows the reopened items (oldest SLA first: they are claimed back at once).
    await alice.call('settings.set', { claimTargetSize: 200 });
    await alice.call('sync.now');
    await pollUntil('alice to hold the reopened items', async () => {
      await alice.call('sync.now');
      return Promise.all(approved.map((id) => alice.call<{ item: { status: string; outcome: unknown; assigneeId: string } }>('item.get', { itemId: id }).catch(() => null)));
    }, (items) => items.every((d) => d !== null && d.item.outcome === null && d.item.assigneeId === 'alice'));
  });

  it('passes axe in dark too', async () => {
    const { page } = oliviaUi;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(150);
    await screenshot(page, 'ops-owner-escalations-dark');
    await expectAccessible(page, 'owner (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('offline, the owner still reads the last alerts figures, marked with their age', async () => {
    const { page } = oliviaUi;
    const panel = page.getByTestId('ops-alerts');
    await panel.getByTestId('ops-freshness').waitFor();
    expect(await panel.getByTestId('ops-freshness').getAttribute('data-from-cache')).toBe('false');
    const computedAt = await panel.getByTestId('ops-freshness').getAttribute('data-computed-at');
    await server.close();
    serverClosed = true;
    // Leave and come back: the view reads again, and the core answers the stored figures.
    await chord(page, 't');
    await expect.poll(() => bodyView(page)).toBe('triage');
    await chord(page, 'o');
    await expect.poll(() => bodyView(page)).toBe('owner');
    await expect.poll(() => page.getByTestId('ops-alerts').getByTestId('ops-freshness').getAttribute('data-from-cache'), { timeout: 20_000 }).toBe('true');
    const shown = page.getByTestId('ops-alerts').getByTestId('ops-freshness');
    expect(await shown.getAttribute('data-computed-at')).toBe(computedAt);
    expect(await shown.textContent()).toMatch(/^Offline: last figures, computed .+ ago/);
    await screenshot(page, 'ops-owner-offline');
    await expectAccessible(page, 'owner offline');
  });

  it('ran without a CSP violation or page error', () => {
    for (const ui of [aliceUi, oliviaUi]) {
      expect(ui.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
      expect(ui.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    }
  });
});
