// A stand-in for the Electron runtime, good enough to run the BUILT bundles (dist/electron/main.cjs,
// core.cjs, preload.cjs) in this Node process: main.cjs gets this object as require('electron'), its
// utilityProcess.fork runs core.cjs in-process with a fake parentPort, and each window's preload runs in a
// vm context whose require() knows only 'electron' (as in a sandboxed renderer). Ports are real Node
// MessageChannels and IPC payloads are structured-cloned, as Electron would.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { FakeFrame, FakeIpcMain, FakeUtility, nodeChannel, type AdaptedPort } from './fakes';

const nodeRequire = createRequire(import.meta.url);

/** Runs a CommonJS bundle with the given require and process (shadowing the globals). */
export function runCjs(file: string, requireFn: (id: string) => unknown, proc: NodeJS.Process): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const fn = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', readFileSync(file, 'utf8'));
  fn(module.exports, requireFn, module, file, path.dirname(file), proc);
  return module.exports;
}

function fakeProcess(argv: string[], extra: Record<string, unknown> = {}): NodeJS.Process {
  const p = Object.create(process) as NodeJS.Process;
  Object.defineProperty(p, 'argv', { value: argv });
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(p, k, { value: v });
  return p;
}

export interface FakeRenderer {
  desk: Record<string, unknown> & { on(event: string, l: (p: unknown) => void): () => void };
  deskFiles: Record<string, (input: unknown) => Promise<unknown>>;
  frame: FakeFrame;
}

export interface FakeElectronOptions {
  userData: string;
  safeStorage: { isEncryptionAvailable(): boolean; getSelectedStorageBackend(): string; encryptString(s: string): Buffer; decryptString(b: Buffer): string };
}

export function createFakeElectron(opts: FakeElectronOptions) {
  const ipcMain = new FakeIpcMain();
  const protocolHandlers = new Map<string, (req: { url: string; method: string }) => Promise<Response>>();
  const sessionHandlers: Record<string, (...args: never[]) => unknown> = {};
  const windows: FakeBrowserWindow[] = [];
  const utilities: FakeUtility[] = [];
  const renderers: FakeRenderer[] = [];
  const logs: string[] = [];
  let menuTemplate: unknown[] = [];
  // What the next save dialog answers: a path, or null for Cancel.
  let nextSavePath: string | null = null;
  const saveDialogs: Array<{ window: unknown; options: Record<string, unknown> }> = [];
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));

  const app = Object.assign(new EventEmitter(), {
    quitted: false,
    sandboxed: false,
    singleInstanceLockAsked: false,
    isPackaged: false,
    paths: { userData: opts.userData } as Record<string, string>,
    enableSandbox() {
      app.sandboxed = true;
    },
    exitCode: null as number | null,
    exit: (code: number) => void (app.exitCode = code),
    requestSingleInstanceLock: () => {
      app.singleInstanceLockAsked = true;
      return true;
    },
    whenReady: () => ready,
    getPath: (name: string) => app.paths[name] ?? path.join(opts.userData, name),
    setPath: (name: string, value: string) => void (app.paths[name] = value),
    quit() {
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) {
        app.quitted = true;
        app.emit('quit');
      }
    },
  });

  class FakeWebContents extends EventEmitter {
    openHandler: ((d: { url: string }) => unknown) | null = null;
    constructor(private deliver: (channel: string, message: unknown) => void) {
      super();
    }
    setWindowOpenHandler(h: (d: { url: string }) => unknown) {
      this.openHandler = h;
    }
    isDestroyed = () => false;
    printToPDF = async (_options: Record<string, unknown>) => new TextEncoder().encode('%PDF-1.7 fake\n');
    send(channel: string, message: unknown) {
      this.deliver(channel, structuredClone(message));
    }
  }

  class FakeBrowserWindow extends EventEmitter {
    static getAllWindows = () => windows;
    webContents: FakeWebContents;
    renderer: FakeRenderer | null = null;
    private rendererIpc = new EventEmitter();
    constructor(public options: { webPreferences: { preload: string } } & Record<string, unknown>) {
      super();
      windows.push(this);
      this.webContents = new FakeWebContents((channel, message) => this.rendererIpc.emit(channel, {}, message));
      app.emit('web-contents-created', {}, this.webContents);
    }
    isMinimized = () => false;
    restore() {}
    focus() {}
    show() {}
    async loadURL(url: string) {
      const handler = protocolHandlers.get(new URL(url).protocol.replace(':', ''));
      if (!handler) throw new Error(`no protocol handler for ${url}`);
      const res = await handler({ url, method: 'GET' });
      if (res.status !== 200) throw new Error(`load ${url}: ${res.status}`);
      const frame = new FakeFrame(url);
      frame.onPost = (channel, message, transfer) =>
        this.rendererIpc.emit(channel, { ports: transfer.map((p) => (p as AdaptedPort).raw) }, structuredClone(message));
      const exposed: Record<string, unknown> = {};
      const ipcRenderer = {
        send: (channel: string, ...args: unknown[]) => ipcMain.listeners.get(channel)?.({ senderFrame: frame }, ...structuredClone(args)),
        on: (channel: string, l: (...a: unknown[]) => void) => void this.rendererIpc.on(channel, l),
        invoke: async (channel: string, ...args: unknown[]) => {
          const h = ipcMain.handlers.get(channel);
          if (!h) throw new Error(`No handler registered for '${channel}'`);
          return structuredClone(await h({ senderFrame: frame, sender: this.webContents }, ...structuredClone(args)));
        },
      };
      const electronInRenderer = {
        ipcRenderer,
        contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
      };
      // A sandboxed preload: require() knows only 'electron'; no Node globals beyond timers and console.
      const context = vm.createContext({ console, setTimeout, clearTimeout, queueMicrotask, URL, TextEncoder, TextDecoder });
      const wrapper = vm.runInContext(`(function (require, module, exports) {${readFileSync(this.options.webPreferences.preload, 'utf8')}\n})`, context) as (
        r: (id: string) => unknown, m: unknown, e: unknown) => void;
      const module = { exports: {} };
      wrapper((id) => {
        if (id === 'electron') return electronInRenderer;
        throw new Error(`sandboxed preload cannot require ${id}`);
      }, module, module.exports);
      this.renderer = { desk: exposed.desk as FakeRenderer['desk'], deskFiles: exposed.deskFiles as FakeRenderer['deskFiles'], frame };
      renderers.push(this.renderer);
      this.emit('ready-to-show');
    }
  }

  const session = {
    defaultSession: {
      setPermissionRequestHandler: (h: never) => void (sessionHandlers.permissionRequest = h),
      setPermissionCheckHandler: (h: never) => void (sessionHandlers.permissionCheck = h),
      setDevicePermissionHandler: (h: never) => void (sessionHandlers.device = h),
      setDisplayMediaRequestHandler: (h: never) => void (sessionHandlers.displayMedia = h),
      on: (_e: string, h: never) => void (sessionHandlers.download = h),
      webRequest: { onBeforeRequest: (h: never) => void (sessionHandlers.beforeRequest = h) },
    },
  };

  const powerMonitor = Object.assign(new EventEmitter(), { getSystemIdleState: () => 'active' as const });

  const utilityProcess = {
    fork(modulePath: string, args: string[]) {
      const proc = new FakeUtility();
      utilities.push(proc);
      let listener: ((e: { data: unknown; ports?: readonly unknown[] }) => void) | null = null;
      const backlog: Array<{ data: unknown; ports?: readonly unknown[] }> = [];
      let exited = false;
      proc.onPost = (message, transfer) => {
        const e = { data: structuredClone(message), ports: transfer ?? [] };
        if (listener) listener(e);
        else backlog.push(e);
      };
      const parentPort = {
        on(_event: 'message', l: typeof listener) {
          listener = l;
          for (const e of backlog.splice(0)) l!(e);
          return parentPort;
        },
        postMessage: (m: unknown) => {
          if (exited) return;
          const copy = structuredClone(m);
          queueMicrotask(() => proc.emit('message', copy));
        },
      };
      const exit = (code: number) => {
        if (exited) return;
        exited = true;
        queueMicrotask(() => proc.emit('exit', code ?? 0));
      };
      runCjs(modulePath, (id) => nodeRequire(id), fakeProcess([process.execPath, modulePath, ...args], { parentPort, exit }));
      return proc;
    },
  };

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Menu: {
      buildFromTemplate: (t: unknown[]) => (menuTemplate = t),
      setApplicationMenu: () => {},
    },
    MessageChannelMain: function MessageChannelMain() {
      return nodeChannel();
    },
    dialog: {
      showMessageBox: async (o: { title?: string; message?: string }) => {
        logs.push(`messageBox ${o.title}: ${o.message}`);
        return { response: 0 };
      },
      showSaveDialog: async (window: unknown, options: Record<string, unknown>) => {
        saveDialogs.push({ window, options });
        return nextSavePath === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: nextSavePath };
      },
      showErrorBox: (title: string, content: string) => void logs.push(`errorBox ${title}: ${content}`),
    },
    ipcMain,
    powerMonitor,
    protocol: {
      privileged: [] as unknown[],
      registerSchemesAsPrivileged(schemes: unknown[]) {
        electron.protocol.privileged.push(...schemes);
      },
      handle: (scheme: string, h: (req: { url: string; method: string }) => Promise<Response>) => void protocolHandlers.set(scheme, h),
    },
    safeStorage: opts.safeStorage,
    session,
    shell: { openExternal: async (url: string) => void logs.push(`openExternal ${url}`) },
    utilityProcess,
  };

  return {
    electron,
    start: () => readyResolve(),
    windows,
    utilities,
    renderers,
    protocolHandlers,
    sessionHandlers,
    menu: () => menuTemplate,
    saveDialogs,
    chooseSavePath: (p: string | null) => void (nextSavePath = p),
    logs,
  };
}

/** Runs dist/electron/main.cjs against a fake Electron with the given command line. */
export function runMainBundle(mainCjs: string, fake: ReturnType<typeof createFakeElectron>, args: string[]): void {
  runCjs(mainCjs, (id) => (id === 'electron' ? fake.electron : nodeRequire(id)), fakeProcess([process.execPath, mainCjs, ...args]));
}
