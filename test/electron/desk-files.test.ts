// window.deskFiles end to end without the Electron binary: the real preload API -> a fake ipcMain -> the
// real IPC wrapper -> the real main handlers -> a real temp directory. Only the dialog and the window's
// printToPDF are faked (electron-like seams). Every refusal must leave the directory empty and the dialog unshown.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DESK_FILES_CHANNELS, MAX_SAVED_FILE_CHARS, PrintToPdfInput, SaveFileInput } from '../../shared/desk-files';
import { registerDeskFiles, type SaveDialogOptionsLike } from '../../electron/main/desk-files';
import { createIpcWrapper } from '../../electron/main/ipc-wrapper';
import { buildDeskFiles } from '../../electron/preload/desk-files-api';
import { FakeFrame, FakeIpcMain } from './helpers/fakes';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'desk-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PDF = new TextEncoder().encode('%PDF-1.7\n% a printed weekly review\n%%EOF\n');

function setup(opts: { choose?: (o: SaveDialogOptionsLike) => string | null } = {}) {
  const ipcMain = new FakeIpcMain();
  const logs: string[] = [];
  const wrapper = createIpcWrapper(ipcMain, { log: (m) => logs.push(m) });
  const window = { name: 'desk window' };
  const contents = { printToPDF: vi.fn(async (_o: Record<string, unknown>) => PDF), isDestroyed: () => false };
  const dialogCalls: Array<{ window: unknown; options: SaveDialogOptionsLike }> = [];
  const choose = opts.choose ?? ((o) => o.defaultPath);
  registerDeskFiles(wrapper, {
    dialog: {
      showSaveDialog: async (w, options) => {
        dialogCalls.push({ window: w, options });
        const file = choose(options);
        return file === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: file };
      },
    },
    windowFor: (sender) => (sender.event.sender === contents ? { window, contents } : null),
    defaultDir: () => dir,
    log: (m) => logs.push(m),
  });
  const frame = new FakeFrame('app://desk/index.html');
  /** The preload's ipcRenderer.invoke, as the desk's own window (frame + webContents) sends it. */
  const invokeAs = (senderFrame: FakeFrame | null, sender: unknown = contents) => ({
    invoke: async (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, { senderFrame, sender }, ...structuredClone(args)),
  });
  const files = buildDeskFiles(invokeAs(frame));
  return { ipcMain, files, invokeAs, frame, contents, window, dialogCalls, logs };
}

const listDir = () => readdir(dir);

describe('deskFiles.save', () => {
  it('shows the save dialog on the desk window and writes exactly the content it was given', async () => {
    const s = setup();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.constantFrom('md', 'csv'), async (content, ext) => {
        const suggestedName = `weekly-review-owen-2026-W48.${ext}`;
        const contentType = ext === 'md' ? 'text/markdown; charset=utf-8' : 'text/csv; charset=utf-8';
        const answer = await s.files.save({ suggestedName, contentType, content });
        expect(answer).toEqual({ status: 'saved', path: path.join(dir, suggestedName), message: `Saved ${path.join(dir, suggestedName)}` });
        expect(await readFile(path.join(dir, suggestedName), 'utf8')).toBe(content);
      }),
      { numRuns: 25 },
    );
    const last = s.dialogCalls.at(-1)!;
    expect(last.window).toBe(s.window);
    expect(last.options.defaultPath.startsWith(dir)).toBe(true);
    expect(last.options.filters[0].extensions).toHaveLength(1);
  });

  it('cancel writes nothing and says so', async () => {
    const s = setup({ choose: () => null });
    const answer = await s.files.save({ suggestedName: 'a.md', contentType: 'text/markdown', content: '# hi' });
    expect(answer).toEqual({ status: 'cancelled', message: expect.stringMatching(/cancelled/) });
    expect(s.dialogCalls).toHaveLength(1);
    expect(await listDir()).toEqual([]);
  });

  it('a name chosen without an extension gets it; another extension is refused and nothing is written', async () => {
    const bare = setup({ choose: () => path.join(dir, 'review') });
    await expect(bare.files.save({ suggestedName: 'a.csv', contentType: 'text/csv', content: 'a,b\n' })).resolves.toMatchObject({ status: 'saved', path: path.join(dir, 'review.csv') });
    expect(await readFile(path.join(dir, 'review.csv'), 'utf8')).toBe('a,b\n');
    for (const chosen of ['evil.sh', 'review.md', 'review.pdf', 'review.csv.exe']) {
      const s = setup({ choose: () => path.join(dir, chosen) });
      const answer = await s.files.save({ suggestedName: 'a.csv', contentType: 'text/csv', content: 'x' });
      expect(answer).toEqual({ status: 'error', message: expect.stringMatching(/must end in \.csv/) });
    }
    expect(await listDir()).toEqual(['review.csv']);
  });

  it('a write that fails is answered in words, not thrown', async () => {
    const s = setup({ choose: () => path.join(dir, 'no-such-folder', 'a.md') });
    const answer = await s.files.save({ suggestedName: 'a.md', contentType: 'text/markdown', content: 'x' });
    expect(answer).toEqual({ status: 'error', message: expect.stringMatching(/could not write .*ENOENT/) });
    expect(await listDir()).toEqual([]);
  });
});

describe('deskFiles.printToPdf', () => {
  it('asks where, then prints the window (print stylesheet) and writes the PDF', async () => {
    const s = setup();
    const answer = await s.files.printToPdf({ suggestedName: 'weekly-review-owen-2026-W48.pdf' });
    expect(answer).toMatchObject({ status: 'saved', path: path.join(dir, 'weekly-review-owen-2026-W48.pdf') });
    expect(new Uint8Array(await readFile(path.join(dir, 'weekly-review-owen-2026-W48.pdf')))).toEqual(PDF);
    expect(s.dialogCalls[0].options.filters).toEqual([{ name: 'PDF', extensions: ['pdf'] }]);
    expect(s.contents.printToPDF).toHaveBeenCalledOnce();
    expect(s.contents.printToPDF.mock.calls[0][0]).toMatchObject({ printBackground: true });
  });

  it('cancel neither prints nor writes', async () => {
    const s = setup({ choose: () => null });
    await expect(s.files.printToPdf({ suggestedName: 'r.pdf' })).resolves.toMatchObject({ status: 'cancelled' });
    expect(s.contents.printToPDF).not.toHaveBeenCalled();
    expect(await listDir()).toEqual([]);
  });

  it('a failing printToPDF is answered in words and writes nothing', async () => {
    const s = setup();
    s.contents.printToPDF.mockRejectedValueOnce(new Error('renderer gone'));
    await expect(s.files.printToPdf({ suggestedName: 'r.pdf' })).resolves.toEqual({ status: 'error', message: expect.stringMatching(/printing to PDF failed/) });
    expect(await listDir()).toEqual([]);
  });
});

// Payloads that break one rule each, generated around a valid one; plus arbitrary values.
const validSave = { suggestedName: 'weekly.md', contentType: 'text/markdown', content: '# week' };
const badSave = fc.oneof(
  fc.constantFrom('../weekly.md', 'a/b.md', 'a\\b.md', '/etc/weekly.md', '.hidden.md', '', 'weekly.exe', 'weekly', 'weekly.pdf', 'weekly.md\n', 'x'.repeat(201) + '.md')
    .map((suggestedName) => ({ ...validSave, suggestedName })),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('.md', '.csv'), fc.integer({ min: 0, max: 31 }))
    .map(([name, ext, c]) => ({ ...validSave, contentType: ext === '.md' ? 'text/markdown' : 'text/csv', suggestedName: `${name}${String.fromCharCode(c)}x${ext}` })),
  fc.constantFrom('text/html', 'application/pdf', 'text/csv', 'application/octet-stream').map((contentType) => ({ ...validSave, contentType })),
  fc.constant({ ...validSave, content: 'x'.repeat(MAX_SAVED_FILE_CHARS + 1) }),
  fc.constant({ ...validSave, extra: 'field' }),
  // save writes text only: a .pdf comes from printToPdf, never from renderer-made bytes.
  fc.constant({ suggestedName: 'weekly.pdf', contentType: 'application/pdf', content: '%PDF-1.7' }),
  // Only the arbitrary values are filtered by the schema (the targeted cases above must be refused whatever it says).
  fc.anything().filter((p) => !SaveFileInput.safeParse(p).success),
);
const badPrint = fc.oneof(
  fc.constantFrom('weekly.md', 'weekly', '../weekly.pdf', '.pdf', 'a/b.pdf', 'w.PDF.exe').map((suggestedName) => ({ suggestedName })),
  fc.constant({ suggestedName: 'w.pdf', content: 'x' }),
  fc.anything().filter((p) => !PrintToPdfInput.safeParse(p).success),
);

describe('bad payloads are refused with a clear error and write nothing', () => {
  it('in main, whatever the preload let through', async () => {
    const s = setup();
    const frame = s.frame;
    await fc.assert(
      fc.asyncProperty(badSave, badPrint, async (save, print) => {
        for (const [channel, payload] of [[DESK_FILES_CHANNELS.save, save], [DESK_FILES_CHANNELS.printToPdf, print]] as const) {
          const r = (await s.ipcMain.invoke(channel, { senderFrame: frame, sender: s.contents }, payload)) as { ok: boolean; error?: { code: string; message: string } };
          expect(r.ok).toBe(false);
          expect(r.error?.code).toBe('bad_input');
          expect(r.error?.message).toMatch(/refused: invalid payload/);
        }
      }),
      { numRuns: 150 },
    );
    expect(s.dialogCalls).toEqual([]);
    expect(s.contents.printToPDF).not.toHaveBeenCalled();
    expect(await listDir()).toEqual([]);
  });

  it('in the preload, before anything reaches main, with the rule in words', async () => {
    const s = setup();
    const invoke = vi.fn();
    const files = buildDeskFiles({ invoke });
    await fc.assert(
      fc.asyncProperty(badSave, async (save) => {
        const answer = await files.save(save);
        expect(answer.status).toBe('error');
        expect(answer.message).toMatch(/^Not saved: \S/);
      }),
      { numRuns: 100 },
    );
    await expect(files.save({ ...validSave, suggestedName: 'weekly.exe' })).resolves.toEqual({ status: 'error', message: 'Not saved: only .md and .csv files can be saved' });
    await expect(files.save({ suggestedName: 'w.pdf', contentType: 'application/pdf', content: '%PDF' })).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/only \.md and \.csv/) });
    await expect(files.printToPdf({ suggestedName: '../w.pdf' })).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/not a path/) });
    expect(invoke).not.toHaveBeenCalled();
    expect(s.dialogCalls).toEqual([]);
    expect(await listDir()).toEqual([]);
  });
});

describe('only the desk window may call', () => {
  it.each([
    ['a foreign origin', new FakeFrame('https://evil.example/index.html'), /not app:\/\/desk/],
    ['a subframe of the desk', new FakeFrame('app://desk/index.html', new FakeFrame()), /subframe/],
    ['no frame', null, /no sender frame/],
  ])('refuses %s: no dialog, no print, nothing written', async (_name, frame, reason) => {
    const s = setup();
    const files = buildDeskFiles(s.invokeAs(frame));
    const saved = await files.save(validSave);
    const printed = await files.printToPdf({ suggestedName: 'w.pdf' });
    for (const answer of [saved, printed]) expect(answer).toEqual({ status: 'error', message: expect.stringMatching(reason) });
    expect(s.dialogCalls).toEqual([]);
    expect(s.contents.printToPDF).not.toHaveBeenCalled();
    expect(await listDir()).toEqual([]);
    expect(s.logs.join('\n')).toMatch(reason);
  });

  it("refuses an app://desk frame in another window's webContents", async () => {
    const s = setup();
    const files = buildDeskFiles(s.invokeAs(new FakeFrame('app://desk/index.html'), { other: 'webContents' }));
    await expect(files.save(validSave)).resolves.toEqual({ status: 'error', message: expect.stringMatching(/did not come from the desk's window/) });
    await expect(files.printToPdf({ suggestedName: 'w.pdf' })).resolves.toMatchObject({ status: 'error' });
    expect(s.dialogCalls).toEqual([]);
    expect(await listDir()).toEqual([]);
  });
});
