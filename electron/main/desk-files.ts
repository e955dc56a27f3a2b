// window.deskFiles in main: save a file the desk made, or print the window to PDF, through a native save
// dialog on the desk's own window. The renderer cannot write files and the hardened session cancels
// downloads, so this is the only way a file leaves the app. The IPC wrapper has already checked the sender
// frame (top frame, app://desk) and parsed the payload; here the sender must also be the desk's window,
// the chosen path must keep the allowed extension, and every answer is in words, never a throw.
import { writeFile as fsWriteFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DESK_FILES_CHANNELS,
  DESK_FILE_TYPES,
  MAX_PDF_BYTES,
  PrintToPdfInput,
  SaveFileInput,
  extensionOf,
  fileKindOf,
  type DeskFileAnswer,
  type DeskFileKind,
} from '../../shared/desk-files';
import type { IpcWrapper, TrustedSender } from './ipc-wrapper';

export interface SaveDialogOptionsLike {
  title: string;
  defaultPath: string;
  filters: Array<{ name: string; extensions: string[] }>;
  properties: string[];
}

export interface SaveDialogLike {
  showSaveDialog(window: unknown, options: SaveDialogOptionsLike): Promise<{ canceled: boolean; filePath?: string }>;
}

/** The part of a WebContents printing needs. */
export interface PrintableContentsLike {
  printToPDF(options: Record<string, unknown>): Promise<Uint8Array>;
  isDestroyed(): boolean;
}

export interface DeskFilesDeps {
  dialog: SaveDialogLike;
  /** The desk's window and its contents when the sender is that window, else null (refused). */
  windowFor(sender: TrustedSender): { window: unknown; contents: PrintableContentsLike } | null;
  /** The folder the dialog opens in. */
  defaultDir(): string;
  writeFile?: (file: string, data: string | Uint8Array) => Promise<void>;
  log?: (message: string) => void;
}

const NOT_OURS: DeskFileAnswer = { status: 'error', message: "Refused: the request did not come from the desk's window." };

export function registerDeskFiles(ipc: IpcWrapper, deps: DeskFilesDeps): void {
  const write = deps.writeFile ?? ((file, data) => fsWriteFile(file, data));
  const log = deps.log ?? ((m: string) => console.warn(m));

  /** Asks where to save: the file, or the answer when cancelled or the chosen path is not allowed. */
  async function choosePath(window: unknown, suggestedName: string, kind: DeskFileKind): Promise<{ file: string } | { answer: DeskFileAnswer }> {
    const type = DESK_FILE_TYPES[kind];
    const r = await deps.dialog.showSaveDialog(window, {
      title: kind === 'pdf' ? 'Save as PDF' : `Save ${type.filterName}`,
      defaultPath: path.join(deps.defaultDir(), suggestedName),
      filters: [{ name: type.filterName, extensions: [type.extension.slice(1)] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (r.canceled || !r.filePath) return { answer: { status: 'cancelled', message: 'Not saved: the save dialog was cancelled.' } };
    let file = r.filePath;
    if (!path.isAbsolute(file)) return { answer: { status: 'error', message: `Not saved: ${file} is not an absolute path.` } };
    // Linux dialogs do not enforce the filter: a bare name gets the extension, another extension is refused.
    if (extensionOf(file) === '') file += type.extension;
    else if (fileKindOf(file) !== kind) {
      return { answer: { status: 'error', message: `Not saved: ${path.basename(file)} must end in ${type.extension}.` } };
    }
    return { file };
  }

  async function writeAnswer(file: string, data: string | Uint8Array): Promise<DeskFileAnswer> {
    try {
      await write(file, data);
      return { status: 'saved', path: file, message: `Saved ${file}` };
    } catch (err) {
      const why = (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
      log(`deskFiles: writing ${file} failed: ${why}`);
      return { status: 'error', message: `Not saved: could not write ${file} (${why}).` };
    }
  }

  ipc.handle(DESK_FILES_CHANNELS.save, SaveFileInput, async (input, sender): Promise<DeskFileAnswer> => {
    const own = deps.windowFor(sender);
    if (!own) return NOT_OURS;
    const kind = fileKindOf(input.suggestedName) as DeskFileKind;
    const chosen = await choosePath(own.window, input.suggestedName, kind);
    if ('answer' in chosen) return chosen.answer;
    return writeAnswer(chosen.file, input.content);
  });

  ipc.handle(DESK_FILES_CHANNELS.printToPdf, PrintToPdfInput, async (input, sender): Promise<DeskFileAnswer> => {
    const own = deps.windowFor(sender);
    if (!own) return NOT_OURS;
    const chosen = await choosePath(own.window, input.suggestedName, 'pdf');
    if ('answer' in chosen) return chosen.answer;
    if (own.contents.isDestroyed()) return { status: 'error', message: 'Not saved: the window closed before printing.' };
    let pdf: Uint8Array;
    try {
      // The page's print stylesheet applies (printToPDF renders with media=print).
      pdf = await own.contents.printToPDF({ printBackground: true, pageSize: 'A4', preferCSSPageSize: true });
    } catch (err) {
      log(`deskFiles: printToPDF failed: ${String(err)}`);
      return { status: 'error', message: 'Not saved: printing to PDF failed.' };
    }
    if (pdf.byteLength > MAX_PDF_BYTES) return { status: 'error', message: `Not saved: the PDF is larger than ${MAX_PDF_BYTES / 1024 / 1024} MB.` };
    return writeAnswer(chosen.file, pdf);
  });
}
