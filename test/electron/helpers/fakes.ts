// Fakes of the Electron pieces the shell talks to. Only the Electron binary is faked: ports are real
// Node MessageChannels (structured clone and all), and the "utility process" runs the real utility entry
// in-process against a fake parentPort.
import { EventEmitter } from 'node:events';
import type { FrameLike, IpcMainEventLike, IpcMainLike, MainChannelLike, MainPortLike } from '../../../electron/main/electron-like';
import type { UtilityProcessLike } from '../../../electron/main/core-host';
import type { IpcRendererLike, RendererPortLike } from '../../../electron/preload/build-api';

type NodePort = import('node:worker_threads').MessagePort;

/** A Node MessagePort dressed as MessagePortMain; `raw` is what a renderer would hold (DOM-style). */
export interface AdaptedPort extends MainPortLike {
  raw: NodePort;
}

export function adaptPort(raw: NodePort): AdaptedPort {
  return {
    raw,
    on(event: 'message' | 'close', listener: (e: { data: unknown }) => void) {
      if (event === 'message') raw.on('message', (data: unknown) => listener({ data }));
      else raw.on('close', listener as () => void);
      return this;
    },
    postMessage: (m: unknown) => raw.postMessage(m),
    start: () => raw.start(),
    close: () => raw.close(),
  } as AdaptedPort;
}

export function nodeChannel(): MainChannelLike & { port1: AdaptedPort; port2: AdaptedPort } {
  const ch = new MessageChannel() as unknown as { port1: NodePort; port2: NodePort };
  return { port1: adaptPort(ch.port1), port2: adaptPort(ch.port2) };
}

export class FakeIpcMain implements IpcMainLike {
  listeners = new Map<string, (event: IpcMainEventLike, ...args: unknown[]) => void>();
  handlers = new Map<string, (event: IpcMainEventLike, ...args: unknown[]) => unknown>();
  on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void) {
    this.listeners.set(channel, listener);
    return this;
  }
  handle(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => unknown) {
    this.handlers.set(channel, listener);
  }
  removeAllListeners(channel: string) {
    this.listeners.delete(channel);
    return this;
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  emit(channel: string, event: IpcMainEventLike, ...args: unknown[]) {
    const l = this.listeners.get(channel);
    if (!l) throw new Error(`no listener on ${channel}`);
    l(event, ...args);
  }
  invoke(channel: string, event: IpcMainEventLike, ...args: unknown[]) {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler on ${channel}`);
    return h(event, ...args);
  }
}

export class FakeFrame implements FrameLike {
  posted: Array<{ channel: string; message: unknown; transfer: MainPortLike[] }> = [];
  detached = false;
  onPost: ((channel: string, message: unknown, transfer: MainPortLike[]) => void) | null = null;
  constructor(
    public url = 'app://desk/index.html',
    public parent: FrameLike | null = null,
  ) {}
  postMessage(channel: string, message: unknown, transfer: MainPortLike[] = []) {
    this.posted.push({ channel, message, transfer });
    this.onPost?.(channel, message, transfer);
  }
}

/** An ipcRenderer whose send() reaches a FakeIpcMain as `frame`, and whose frame posts land back here. */
export class FakeIpcRenderer implements IpcRendererLike {
  sent: Array<{ channel: string; args: unknown[] }> = [];
  private emitter = new EventEmitter();
  constructor(
    private ipcMain?: FakeIpcMain,
    public frame: FakeFrame = new FakeFrame(),
  ) {
    frame.onPost = (channel, message, transfer) =>
      this.deliver(channel, { ports: transfer.map((p) => (p as AdaptedPort).raw as unknown as RendererPortLike), sender: 'ipc-event' }, message);
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
    if (this.ipcMain?.listeners.has(channel)) this.ipcMain.emit(channel, { senderFrame: this.frame }, ...args);
  }
  on(channel: string, listener: (event: { ports?: readonly RendererPortLike[] }, ...args: unknown[]) => void) {
    this.emitter.on(channel, listener);
    return this;
  }
  /** What main's webContents.send / frame.postMessage would deliver: an event object first, then args. */
  deliver(channel: string, event: { ports?: readonly RendererPortLike[]; [k: string]: unknown }, ...args: unknown[]) {
    this.emitter.emit(channel, event, ...args);
  }
}

/** A utilityProcess double: EventEmitter with postMessage; `toChild` sees what main posted. */
export class FakeUtility extends EventEmitter implements UtilityProcessLike {
  toChild: Array<{ message: unknown; transfer?: MainPortLike[] }> = [];
  killed = false;
  onPost: ((message: unknown, transfer?: MainPortLike[]) => void) | null = null;
  postMessage(message: unknown, transfer?: MainPortLike[]) {
    this.toChild.push({ message, transfer });
    this.onPost?.(message, transfer);
  }
  kill() {
    this.killed = true;
    queueMicrotask(() => this.emit('exit', 9));
    return true;
  }
  /** The child says something to main. */
  fromChild(message: unknown) {
    this.emit('message', message);
  }
}

/**
 * A "utility process" that runs the real utility entry (runUtility) in this process: main's postMessage
 * reaches a fake parentPort as `{ data, ports }`, the child's parentPort.postMessage reaches main as a
 * 'message' event, and the child's exit(code) becomes an 'exit' event.
 */
export function inProcessUtility(
  runUtility: (parentPort: { on(e: 'message', l: (e: { data: unknown; ports?: readonly never[] }) => void): unknown; postMessage(m: unknown): void }, argv: string[], exit: (code: number) => void) => void,
  argv: string[],
): FakeUtility {
  const proc = new FakeUtility();
  let childListener: ((e: { data: unknown; ports?: readonly never[] }) => void) | null = null;
  const backlog: Array<{ data: unknown; ports?: readonly never[] }> = [];
  let exited = false;
  proc.onPost = (message, transfer) => {
    const e = { data: structuredClone(message), ports: (transfer ?? []) as unknown as readonly never[] };
    if (childListener) childListener(e);
    else backlog.push(e);
  };
  runUtility(
    {
      on(_event, listener) {
        childListener = listener;
        for (const e of backlog.splice(0)) listener(e);
        return this;
      },
      postMessage: (m) => {
        if (exited) return;
        const copy = structuredClone(m);
        queueMicrotask(() => proc.emit('message', copy));
      },
    },
    argv,
    (code) => {
      if (exited) return;
      exited = true;
      queueMicrotask(() => proc.emit('exit', code));
    },
  );
  return proc;
}
