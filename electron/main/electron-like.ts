// The slices of Electron's main-process API the shell uses, as plain structural types. Every module in
// electron/main takes these as parameters (ports and adapters), so tests drive them with fakes and only
// index.ts wires the real `electron` module in.

/** A MessagePortMain (main and utility side): EventEmitter style, `message` events carry `{ data, ports }`. */
export interface MainPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: readonly MainPortLike[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown, transfer?: MainPortLike[]): void;
  start(): void;
  close(): void;
}

export interface MainChannelLike {
  port1: MainPortLike;
  port2: MainPortLike;
}

/** A WebFrameMain: what the IPC wrapper checks and where a MessagePort is handed to. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly detached?: boolean;
  postMessage(channel: string, message: unknown, transfer?: MainPortLike[]): void;
}

/** The event a main-process IPC listener receives. */
export interface IpcMainEventLike {
  readonly senderFrame: FrameLike | null;
  /** The sending WebContents (Electron always sets it; the file verbs use it to find the window). */
  readonly sender?: unknown;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown;
  handle(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => unknown): void;
  removeAllListeners(channel: string): unknown;
  removeHandler(channel: string): void;
}

/** The part of a WebContents the shell pushes shell events through and guards. */
export interface EventSenderLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}
