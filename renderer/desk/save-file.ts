// Saving a file the desk made (the weekly review's Markdown or CSV). The seam for the shell: a preload that
// offers `window.deskFiles.save` (a save dialog in Electron) gets the file; everywhere else (browser mode)
// the browser downloads it. The renderer never writes files itself.
export interface SavableFile {
  filename: string;
  contentType: string;
  content: string;
}

interface ShellFiles {
  save(file: SavableFile): Promise<{ saved: boolean; path?: string | null }>;
}

/** Saves through the shell when it offers a save dialog, else as a browser download. */
export async function saveFile(file: SavableFile): Promise<{ saved: boolean; via: 'shell' | 'download' }> {
  const shell = (window as unknown as { deskFiles?: ShellFiles }).deskFiles;
  if (shell && typeof shell.save === 'function') return { saved: (await shell.save(file)).saved, via: 'shell' };
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
  return { saved: true, via: 'download' };
}
