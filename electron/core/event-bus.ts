// Push events of the desk API (shared/desk-api.ts deskEvents). Listener errors never reach the emitter.
import type { DeskEvent, DeskEventName } from '../../shared/desk-api';

export type DeskEventListener = (name: DeskEventName, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Set<DeskEventListener>();

  on(listener: DeskEventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  emit<E extends DeskEventName>(name: E, payload: DeskEvent<E>): void {
    for (const l of [...this.listeners]) {
      try { l(name, payload); } catch { /* a transport's failure is its own */ }
    }
  }
}
