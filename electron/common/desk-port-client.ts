// The caller's side of the desk-call framing over a MessagePort (DeskRequestMessage out, DeskReplyMessage
// and DeskEventMessage in). Used by the Electron preload (DOM MessagePort) and by main's own link to the
// core (MessagePortMain); each passes a tiny adapter, so this file needs neither DOM nor Node.
import { DeskEventMessage, DeskReplyMessage, type DeskResult } from '../../shared/desk-api';

export interface DeskPortLink {
  post(message: unknown): void;
  close(): void;
}

export interface DeskPortClient {
  call(method: string, input: unknown): Promise<DeskResult<unknown>>;
  /** Feed every message that arrives on the port here. */
  receive(data: unknown): void;
  /** Replace the port (e.g. after the core restarted): calls in flight on the old one are answered `internal`. */
  attach(link: DeskPortLink): void;
  detach(reason: string): void;
  readonly attached: boolean;
}

export function createDeskPortClient(onEvent: (event: string, payload: unknown) => void): DeskPortClient {
  let link: DeskPortLink | null = null;
  let nextId = 1;
  const inFlight = new Map<number, (r: DeskResult<unknown>) => void>();
  // Calls made before the first port arrives wait here, in order.
  const queued: Array<{ id: number; method: string; input: unknown }> = [];

  const failInFlight = (message: string) => {
    for (const [id, resolve] of inFlight) {
      if (queued.some((q) => q.id === id)) continue;
      inFlight.delete(id);
      resolve({ ok: false, error: { code: 'internal', message } });
    }
  };

  return {
    get attached() {
      return link !== null;
    },
    call(method, input) {
      const id = nextId++;
      return new Promise((resolve) => {
        inFlight.set(id, resolve);
        const req = { id, method, input };
        if (!link) {
          queued.push(req);
          return;
        }
        try {
          link.post(req);
        } catch (err) {
          inFlight.delete(id);
          resolve({ ok: false, error: { code: 'bad_input', message: `desk call ${method} could not be sent: ${String(err)}` } });
        }
      });
    },
    receive(data) {
      const reply = DeskReplyMessage.safeParse(data);
      if (reply.success) {
        const resolve = inFlight.get(reply.data.id);
        if (resolve) {
          inFlight.delete(reply.data.id);
          resolve(reply.data.result as DeskResult<unknown>);
        }
        return;
      }
      const ev = DeskEventMessage.safeParse(data);
      if (ev.success) onEvent(ev.data.event, ev.data.payload);
    },
    attach(next) {
      if (link) {
        failInFlight('the desk core restarted while this call was running; check the item and retry');
        link.close();
      }
      link = next;
      for (const req of queued.splice(0)) {
        try {
          next.post(req);
        } catch (err) {
          inFlight.get(req.id)?.({ ok: false, error: { code: 'bad_input', message: `desk call could not be sent: ${String(err)}` } });
          inFlight.delete(req.id);
        }
      }
    },
    detach(reason) {
      failInFlight(reason);
      link?.close();
      link = null;
    },
  };
}
