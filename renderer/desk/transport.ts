// What the renderer needs from a transport: send a call, get a DeskResult; subscribe to push events.
import type { DeskEventName, DeskResult } from '../../shared/desk-api';

export interface DeskTransport {
  readonly kind: 'electron' | 'http';
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  on(event: DeskEventName, listener: (payload: unknown) => void): () => void;
}
