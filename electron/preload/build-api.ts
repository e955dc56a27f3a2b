// window.desk: the desk API's verbs grouped by feature (window.desk.triage.decide(input)), generated from
// the contract's method table, plus on(event, listener). Calls travel over the MessagePort main hands
// to this frame; the ipcRenderer is used only to ask for that port and to hear shell events. Listeners get
// the payload only, never an Electron event object, and unknown groups, verbs or events throw.
import { DESK_IPC_CHANNELS, DESK_METHOD_NAMES, DeskEventMessage, deskEvents, shellEvents, type DeskResult } from '../../shared/desk-api';
import { createDeskPortClient } from '../common/desk-port-client';

/** A DOM MessagePort, as the preload receives it in an IPC event's `ports`. */
export interface RendererPortLike {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => unknown) | null;
  start?(): void;
  close(): void;
}

export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: { ports?: readonly RendererPortLike[] }, ...args: unknown[]) => void): unknown;
}

export type DeskVerb = (input?: unknown) => Promise<DeskResult<unknown>>;
export type DeskListener = (payload: unknown) => void;
export type DeskApi = Readonly<Record<string, Readonly<Record<string, DeskVerb>>>> & {
  readonly on: (event: string, listener: DeskListener) => () => void;
};

export const DESK_EVENT_NAMES: readonly string[] = Object.freeze([...Object.keys(deskEvents), ...Object.keys(shellEvents)]);

/** DESK_METHOD_NAMES grouped: { session: ['get', 'connect', ...], ... }. */
export function groupMethods(names: readonly string[] = DESK_METHOD_NAMES): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const name of names) {
    const dot = name.indexOf('.');
    if (dot <= 0 || dot !== name.lastIndexOf('.')) throw new Error(`desk method ${name} is not <group>.<verb>`);
    (groups[name.slice(0, dot)] ??= []).push(name.slice(dot + 1));
  }
  return groups;
}

function guarded<T extends object>(target: T, what: string): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string' && !Object.prototype.hasOwnProperty.call(t, key)) {
        throw new TypeError(`window.desk: unknown ${what} "${key}"`);
      }
      return Reflect.get(t, key, receiver);
    },
  });
}

export interface BuiltDesk {
  /** Guarded: reading an unknown group or verb throws. Use inside the preload world and in tests. */
  api: DeskApi;
  /** The same functions as plain frozen objects, for contextBridge (which copies objects, not proxies). */
  bridgeable: DeskApi;
}

export function buildDesk(ipc: IpcRendererLike): BuiltDesk {
  const listeners = new Map<string, Set<DeskListener>>();
  const emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`window.desk listener for ${event} threw`, err);
      }
    }
  };
  const client = createDeskPortClient(emit);

  ipc.on(DESK_IPC_CHANNELS.port, (event) => {
    const port = event?.ports?.[0];
    if (!port) return;
    port.onmessage = (e) => client.receive(e.data);
    port.start?.();
    client.attach({ post: (m) => port.postMessage(m), close: () => port.close() });
  });
  ipc.on(DESK_IPC_CHANNELS.shellEvent, (_event, message) => {
    const parsed = DeskEventMessage.safeParse(message);
    if (parsed.success && Object.prototype.hasOwnProperty.call(shellEvents, parsed.data.event)) emit(parsed.data.event, parsed.data.payload);
  });

  const plainGroups: Record<string, Readonly<Record<string, DeskVerb>>> = {};
  const guardedGroups: Record<string, Readonly<Record<string, DeskVerb>>> = {};
  for (const [group, verbs] of Object.entries(groupMethods())) {
    const g: Record<string, DeskVerb> = {};
    for (const verb of verbs) {
      const method = `${group}.${verb}`;
      // Inputs default to {} so verbs without input can be called bare: window.desk.session.get().
      g[verb] = (input: unknown = {}) => client.call(method, input);
    }
    plainGroups[group] = Object.freeze(g);
    guardedGroups[group] = guarded(plainGroups[group], `method "${group}.<verb>": verb`);
  }

  const on = (event: string, listener: DeskListener): (() => void) => {
    if (typeof event !== 'string' || !DESK_EVENT_NAMES.includes(event)) throw new TypeError(`window.desk.on: unknown event "${String(event)}"`);
    if (typeof listener !== 'function') throw new TypeError('window.desk.on: listener must be a function');
    // Wrapped so the listener only ever receives the payload, whatever the emitter passes.
    const wrapped: DeskListener = (payload) => listener(payload);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(wrapped);
    return () => void set.delete(wrapped);
  };

  ipc.send(DESK_IPC_CHANNELS.connect, {});

  const bridgeable = Object.freeze({ ...plainGroups, on }) as DeskApi;
  const api = guarded(Object.freeze({ ...guardedGroups, on }), 'method group') as DeskApi;
  return { api, bridgeable };
}

/** The guarded window.desk API over an ipcRenderer-like object. */
export function buildApi(ipc: IpcRendererLike): DeskApi {
  return buildDesk(ipc).api;
}
