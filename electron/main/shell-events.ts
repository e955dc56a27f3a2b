// Shell events (shared/desk-api.ts shellEvents) go from main to every window's preload, which hands the
// payload to window.desk.on listeners. Payloads are parsed here so a bad one never leaves main.
import { shellEvents, DESK_IPC_CHANNELS, type ShellEventName } from '../../shared/desk-api';
import type { EventSenderLike } from './electron-like';

export interface ShellEvents {
  send(event: ShellEventName, payload: unknown): void;
}

export function createShellEvents(targets: () => readonly EventSenderLike[]): ShellEvents {
  return {
    send(event, payload) {
      const data = shellEvents[event].parse(payload);
      for (const t of targets()) {
        if (!t.isDestroyed()) t.send(DESK_IPC_CHANNELS.shellEvent, { event, payload: data });
      }
    },
  };
}
