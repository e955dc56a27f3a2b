// The only file that wires the real `electron` module into the shell's plain modules (everything it
// decides lives in those modules and is tested without the Electron binary). Bundled to dist/electron/main.cjs.
import path from 'node:path';
import {
  BrowserWindow,
  Menu,
  MessageChannelMain,
  app,
  dialog,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { buildMenuTemplate } from './app-menu';
import { createCoreHost, type UtilityProcessLike } from './core-host';
import { registerDeskFiles } from './desk-files';
import { registerDeskIpc } from './desk-ipc';
import type { MainChannelLike } from './electron-like';
import { openLogFile, type LogFile } from '../core/log';
import { createElectronIpcWrapper } from './ipc-wrapper';
import { createMainWindow, loadApp } from './main-window';
import { wirePowerSignals } from './power-signals';
import { createSafeStorageSecretStore } from './secret-store';
import { hardenSession } from './session-guards';
import { parseShellArgs } from './shell-args';
import { createShellEvents } from './shell-events';
import { DEFAULT_EXTERNAL_HOSTS, installWebContentsGuards } from './web-guards';

const args = parseShellArgs(process.argv);
// main.N.log in <userData>/logs once the app is ready; the console always.
let mainLog: LogFile | null = null;
const log = (m: string) => {
  console.warn(`[desk] ${m}`);
  mainLog?.logger.warn(m);
};

// Before anything else: every renderer sandboxed, app:// privileged before 'ready'.
if (args.userDataDir) app.setPath('userData', args.userDataDir);
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start() {
  const devTools = !app.isPackaged;
  const distDir = path.join(__dirname, '..');
  let mainWindow: BrowserWindow | null = null;

  const events = createShellEvents(() => BrowserWindow.getAllWindows().map((w) => w.webContents));

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every webContents, present and future, gets the navigation / window-open / webview guards.
  app.on('web-contents-created', (_event, contents: WebContents) => {
    installWebContentsGuards(contents, {
      openExternal: (url) => shell.openExternal(url),
      allowedHosts: [...DEFAULT_EXTERNAL_HOSTS, ...(args.serverHost ? [args.serverHost] : [])],
      log,
    });
  });

  app.on('window-all-closed', () => app.quit());

  // Quitting waits for the core to close its cache (the outbox is already durable; this is tidiness).
  let shutdown: (() => Promise<void>) | null = null;
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !shutdown) return;
    quitting = true;
    event.preventDefault();
    void shutdown().finally(() => {
      mainLog?.logger.info('main quitting');
      mainLog?.flush();
      app.quit();
    });
  });

  app.whenReady().then(async () => {
    hardenSession(session.defaultSession, log);
    protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: path.join(distDir, 'renderer'), log }));

    const logDir = path.join(app.getPath('userData'), 'logs');
    mainLog = await openLogFile(logDir, 'main').catch((e: unknown) => {
      log(`cannot open the log folder ${logDir}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    });
    mainLog?.logger.info({ electron: process.versions.electron, platform: process.platform }, 'main starting');
    const secrets = createSafeStorageSecretStore({
      safeStorage,
      file: path.join(app.getPath('userData'), 'token.enc'),
      onSessionOnly: (message) => {
        events.send('app.notice', { level: 'warning', code: 'secrets_session_only', message });
        void dialog.showMessageBox({ type: 'warning', title: 'Sign-in not saved', message });
      },
    });

    const core = createCoreHost({
      fork: () =>
        utilityProcess.fork(
          path.join(__dirname, 'core.cjs'),
          [
            `--cache-file=${path.join(app.getPath('userData'), 'desk-cache.sqlite')}`,
            ...(args.demoServer ? [`--demo-server=${args.demoServer}`] : []),
            ...(args.server ? [`--server=${args.server}`] : []),
            `--log-dir=${logDir}`,
          ],
          { serviceName: 'Exception Desk core', stdio: 'inherit' },
        ) as unknown as UtilityProcessLike,
      createChannel: () => new MessageChannelMain() as unknown as MainChannelLike,
      secrets,
      shellEvent: (event, payload) => events.send(event, payload),
      log,
      revealLogs: () => void shell.openPath(logDir),
    });
    core.start();

    const ipc = await createElectronIpcWrapper({ log });
    registerDeskIpc(ipc, core);
    registerDeskFiles(ipc, {
      dialog,
      // Only the desk's own window may save or print (the wrapper already checked the frame).
      windowFor: (sender) => {
        const contents = sender.event.sender as WebContents | undefined;
        if (!contents || contents.isDestroyed() || !mainWindow || contents !== mainWindow.webContents) return null;
        return { window: mainWindow, contents };
      },
      defaultDir: () => app.getPath('documents'),
      log,
    });

    const laborSignal = (signal: string) => {
      void core.call('labor.signal', { signal }).then((r) => {
        if (!r.ok) log(`labor.signal ${signal}: ${r.error.message}`);
      });
    };
    const unwirePower = wirePowerSignals(powerMonitor, { signal: laborSignal });
    shutdown = () => {
      unwirePower();
      ipc.dispose();
      return core.stop();
    };

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate({
          platform: process.platform,
          devTools,
          sendCommand: (command) => events.send('app.command', { command }),
        }) as Parameters<typeof Menu.buildFromTemplate>[0],
      ),
    );

    if (args.demoServer) {
      const r = await core.call('session.connectDemo', { user: 'alice' });
      if (!r.ok) log(`demo sign-in failed: ${r.error.message}`);
    }

    mainWindow = createMainWindow(
      { BrowserWindow },
      {
        preloadPath: path.join(__dirname, 'preload.cjs'),
        // Packaged builds take their icon from the installer; a dev run from the checkout shows resources/icon.png.
        iconPath: app.isPackaged ? undefined : path.join(distDir, '..', 'resources', 'icon.png'),
        devTools,
      },
    );
    mainWindow.on('focus', () => laborSignal('focus'));
    mainWindow.on('blur', () => laborSignal('blur'));
    mainWindow.on('minimize', () => laborSignal('hidden'));
    mainWindow.on('restore', () => laborSignal('visible'));
    mainWindow.on('closed', () => (mainWindow = null));
    await loadApp(mainWindow, args.startUrl);
  }).catch((err: unknown) => {
    log(`startup failed: ${err instanceof Error ? err.stack : String(err)}`);
    dialog.showErrorBox('Exception Desk could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
