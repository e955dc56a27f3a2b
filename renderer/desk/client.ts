// The typed desk client: picks the transport (Electron preload, else browser-mode HTTP) and turns
// DeskResult errors into DeskCallError. The core validates inputs and outputs; the UI trusts its answers.
import type { DeskClient, DeskEvent, DeskEventName, DeskInput, DeskMethod, DeskOutput, ShellEventName, ShellEvents } from '../../shared/desk-api';
import { checkShellEvent } from '../../shared/desk-names';
import type { z } from 'zod';
import { DeskCallError } from './desk-error';
import { earlyCalls } from './early-calls';
import { createElectronTransport, electronDesk } from './electron-transport';
import { createHttpTransport } from './http-transport';
import { createSocketTransport, deskSocketUrl } from './socket-transport';
import { takeLaunchToken } from './launch-token';
import type { DeskTransport } from './transport';

export type ShellEvent<E extends ShellEventName> = z.infer<ShellEvents[E]>;

export type Desk = DeskClient & {
  transport: DeskTransport['kind'];
  /** Whether calls made now reach the core in the order they are made (DeskTransport.ordered). */
  ordered(): boolean;
  /** Electron's shell events (menu commands, core restarts, notices); never fires in browser mode. */
  onShell<E extends ShellEventName>(event: E, listener: (payload: ShellEvent<E>) => void): () => void;
};

export function createDeskClient(transport: DeskTransport): Desk {
  return {
    transport: transport.kind,
    ordered: () => transport.ordered?.() ?? false,
    async call<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
      const result = await transport.call(method, input);
      if (!result.ok) throw new DeskCallError(method, result.error);
      return result.value as DeskOutput<M>;
    },
    on<E extends DeskEventName>(event: E, listener: (payload: DeskEvent<E>) => void) {
      return transport.on(event, listener as (payload: unknown) => void);
    },
    onShell<E extends ShellEventName>(event: E, listener: (payload: ShellEvent<E>) => void) {
      return transport.on(event, (payload) => {
        // main parses before sending; a payload that still does not fit is dropped, not half-handled.
        // Checked without zod (it stays out of the renderer bundle): the same rules as shellEvents.
        const parsed = checkShellEvent(event, payload);
        if (parsed) listener(parsed as ShellEvent<E>);
        else console.warn(`desk: ignored a malformed ${event} shell event`);
      });
    },
  };
}

export class NoTransportError extends Error {}

/**
 * Electron's window.desk when present, else browser mode with the launch token: calls over the desk socket
 * (one WebSocket), HTTP while it connects or when it cannot, events over server-sent events.
 */
export function pickTransport(): DeskTransport {
  const desk = electronDesk();
  if (desk) return createElectronTransport(desk);
  const token = takeLaunchToken();
  if (!token) {
    throw new NoTransportError(
      'No desk to talk to: this page was opened without a launch token. Start the desk with `npm start` and use the URL it prints.',
    );
  }
  const http = createHttpTransport({ baseUrl: window.location.origin, token, earlyResponse: earlyCalls.take });
  if (typeof WebSocket !== 'function') return http;
  return createSocketTransport({ url: deskSocketUrl(window.location.origin, token), fallback: http, hasEarlyAnswer: earlyCalls.has });
}
