// The shell's file verbs (Electron only): window.deskFiles.save and window.deskFiles.printToPdf. The
// renderer cannot write files (and the hardened session cancels downloads), so a file the desk made goes
// through a native save dialog in main. One set of rules, checked in the preload and again in main.
import { z } from 'zod';

export const DESK_FILES_CHANNELS = { save: 'desk-files:save', printToPdf: 'desk-files:print-to-pdf' } as const;

/** The only kinds of file the shell writes, by extension. */
export const DESK_FILE_TYPES = {
  md: { extension: '.md', contentTypes: ['text/markdown'], filterName: 'Markdown' },
  csv: { extension: '.csv', contentTypes: ['text/csv'], filterName: 'CSV' },
  pdf: { extension: '.pdf', contentTypes: ['application/pdf'], filterName: 'PDF' },
} as const;
export type DeskFileKind = keyof typeof DESK_FILE_TYPES;

/** A saved text file (a weekly review export is tens of kB; this bounds a runaway renderer). */
export const MAX_SAVED_FILE_CHARS = 5 * 1024 * 1024;
/** A printed PDF larger than this is refused, not written. */
export const MAX_PDF_BYTES = 50 * 1024 * 1024;
export const MAX_SUGGESTED_NAME_CHARS = 200;

/** The extension of a file name (lower case, with the dot), or '' when it has none. */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

export function fileKindOf(name: string): DeskFileKind | null {
  const ext = extensionOf(name);
  for (const [kind, t] of Object.entries(DESK_FILE_TYPES)) if (t.extension === ext) return kind as DeskFileKind;
  return null;
}

// A bare file name: no folders (the dialog picks the folder), no control characters, not hidden.
const SuggestedName = z
  .string()
  .min(1)
  .max(MAX_SUGGESTED_NAME_CHARS)
  .refine((s) => !/[/\\]/.test(s), 'a file name, not a path (no / or \\)')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters in a file name')
  .refine((s) => !s.startsWith('.'), 'a file name may not start with a dot');

export const SaveFileInput = z
  .object({
    suggestedName: SuggestedName,
    contentType: z.string().max(100),
    content: z.string().max(MAX_SAVED_FILE_CHARS, `content longer than ${MAX_SAVED_FILE_CHARS} characters`),
  })
  .strict()
  .superRefine((v, ctx) => {
    const kind = fileKindOf(v.suggestedName);
    if (kind !== 'md' && kind !== 'csv') {
      ctx.addIssue({ code: 'custom', path: ['suggestedName'], message: 'only .md and .csv files can be saved' });
      return;
    }
    const mime = v.contentType.split(';')[0].trim().toLowerCase();
    if (!(DESK_FILE_TYPES[kind].contentTypes as readonly string[]).includes(mime)) {
      ctx.addIssue({ code: 'custom', path: ['contentType'], message: `${v.contentType} does not match a ${DESK_FILE_TYPES[kind].extension} file` });
    }
  });
export type SaveFileInput = z.infer<typeof SaveFileInput>;

export const PrintToPdfInput = z
  .object({ suggestedName: SuggestedName.refine((s) => fileKindOf(s) === 'pdf', 'only .pdf files can be printed to') })
  .strict();
export type PrintToPdfInput = z.infer<typeof PrintToPdfInput>;

/** What a file verb answers, in words the renderer can show as is. */
export const DeskFileAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('saved'), path: z.string(), message: z.string() }),
  z.object({ status: z.literal('cancelled'), message: z.string() }),
  z.object({ status: z.literal('error'), message: z.string() }),
]);
export type DeskFileAnswer = z.infer<typeof DeskFileAnswer>;
