// The ONE place that touches raw ipcMain (ESLint forbids it elsewhere in electron/main). Every channel is
// registered through here, so no handler can run before two checks: the sender is a trusted frame
// (non-null, the top frame, served from app://desk), and the payload parses with its zod schema.
// Refusals are answered as DeskResult errors (invoke) or dropped and logged (send); never thrown.
import type { z } from 'zod';
import type { DeskError, DeskResult } from '../../shared/desk-api';
import type { FrameLike, IpcMainEventLike, IpcMainLike } from './electron-like';
import { APP_ORIGIN } from './app-protocol';

export interface TrustedSender {
  event: IpcMainEventLike;
  frame: FrameLike;
}

/** Why a frame may not talk to main, or null when it may. */
export function untrustedFrameReason(frame: FrameLike | null | undefined, trustedOrigin = APP_ORIGIN): string | null {
  if (!frame) return 'no sender frame (destroyed or navigated away)';
  if (frame.detached) return 'sender frame is detached';
  if (frame.parent !== null) return 'sender is a subframe, not the main frame';
  const origin = originOf(frame.url);
  if (origin !== trustedOrigin) return `sender origin ${origin ?? '(unparsable url)'} is not ${trustedOrigin}`;
  return null;
}

// URL.origin is "null" for non-special schemes such as app:, so build scheme://host by hand.
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

export interface IpcWrapperOptions {
  trustedOrigin?: string;
  log?: (message: string) => void;
}

export interface IpcWrapper {
  /** ipcRenderer.invoke channel: answers DeskResult; the handler runs only for a trusted sender and parsed input. */
  handle<S extends z.ZodType, R>(channel: string, schema: S, handler: (input: z.infer<S>, sender: TrustedSender) => Promise<R> | R): void;
  /** ipcRenderer.send channel: the listener runs only for a trusted sender and parsed input. */
  on<S extends z.ZodType>(channel: string, schema: S, listener: (input: z.infer<S>, sender: TrustedSender) => void | Promise<void>): void;
  dispose(): void;
}

export function createIpcWrapper(ipcMain: IpcMainLike, opts: IpcWrapperOptions = {}): IpcWrapper {
  const log = opts.log ?? ((m: string) => console.warn(m));
  const handled = new Set<string>();
  const listened = new Set<string>();

  function admit<S extends z.ZodType>(channel: string, schema: S, event: IpcMainEventLike, args: unknown[]):
    | { ok: true; input: z.infer<S>; sender: TrustedSender }
    | { ok: false; error: DeskError } {
    const reason = untrustedFrameReason(event?.senderFrame, opts.trustedOrigin);
    if (reason) return { ok: false, error: { code: 'unauthorized', message: `ipc ${channel} refused: ${reason}` } };
    if (args.length > 1) return { ok: false, error: { code: 'bad_input', message: `ipc ${channel} refused: one argument expected, got ${args.length}` } };
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      return { ok: false, error: { code: 'bad_input', message: `ipc ${channel} refused: invalid payload`, details: parsed.error.issues } };
    }
    return { ok: true, input: parsed.data, sender: { event, frame: event.senderFrame as FrameLike } };
  }

  return {
    handle(channel, schema, handler) {
      if (handled.has(channel)) throw new Error(`ipc channel ${channel} is already handled`);
      handled.add(channel);
      ipcMain.handle(channel, async (event, ...args): Promise<DeskResult<unknown>> => {
        const admitted = admit(channel, schema, event, args);
        if (!admitted.ok) {
          log(admitted.error.message);
          return admitted;
        }
        try {
          return { ok: true, value: await handler(admitted.input, admitted.sender) };
        } catch (err) {
          log(`ipc ${channel} handler failed: ${String(err)}`);
          return { ok: false, error: { code: 'internal', message: `ipc ${channel} failed` } };
        }
      });
    },
    on(channel, schema, listener) {
      if (listened.has(channel)) throw new Error(`ipc channel ${channel} already has a listener`);
      listened.add(channel);
      ipcMain.on(channel, (event, ...args) => {
        const admitted = admit(channel, schema, event, args);
        if (!admitted.ok) {
          log(admitted.error.message);
          return;
        }
        Promise.resolve()
          .then(() => listener(admitted.input, admitted.sender))
          .catch((err: unknown) => log(`ipc ${channel} listener failed: ${String(err)}`));
      });
    },
    dispose() {
      for (const c of handled) ipcMain.removeHandler(c);
      for (const c of listened) ipcMain.removeAllListeners(c);
      handled.clear();
      listened.clear();
    },
  };
}

/** The wrapper over Electron's real ipcMain, imported lazily so tests can load this file without Electron. */
export async function createElectronIpcWrapper(opts: IpcWrapperOptions = {}): Promise<IpcWrapper> {
  const { ipcMain } = await import('electron');
  return createIpcWrapper(ipcMain as unknown as IpcMainLike, opts);
}
