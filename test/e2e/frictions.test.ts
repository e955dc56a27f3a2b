// A day at the desk without friction (issue 14), in real Chromium against a real core and server.
// Automatic sync is off (a real core option) so what the outbox holds is a state the test controls.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskResult, ItemDetail, QueuePage, SyncStatus, TodayStats } from '../../shared/desk-api';
import { paceText } from '../../renderer/logic/pace';
import type { Queue } from '../../shared/domain';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { CentralClient } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import { closeAll, focusedItemId, keys, launchChromium, screenshot, openTriage, startDesk, waitForFocusedChange, type Desk, type OpenPage } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
let alice: Desk;
let ui: OpenPage;

const T = { timeout: 10_000 };
const pending = async () => (await alice.call<SyncStatus>('sync.status')).pending;
const message = (page: Page) => page.getByTestId('picker-message').textContent();

/** Changes the focused correct-editor field from the keyboard, as its type allows; returns its new value. */
async function editFocusedField(page: Page): Promise<string> {
  const field = page.locator('[data-testid^="correct-field-"]:focus');
  const kind = await field.getAttribute('data-kind');
  if (kind === 'boolean') await page.keyboard.press('Space');
  else if (kind === 'number' || kind === 'date') await page.keyboard.press('ArrowUp');
  else {
    await page.keyboard.press('End');
    await page.keyboard.type(' (checked)');
  }
  return fieldValue(field);
}

async function fieldValue(field: Locator): Promise<string> {
  return (await field.getAttribute('type')) === 'checkbox' ? String(await field.isChecked()) : field.inputValue();
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startTestServer({ seed: 'demo' });
  alice = await startDesk(server.url, 'alice', { core: { autoSync: false } });
  await alice.call('sync.now');
  ui = await openTriage(browser, alice, 5);
}, 120_000);

afterAll(() => closeAll(browser, alice, server));

describe('reason pickers (issue 14 item 6)', () => {
  it('say when a key picks nothing, and ask for the comment "Other" needs before deciding', async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const before = await pending();
    await page.keyboard.press('r');
    const picker = page.getByTestId('reason-picker');
    await picker.waitFor();
    const count = await picker.locator('[data-testid^="reason-option-"]').count();
    expect(count).toBeLessThan(9);
    await page.keyboard.press('9');
    await expect.poll(() => message(page), T).toBe(`No choice 9 here: press 1–${count}.`);
    await page.keyboard.press('q');
    await expect.poll(() => message(page), T).toMatch(/“q” does nothing here/);
    expect(await picker.count()).toBe(1);

    const other = picker.locator('[data-value="other"]');
    const n = (await other.getAttribute('data-testid'))!.replace('reason-option-', '');
    await page.keyboard.press(n);
    await page.getByTestId('reason-comment').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('reason-comment');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => message(page), T).toMatch(/needs a comment/);
    expect(await pending()).toBe(before);
    expect(await focusedItemId(page)).toBe(id);

    await page.keyboard.type('vendor name is of another company');
    await page.keyboard.press('Control+Enter');
    await waitForFocusedChange(page, id);
    // The next item shows before the decision's call reaches the core (the renderer moves on at once): wait for it.
    await expect.poll(pending, T).toBe(before + 1);
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    expect(detail.decisions.at(-1)).toMatchObject({ kind: 'reject', payload: { reasonCode: 'other', comment: 'vendor name is of another company' } });
  });

  it('the core refuses "Other" without a comment too', async () => {
    const id = (await focusedItemId(ui.page))!;
    const r = (await alice.core.call('triage.decide', { itemId: id, kind: 'reject', payload: { reasonCode: 'other' } })) as DeskResult<unknown>;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/needs a comment/) });
  });

});

describe('conflicts (issue 14 item 4)', () => {
  it('arrive with a toast naming the item and what happened, and the inbox a key chord away', async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const title = (await page.getByTestId('triage-title').textContent())!;
    const bobId = (await new CentralClient(server.url, 'demo-bob').me()).id;
    await new CentralClient(server.url, 'demo-sam').assign({ itemIds: [id], assigneeId: bobId });
    await page.keyboard.press('a'); // decided here before this desk heard of the reassignment
    await waitForFocusedChange(page, id);
    await alice.call('sync.now');
    const toast = page.getByTestId('toast').filter({ hasText: 'Conflict' });
    await toast.first().waitFor({ timeout: 15_000 });
    const text = (await toast.first().textContent())!;
    expect(text).toContain(title);
    expect(text).toMatch(/g s for the inbox/);
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.locator(`[data-testid="conflict-row"][data-item-id="${id}"]`).waitFor(T);
    await page.keyboard.press('g');
    await page.keyboard.press('t');
  });
});

describe('Esc keeps typed work as a draft per item (issue 14 item 2)', () => {
  it('a half-typed note survives Esc and moving away, and comes back with n on the same item', async () => {
    const { page } = ui;
    const before = await pending();
    const id = (await focusedItemId(page))!;
    await page.keyboard.press('n');
    await page.getByTestId('note-text').waitFor();
    await page.keyboard.type('half a thought');
    await page.keyboard.press('Escape');
    await page.getByTestId('note-editor').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'kept as a draft' }).count(), T).toBe(1);
    expect(await page.getByTestId('triage-drafts').textContent()).toMatch(/a note/);
    expect(await pending()).toBe(before);

    await page.keyboard.press('j');
    const other = await waitForFocusedChange(page, id);
    expect(await page.getByTestId('triage-drafts').count()).toBe(0);
    await page.keyboard.press('n');
    expect(await page.getByTestId('note-text').inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await page.getByTestId('note-editor').waitFor({ state: 'detached' });
    await page.keyboard.press('k');
    await waitForFocusedChange(page, other);
    expect(await focusedItemId(page)).toBe(id);

    await page.keyboard.press('n');
    await page.getByTestId('draft-restored').waitFor();
    expect(await page.getByTestId('note-text').inputValue()).toBe('half a thought');
    await page.keyboard.type(', finished');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pending(), T).toBe(before + 1);
    expect((await alice.call<ItemDetail>('item.get', { itemId: id })).decisions.at(-1)).toMatchObject({ kind: 'note', payload: { text: 'half a thought, finished' } });
    expect(await page.getByTestId('triage-drafts').count()).toBe(0);
  });

  it('a half-typed "Other" comment survives Esc and comes back when Other is picked again on the same item', async () => {
    const { page } = ui;
    const before = await pending();
    const id = (await focusedItemId(page))!;
    const pickOther = async () => {
      await page.keyboard.press('r');
      const other = page.getByTestId('reason-picker').locator('[data-value="other"]');
      await page.keyboard.press((await other.getAttribute('data-testid'))!.replace('reason-option-', ''));
      await page.getByTestId('reason-comment').waitFor();
    };
    await pickOther();
    await page.keyboard.type('totals do not');
    await page.keyboard.press('Escape');
    await page.getByTestId('reason-picker').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'Comment kept as a draft' }).count(), T).toBe(1);
    expect(await page.getByTestId('triage-drafts').textContent()).toMatch(/a reason comment/);
    expect(await pending()).toBe(before);

    await page.keyboard.press('j');
    const next = await waitForFocusedChange(page, id);
    await pickOther();
    expect(await page.getByTestId('reason-comment').inputValue()).toBe(''); // another item's picker starts blank
    await page.keyboard.press('Escape');
    await page.getByTestId('reason-picker').waitFor({ state: 'detached' });
    await page.keyboard.press('k');
    await waitForFocusedChange(page, next);

    await pickOther();
    await page.getByTestId('draft-restored').waitFor();
    expect(await page.getByTestId('reason-comment').inputValue()).toBe('totals do not');
    await page.keyboard.type(' add up');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pending(), T).toBe(before + 1);
    expect((await alice.call<ItemDetail>('item.get', { itemId: id })).decisions.at(-1))
      .toMatchObject({ kind: 'reject', payload: { reasonCode: 'other', comment: 'totals do not add up' } });
    await waitForFocusedChange(page, id);
    expect(await page.getByTestId('triage-drafts').count()).toBe(0);
  });

  it('a half-typed correction survives Esc and comes back with c', async () => {
    const { page } = ui;
    const before = await pending();
    await page.keyboard.press('c');
    await page.getByTestId('correct-editor').waitFor();
    const field = page.locator('[data-testid^="correct-field-"]:focus');
    const testId = (await field.getAttribute('data-testid'))!;
    const edited = await editFocusedField(page);
    await page.keyboard.press('Escape');
    await page.getByTestId('correct-editor').waitFor({ state: 'detached' });
    expect(await page.getByTestId('triage-drafts').textContent()).toMatch(/a correction/);
    await page.keyboard.press('c');
    await page.getByTestId('draft-restored').waitFor();
    expect(await fieldValue(page.getByTestId(testId))).toBe(edited);
    await page.keyboard.press('Escape');
    await page.getByTestId('correct-editor').waitFor({ state: 'detached' });
    expect(await pending()).toBe(before);
  });
});

describe('command palette (issue 14 item 9)', () => {
  it('finds commands by their on-screen names and common synonyms', async () => {
    const { page } = ui;
    const selected = () => page.locator('[data-testid^="palette-item-"][aria-selected="true"]').getAttribute('data-testid');
    for (const [search, id] of [['skip', 'decide.defer'], ['dark mode', 'app.toggleTheme'], ['search', 'queue.filter']]) {
      await page.keyboard.press('Control+k');
      await page.getByTestId('palette-input').waitFor();
      await page.keyboard.type(search);
      await expect.poll(selected, T).toBe(`palette-item-${id}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('palette').waitFor({ state: 'detached' });
    }
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type('my day');
    await expect.poll(selected, T).toBe('palette-item-go.dashboard');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.view === 'stats', null, T);
    await page.keyboard.press('g');
    await page.keyboard.press('t');
    await waitForFocusedChange(page, null);
  });
});

describe('reclassify has reasons of its own (issue 14 item 10)', () => {
  it('t, a class, then a reason to reclassify (none of the queue\'s reject reasons)', async () => {
    const { page } = ui;
    const id = (await focusedItemId(page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    const before = await pending();
    await page.keyboard.press('t');
    await page.getByTestId('reason-picker').waitFor();
    const target = (await page.getByTestId('reason-option-1').getAttribute('data-value'))!;
    await page.keyboard.press('1');
    await page.getByTestId('reason-picker').filter({ hasText: 'Reclassify: why?' }).waitFor();
    const offered = await page.locator('[data-testid^="reason-option-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')));
    expect(offered).toEqual(RECLASSIFY_REASONS.map((r) => r.code));
    for (const r of detail.queue!.reasonCodes.filter((c) => c.code !== 'other')) expect(offered).not.toContain(r.code);
    await page.keyboard.press('1');
    await page.getByTestId('reason-picker').waitFor({ state: 'detached' });
    await expect.poll(() => pending(), T).toBe(before + 1);
    expect((await alice.call<ItemDetail>('item.get', { itemId: id })).decisions.at(-1)).toMatchObject({
      kind: 'reclassify', payload: { exceptionClass: target, reasonCode: RECLASSIFY_REASONS[0].code },
    });
  });

  it('the core refuses a queue reason for a reclassify', async () => {
    const id = (await focusedItemId(ui.page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    const queueOnly = detail.queue!.reasonCodes.find((r) => r.code !== 'other')!.code;
    const to = detail.item.exceptionClass === 'policy' ? 'confidence' : 'policy';
    const r = (await alice.core.call('triage.decide', { itemId: id, kind: 'reclassify', payload: { exceptionClass: to, reasonCode: queueOnly } })) as DeskResult<unknown>;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/not a reason to reclassify/) });
  });
});

describe('the owner is not offered escalate (issue 14 item 11)', () => {
  it('the key is not shown on an item of their own queue, says why when pressed, and the core refuses it', async () => {
    const olivia = await startDesk(server.url, 'olivia', { core: { autoSync: false } });
    let own: OpenPage | undefined;
    try {
      await olivia.call('sync.now');
      own = await openTriage(browser, olivia, 1);
      const { page } = own;
      const id = (await focusedItemId(page))!;
      const detail = await olivia.call<ItemDetail>('item.get', { itemId: id });
      expect(detail.queue!.ownerId).toBe((await new CentralClient(server.url, 'demo-olivia').me()).id);
      expect(await page.getByTestId('action-decide.approve').count()).toBe(1);
      expect(await page.getByTestId('action-decide.escalate').count()).toBe(0);
      await page.keyboard.press('e');
      const toast = page.getByTestId('toast').filter({ hasText: 'escalating would send it to you' });
      await toast.waitFor(T);
      expect(await toast.textContent()).toContain(detail.queue!.name);
      expect(await page.getByTestId('reason-picker').count()).toBe(0);
      expect(await focusedItemId(page)).toBe(id);
      const r = (await olivia.core.call('triage.decide', { itemId: id, kind: 'escalate', payload: { reasonCode: detail.queue!.reasonCodes[0].code, comment: 'x' } })) as DeskResult<unknown>;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/You own/) });
      expect((await olivia.call<SyncStatus>('sync.status')).pending).toBe(0);
      expect(own.errors).toEqual([]);
    } finally {
      await own?.context.close();
      await olivia.close();
    }
  });

  it('a reviewer who does not own the queue still has the key', async () => {
    expect(await ui.page.getByTestId('action-decide.escalate').count()).toBe(1);
  });
});

describe('where am I (issue 14 item 7)', () => {
  it('triage shows position, what is left and the time it takes at the reviewer\'s own pace', async () => {
    const { page } = ui;
    // Re-entering triage reads the pace afresh (it is otherwise re-read at most every 10 s).
    await keys(page, 'g', 'q');
    await page.getByTestId('view-queue').waitFor();
    await keys(page, 'g', 't');
    const pace = page.getByTestId('triage-pace');
    await pace.waitFor(T);
    const stats = await alice.call<TodayStats>('stats.today');
    expect(stats.laborMinutes).toBeGreaterThan(0);
    const position = page.getByTestId('triage-position');
    const left = Number(await position.getAttribute('data-total')) - Number(await position.getAttribute('data-position')) + 1;
    const perItem = Number(await position.getAttribute('data-minutes-per-item'));
    expect(perItem).toBeGreaterThan(0);
    expect(await pace.textContent()).toBe(` · ${paceText(left, perItem)}`);
    // Decisions taken earlier in this file are counted after the pace.
    const decided = Number(await position.getAttribute('data-decided'));
    expect(decided).toBeGreaterThan(0);
    expect(await position.textContent()).toMatch(new RegExp(`^\\d+ of \\d+ · \\d+ after this one · ~.+ at your pace · ${decided} decided here$`));
  });

  it('the queue shows open work by default, and o shows the done items too', async () => {
    const { page } = ui;
    const open = Number(await page.getByTestId('triage-position').getAttribute('data-total'));
    await keys(page, 'g', 'q');
    const grid = page.getByTestId('queue-grid');
    await expect.poll(async () => Number(await grid.getAttribute('data-total')), T).toBe(open);
    expect(await page.getByTestId('queue-total').textContent()).toBe(`${open} open items`);
    expect(await page.getByTestId('queue-filter-done').getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('o');
    await expect.poll(async () => Number(await grid.getAttribute('data-total')), T).toBeGreaterThan(open);
    expect(await page.getByTestId('queue-filter-done').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('queue-total').textContent()).toMatch(/items, open and done$/);
    await page.keyboard.press('o');
    await expect.poll(async () => Number(await grid.getAttribute('data-total')), T).toBe(open);
    await keys(page, 'g', 't');
    await waitForFocusedChange(page, null);
  });
});

describe('idle thresholds (issue 14 item 8)', () => {
  it('Settings shows the threshold each queue\'s policy applies, and no personal setting that does nothing', async () => {
    const { page } = ui;
    await keys(page, 'g', ',');
    await page.getByTestId('settings-idle').waitFor(T);
    const { queues } = await alice.call<{ queues: Queue[] }>('queue.list');
    const rows = page.getByTestId('settings-idle-queue');
    await expect.poll(() => rows.count(), T).toBe(queues.length);
    const shown = await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-queue-id'), Number(e.getAttribute('data-seconds'))]));
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(queues.map((q) => [q.id, q.idleThresholdSec])));
    expect(new Set(queues.map((q) => q.idleThresholdSec)).size).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="settings-idle"] input').count()).toBe(0);
    await keys(page, 'g', 't');
    await waitForFocusedChange(page, null);
  });
});

describe('defer hands the item to someone else (issue 14 item 3)', () => {
  it('d says where the item went; the next sync does not bring it back to this reviewer, and another reviewer gets it', async () => {
    const { page } = ui;
    // The cooldown is the queue's policy: the owner sets 7 min, and the desk's next sync knows it.
    const queueId = (await alice.call<ItemDetail>('item.get', { itemId: (await focusedItemId(page))! })).item.queueId;
    const owner = (await new CentralClient(server.url, 'demo-alice').queues()).queues.find((q) => q.id === queueId)!.ownerId;
    expect((await new CentralClient(server.url, `demo-${owner}`).request('POST', '/v1/queue-policies', { queueId, deferCooldownMinutes: 7 })).status).toBe(200);
    await alice.call('sync.now');
    const id = (await focusedItemId(page))!;
    const detail = await alice.call<ItemDetail>('item.get', { itemId: id });
    expect(detail.queue?.deferCooldownMinutes).toBe(7);
    await page.keyboard.press('d');
    await waitForFocusedChange(page, id);
    const toast = page.getByTestId('toast').filter({ hasText: `Deferred: ${detail.item.title}` });
    await toast.waitFor(T);
    expect(await toast.textContent()).toContain(`back to ${detail.queue!.name} for someone else; not yours again for 7 min`);
    await alice.call('sync.now');
    await alice.call('sync.now');
    const open = await alice.call<QueuePage>('queue.page', { filter: { openOnly: true }, limit: 1000 });
    expect(open.rows.map((r) => r.id)).not.toContain(id);
    const bobs = await new CentralClient(server.url, 'demo-bob').claim({ count: 1, queueIds: [detail.item.queueId] });
    expect(bobs.items.map((i) => i.id)).toEqual([id]);
  });
});

describe('correcting an output (issue 14 item 1)', () => {
  it('opens beside the item, on the flagged field, with readable labels, typed inputs and nothing overlapping', async () => {
    const { page } = ui;
    // Move to an item whose validation flagged a field of its output.
    let detail: ItemDetail | null = null;
    for (let i = 0; i < 30; i++) {
      const id = (await focusedItemId(page))!;
      const d = await alice.call<ItemDetail>('item.get', { itemId: id });
      if (d.item.reasons.some((r) => r.field && r.field in d.item.output)) {
        detail = d;
        break;
      }
      await page.keyboard.press('j');
      await waitForFocusedChange(page, id);
    }
    expect(detail, 'an item with a flagged output field').not.toBeNull();
    const id = detail!.item.id;
    const flaggedPath = detail!.item.reasons.find((r) => r.field && r.field in detail!.item.output)!.field!;
    const before = await pending();

    await page.keyboard.press('c');
    const editor = page.getByTestId('correct-editor');
    await editor.waitFor();
    // Beside the item, which stays readable.
    const itemBox = (await page.getByTestId('triage-item').boundingBox())!;
    const editorBox = (await editor.boundingBox())!;
    expect(await page.getByTestId('triage-output').isVisible()).toBe(true);
    expect(editorBox.x).toBeGreaterThanOrEqual(itemBox.x + itemBox.width - 1);
    // The flagged field has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(`correct-field-${flaggedPath}`);
    // Readable labels, the path as secondary text; inputs of the value's type.
    const fields = await editor.locator('[data-testid^="correct-field-"]').evaluateAll((els) => els.map((el) => {
      const input = el as HTMLInputElement;
      return { path: el.getAttribute('data-testid')!.slice('correct-field-'.length), type: input.type, kind: el.getAttribute('data-kind'),
        label: document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '', secondary: document.getElementById(`${el.id}-path`)?.textContent ?? '' };
    }));
    for (const f of fields) {
      expect(f.secondary).toBe(f.path);
      expect(f.label).not.toContain(f.path.includes('.') || f.path.includes('[') ? f.path : '\u0000');
      const value = (detail!.item.output as Record<string, unknown>)[f.path];
      if (typeof value === 'number') expect(f.type).toBe('number');
      if (typeof value === 'boolean') expect(f.type).toBe('checkbox');
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) expect(f.type).toBe('date');
    }
    expect(fields.find((f) => f.path === flaggedPath)!.label).toMatch(/flagged/);
    // Nothing overlaps: the footer (key hint and buttons) sits below every input.
    const foot = (await editor.locator('.correct-foot').boundingBox())!;
    const list = (await editor.locator('.correct-fields').boundingBox())!;
    expect(foot.y).toBeGreaterThanOrEqual(list.y + list.height - 1);
    await screenshot(page, 'correct-editor-beside');

    const edited = await editFocusedField(page);
    await page.keyboard.press('Control+Enter');
    await waitForFocusedChange(page, id);
    await expect.poll(() => pending(), T).toBe(before + 1);
    const decision = (await alice.call<ItemDetail>('item.get', { itemId: id })).decisions.at(-1)!;
    expect(decision.kind).toBe('correct');
    expect(String((decision.payload.correctedOutput as Record<string, unknown>)[flaggedPath])).toBe(edited);
  });
});

describe('undo (issue 14 item 5)', () => {
  it('takes back the last decision even after a note; only the newest decision toast offers Undo, and none after it ran', async () => {
    const { page } = ui;
    const before = await pending();
    const a = (await focusedItemId(page))!;
    await page.keyboard.press('a');
    const b = await waitForFocusedChange(page, a);
    await page.keyboard.press('a');
    const c = await waitForFocusedChange(page, b);
    await expect.poll(() => page.getByTestId('toast-undo').count(), T).toBe(1);
    await page.keyboard.press('n');
    await page.getByTestId('note-text').waitFor();
    await page.keyboard.type('check the PO number tomorrow');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => pending(), T).toBe(before + 3);

    await page.keyboard.press('z');
    await waitForFocusedChange(page, c);
    expect(await focusedItemId(page)).toBe(b);
    await expect.poll(() => pending(), T).toBe(before + 2);
    expect((await alice.call<ItemDetail>('item.get', { itemId: b })).localState).toBe('none');
    expect((await alice.call<ItemDetail>('item.get', { itemId: c })).decisions.map((d) => d.kind)).toEqual(['note']);
    await expect.poll(() => page.getByTestId('toast-undo').count(), T).toBe(0);
  });

  it('ran without a CSP violation or page error', () => {
    expect(ui.errors).toEqual([]);
  });
});
