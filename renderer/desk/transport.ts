// What the renderer needs from a transport: send a call, get a DeskResult; subscribe to push events.
// Shell events (shared/desk-api.ts shellEvents) come only from Electron's main process: a transport that
// cannot carry them answers `on` with a no-op unsubscribe.
import type { DeskEventName, DeskResult, ShellEventName } from '../../shared/desk-api';

export interface DeskTransport {
  readonly kind: 'electron' | 'http';
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  on(event: DeskEventName | ShellEventName, listener: (payload: unknown) => void): () => void;
}
