// How the core talks when it runs in Electron's utilityProcess (plain Node: never imports 'electron').
// - Main <-> utility control messages over process.parentPort (schemas below, parsed on both sides).
// - serveDispatcherOnPort: answers desk calls arriving on a MessagePort main handed over, and pushes events.
// - createRemoteSecretStore: the token stays in main (safeStorage exists only there); the core asks for it.
import type { SecretStore } from './secret-store';
import { z } from 'zod';
import {
  DeskEventMessage,
  DeskRequestMessage,
  type DeskDispatcher,
  type DeskResult,
} from '../../shared/desk-api';

/** A MessagePortMain as the utility process sees it (EventEmitter style; `message` carries `{ data }`). */
export interface UtilityPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: readonly unknown[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export const MainToUtilityMessage = z.union([
  z.object({ type: z.literal('connect') }),
  z.object({ type: z.literal('shutdown') }),
  z.object({ type: z.literal('secret-reply'), id: z.number().int(), ok: z.literal(true), value: z.string().nullable() }),
  z.object({ type: z.literal('secret-reply'), id: z.number().int(), ok: z.literal(false), message: z.string() }),
]);
export type MainToUtilityMessage = z.infer<typeof MainToUtilityMessage>;

export const UtilityToMainMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('fatal'), code: z.string(), message: z.string() }),
  /** The user asked to see the logs: main shows its own log folder (never a path the core names). */
  z.object({ type: z.literal('reveal-logs') }),
  z.object({ type: z.literal('secret'), id: z.number().int(), op: z.enum(['get', 'set', 'clear']), token: z.string().max(10_000).optional() }),
]);
export type UtilityToMainMessage = z.infer<typeof UtilityToMainMessage>;

/** Serve one renderer (or main's own client) on a port; returns a function that stops serving. */
export function serveDispatcherOnPort(dispatcher: DeskDispatcher | Promise<DeskDispatcher>, port: UtilityPortLike): () => void {
  let closed = false;
  let offEvents: (() => void) | null = null;
  const ready = Promise.resolve(dispatcher).then((d) => {
    if (!closed) offEvents = d.onEvent((event, payload) => safePost(port, DeskEventMessage.parse({ event, payload })));
    return d;
  });
  // A failed core start is reported by the utility entry; calls answer instead of hanging.
  ready.catch(() => {});

  port.on('message', (e) => {
    const req = DeskRequestMessage.safeParse(e.data);
    if (!req.success) {
      const id = (e.data as { id?: unknown } | null)?.id;
      if (typeof id === 'number') {
        safePost(port, { id, result: { ok: false, error: { code: 'bad_input', message: 'malformed desk request', details: req.error.issues } } });
      }
      return;
    }
    const { id, method, input } = req.data;
    void ready
      .then((d) => d.call(method, input))
      .catch((err: unknown): DeskResult<unknown> => ({ ok: false, error: { code: 'internal', message: `core unavailable: ${String(err)}` } }))
      .then((result) => safePost(port, { id, result }));
  });
  const stop = () => {
    if (closed) return;
    closed = true;
    offEvents?.();
  };
  port.on('close', stop);
  port.start();
  return stop;
}

function safePost(port: UtilityPortLike, message: unknown): void {
  try {
    port.postMessage(message);
  } catch {
    // The other end went away; its 'close' stops the subscription.
  }
}

/** A SecretStore whose every operation is a request to main over parentPort. */
export function createRemoteSecretStore(post: (message: UtilityToMainMessage) => void): SecretStore & {
  onReply(message: Extract<MainToUtilityMessage, { type: 'secret-reply' }>): void;
} {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: string | null) => void; reject: (e: Error) => void }>();
  const request = (op: 'get' | 'set' | 'clear', token?: string) =>
    new Promise<string | null>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ type: 'secret', id, op, ...(token === undefined ? {} : { token }) });
    });
  return {
    get: () => request('get'),
    set: async (token) => void (await request('set', token)),
    clear: async () => void (await request('clear')),
    onReply(message) {
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if (message.ok) p.resolve(message.value);
      else p.reject(new Error(`secret store: ${message.message}`));
    },
  };
}
