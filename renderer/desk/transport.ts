// What the renderer needs from a transport: send a call, get a DeskResult; subscribe to push events.
// Shell events (shared/desk-api.ts shellEvents) come only from Electron's main process: a transport that
// cannot carry them answers `on` with a no-op unsubscribe.
import type { DeskEventName, DeskResult, ShellEventName } from '../../shared/desk-api';

export interface DeskTransport {
  readonly kind: 'electron' | 'http';
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  /**
   * Whether a call made now reaches the core after every call made before it through this transport, and the
   * core starts them in that order (one ordered channel: Electron's MessagePort, the open desk socket). Then the
   * triage queue sends the next key's call without waiting for the previous answer (issue 15 gap 2).
   * Absent: false (HTTP requests may overtake each other).
   */
  ordered?(): boolean;
  on(event: DeskEventName | ShellEventName, listener: (payload: unknown) => void): () => void;
}
