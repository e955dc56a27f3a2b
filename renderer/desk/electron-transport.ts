// Electron: the preload exposes window.desk.<group>.<verb>(input) and window.desk.on(event, listener).
import type { DeskEventName, DeskResult, ShellEventName } from '../../shared/desk-api';
import type { DeskTransport } from './transport';

type Verb = (input: unknown) => Promise<DeskResult<unknown>>;
export interface PreloadDesk {
  on(event: string, listener: (payload: unknown) => void): () => void;
  [group: string]: unknown;
}

export function electronDesk(): PreloadDesk | null {
  const desk = (globalThis as { desk?: unknown }).desk;
  return desk && typeof desk === 'object' && typeof (desk as PreloadDesk).on === 'function' ? (desk as PreloadDesk) : null;
}

export function createElectronTransport(desk: PreloadDesk): DeskTransport {
  return {
    kind: 'electron',
    // One MessagePort (electron/common/desk-port-client.ts queues calls made before it arrives, in order).
    ordered: () => true,
    async call(method, input) {
      const [group, verb] = method.split('.');
      try {
        // The preload may guard its groups (unknown names throw), so the lookup sits inside the try.
        const fn = (desk[group] as Record<string, Verb> | undefined)?.[verb];
        if (typeof fn !== 'function') return { ok: false, error: { code: 'unknown_method', message: `The desk has no method ${method}` } };
        return await fn(input);
      } catch (e) {
        // The preload answers DeskResult; a rejection means the channel itself broke.
        return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
      }
    },
    on(event: DeskEventName | ShellEventName, listener) {
      try {
        return desk.on(event, listener);
      } catch {
        // An older preload refuses event names it does not know (shell events): nothing will come.
        return () => undefined;
      }
    },
  };
}
