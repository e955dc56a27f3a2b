// Saving a file the desk made (the weekly review's Markdown or CSV) and printing a view. The seam for the
// shell: the Electron preload offers `window.deskFiles` (a native save dialog; electron/main/desk-files.ts);
// everywhere else (browser mode) the browser downloads the file or opens its print dialog. The renderer
// never writes files itself.
import type { DeskFileAnswer } from '../../shared/desk-files';

export interface SavableFile {
  filename: string;
  contentType: string;
  content: string;
}

interface ShellFiles {
  save(file: { suggestedName: string; contentType: string; content: string }): Promise<DeskFileAnswer>;
  printToPdf(options: { suggestedName: string }): Promise<DeskFileAnswer>;
}

function shellFiles(): Partial<ShellFiles> | undefined {
  return (window as unknown as { deskFiles?: Partial<ShellFiles> }).deskFiles;
}

export type SaveResult = { via: 'shell'; answer: DeskFileAnswer } | { via: 'download' | 'print'; answer: null };

/** Saves through the shell when it offers a save dialog, else as a browser download. */
export async function saveFile(file: SavableFile): Promise<SaveResult> {
  const shell = shellFiles();
  if (shell && typeof shell.save === 'function') {
    return { via: 'shell', answer: await shell.save({ suggestedName: file.filename, contentType: file.contentType, content: file.content }) };
  }
  const url = URL.createObjectURL(new Blob([file.content], { type: file.contentType }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = file.filename;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return { via: 'download', answer: null };
}

/** Prints the page to a PDF file through the shell when it can (print stylesheet applies), else opens the browser's print dialog. */
export async function printToPdf(suggestedName: string): Promise<SaveResult> {
  const shell = shellFiles();
  if (shell && typeof shell.printToPdf === 'function') return { via: 'shell', answer: await shell.printToPdf({ suggestedName }) };
  window.print();
  return { via: 'print', answer: null };
}
