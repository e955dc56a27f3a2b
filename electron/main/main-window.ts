// The one window factory. webPreferences are written out literally (no spreading of defaults) so a reader,
// Electronegativity and test/electron/hardening.test.ts all see exactly what the window runs with.
import { APP_START_URL } from './app-protocol';

export interface WindowLike {
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  readonly webContents: unknown;
}

export interface BrowserWindowCtorLike<W extends WindowLike> {
  new (options: Record<string, unknown>): W;
}

export interface MainWindowOptions {
  preloadPath: string;
  iconPath?: string;
  /** DevTools only in unpackaged runs. */
  devTools: boolean;
}

export function createMainWindow<W extends WindowLike>(electron: { BrowserWindow: BrowserWindowCtorLike<W> }, opts: MainWindowOptions): W {
  const { BrowserWindow } = electron;
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Exception Desk',
    backgroundColor: '#111418',
    icon: opts.iconPath,
    webPreferences: {
      preload: opts.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      enableWebSQL: false,
      plugins: false,
      // Middle-click would otherwise try to open links in new windows (denied anyway by web-guards).
      disableBlinkFeatures: 'Auxclick',
      devTools: opts.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

export async function loadApp(win: WindowLike, startUrl: string = APP_START_URL): Promise<void> {
  await win.loadURL(startUrl);
}
