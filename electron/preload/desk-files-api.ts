// window.deskFiles: save a file the desk made, or print the window to PDF, each through a native save dialog
// in main (electron/main/desk-files.ts). Inputs are checked here with the same schemas main checks again,
// and every outcome, refusals included, resolves to an answer in words; nothing throws at the caller.
import { DESK_FILES_CHANNELS, DeskFileAnswer, PrintToPdfInput, SaveFileInput } from '../../shared/desk-files';
import type { DeskResult } from '../../shared/desk-api';
import type { z } from 'zod';

export interface IpcInvokerLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export interface DeskFilesApi {
  readonly save: (file: unknown) => Promise<DeskFileAnswer>;
  readonly printToPdf: (options: unknown) => Promise<DeskFileAnswer>;
}

function refusal(error: z.ZodError): DeskFileAnswer {
  return { status: 'error', message: `Not saved: ${error.issues.map((i) => i.message).join('; ')}` };
}

async function call(ipc: IpcInvokerLike, channel: string, input: unknown): Promise<DeskFileAnswer> {
  let result: DeskResult<unknown>;
  try {
    result = (await ipc.invoke(channel, input)) as DeskResult<unknown>;
  } catch {
    return { status: 'error', message: 'Not saved: the shell did not answer.' };
  }
  if (!result?.ok) {
    const details = Array.isArray(result?.error?.details)
      ? (result.error.details as Array<{ message?: unknown }>).map((d) => d?.message).filter((m) => typeof m === 'string')
      : [];
    return { status: 'error', message: `Not saved: ${[result?.error?.message ?? 'refused by the shell', ...details].join('; ')}` };
  }
  const answer = DeskFileAnswer.safeParse(result.value);
  return answer.success ? answer.data : { status: 'error', message: 'Not saved: the shell gave an unexpected answer.' };
}

export function buildDeskFiles(ipc: IpcInvokerLike): DeskFilesApi {
  return Object.freeze({
    save: async (file: unknown) => {
      const parsed = SaveFileInput.safeParse(file);
      return parsed.success ? call(ipc, DESK_FILES_CHANNELS.save, parsed.data) : refusal(parsed.error);
    },
    printToPdf: async (options: unknown) => {
      const parsed = PrintToPdfInput.safeParse(options);
      return parsed.success ? call(ipc, DESK_FILES_CHANNELS.printToPdf, parsed.data) : refusal(parsed.error);
    },
  });
}
