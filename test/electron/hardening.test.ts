// The security settings asserted from the objects the app actually uses: the window factory's
// webPreferences, the session handlers (called with fake details), the webContents guards and the
// packaging fuses as electron-builder itself turns electron-builder.yml into @electron/fuses options.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FuseState, FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { createMainWindow } from '../../electron/main/main-window';
import { denyPermissionCheck, hardenSession, isAllowedRendererRequest, type SessionGuardLike } from '../../electron/main/session-guards';
import { installWebContentsGuards, isVettedExternalUrl, type GuardableEvent } from '../../electron/main/web-guards';

const ROOT = path.resolve(__dirname, '..', '..');
const require = createRequire(import.meta.url);

describe('main window', () => {
  it('is created with the hardened webPreferences', () => {
    const created: Array<Record<string, unknown>> = [];
    class FakeBrowserWindow {
      webContents = {};
      constructor(options: Record<string, unknown>) {
        created.push(options);
      }
      loadURL = async () => {};
      once() {}
      show() {}
    }
    createMainWindow({ BrowserWindow: FakeBrowserWindow }, { preloadPath: '/app/dist/electron/preload.cjs', devTools: false });
    expect(created).toHaveLength(1);
    expect(created[0].show).toBe(false);
    expect(created[0].webPreferences).toEqual({
      preload: '/app/dist/electron/preload.cjs',
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
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
  });

  // No regex checks of source text here: raw ipcMain outside the wrapper is a lint error in every import
  // style (test/lint/layers.test.ts probes named, default, namespace and import() forms), and the built main
  // bundle is booted on a fake Electron in build-electron.test.ts, which checks what it does: sandbox
  // enabled app-wide, the single-instance lock asked, app:// privileged, the window loaded from app:// (the
  // fake has no file:// handler) with the hardened webPreferences above.
});

function fakeSession() {
  const h: Record<string, (...args: never[]) => unknown> = {};
  const session: SessionGuardLike = {
    setPermissionRequestHandler: (fn) => void (h.request = fn as never),
    setPermissionCheckHandler: (fn) => void (h.check = fn as never),
    setDevicePermissionHandler: (fn) => void (h.device = fn as never),
    setDisplayMediaRequestHandler: (fn) => void (h.display = fn as never),
    on: (_e, fn) => void (h.download = fn as never),
    webRequest: { onBeforeRequest: (fn) => void (h.beforeRequest = fn as never) },
  };
  return { session, h: h as Record<string, (...args: unknown[]) => unknown> };
}

describe('session handlers', () => {
  it('deny every permission request and check', () => {
    const { session, h } = fakeSession();
    hardenSession(session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial']) {
      const cb = vi.fn();
      h.request({ getURL: () => 'app://desk/index.html' }, permission, cb, { requestingUrl: 'app://desk/index.html', isMainFrame: true });
      expect(cb, permission).toHaveBeenCalledWith(false);
      expect(h.check({}, permission, 'app://desk', { isMainFrame: true }), permission).toBe(false);
    }
    expect(h.device({ deviceType: 'usb', origin: 'app://desk' })).toBe(false);
    expect(denyPermissionCheck()).toBe(false);
    const display = vi.fn();
    h.display({ frame: {} }, display);
    expect(display).toHaveBeenCalledWith({});
    const download = { preventDefault: vi.fn() };
    h.download(download, {});
    expect(download.preventDefault).toHaveBeenCalled();
  });

  it('cancel every request that is not app://, devtools, data or blob', () => {
    const { session, h } = fakeSession();
    hardenSession(session);
    const verdict = (url: string) => {
      const cb = vi.fn();
      h.beforeRequest({ url }, cb);
      return cb.mock.calls[0][0].cancel as boolean;
    };
    expect(verdict('app://desk/index.html')).toBe(false);
    expect(verdict('devtools://devtools/bundled/inspector.html')).toBe(false);
    for (const url of ['https://evil.example/x.js', 'http://127.0.0.1:4000/v1/me', 'file:///etc/passwd', 'ws://127.0.0.1/', 'ftp://x/', 'garbage']) {
      expect(verdict(url), url).toBe(true);
    }
    expect(isAllowedRendererRequest('data:image/png;base64,AAAA')).toBe(true);
  });
});

describe('webContents guards', () => {
  function guarded(allowedHosts?: string[]) {
    const on: Record<string, (event: GuardableEvent, url?: string) => void> = {};
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
    const openExternal = vi.fn(async () => {});
    installWebContentsGuards(
      { on: (e: string, fn: never) => void (on[e] = fn), setWindowOpenHandler: (fn) => void (openHandler = fn) },
      { openExternal, allowedHosts },
    );
    return { on, open: (url: string) => openHandler!({ url }), openExternal };
  }
  const ev = () => ({ preventDefault: vi.fn() });

  it('deny navigation, subframe navigation, redirects and webviews', () => {
    const { on, openExternal } = guarded();
    for (const url of ['https://evil.example/', 'app://desk/other.html', 'file:///etc/passwd']) {
      // Electron >= 25: the url on the event object; older: positional.
      for (const [name, e] of [
        ['will-navigate', { ...ev(), url }],
        ['will-redirect', { ...ev(), url }],
        ['will-frame-navigate', { ...ev(), url, isMainFrame: false }],
      ] as const) {
        on[name](e);
        expect(e.preventDefault, `${name} ${url}`).toHaveBeenCalled();
      }
      const legacy = ev();
      on['will-navigate'](legacy, url);
      expect(legacy.preventDefault).toHaveBeenCalled();
    }
    // Main-frame navigations are left to will-navigate, which always follows and refuses them.
    const main = { ...ev(), url: 'https://evil.example/', isMainFrame: true };
    on['will-frame-navigate'](main);
    expect(main.preventDefault).not.toHaveBeenCalled();
    const wv = ev();
    on['will-attach-webview'](wv);
    expect(wv.preventDefault).toHaveBeenCalled();
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('deny window.open, sending only vetted https links to the system browser', () => {
    const { open, on, openExternal } = guarded(['github.com']);
    expect(open('https://github.com/org/repo')).toEqual({ action: 'deny' });
    expect(open('http://github.com/org/repo')).toEqual({ action: 'deny' });
    expect(open('https://github.com.evil.example/')).toEqual({ action: 'deny' });
    expect(open('https://user:pw@github.com/')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    const e = { ...ev(), url: 'https://github.com/docs' };
    on['will-navigate'](e);
    expect(e.preventDefault).toHaveBeenCalled();
    expect(openExternal.mock.calls).toEqual([['https://github.com/org/repo'], ['https://github.com/docs']]);
  });

  it('isVettedExternalUrl: https, no credentials, no port, exact host', () => {
    expect(isVettedExternalUrl('https://github.com/x', ['github.com'])).toBe(true);
    expect(isVettedExternalUrl('https://GITHUB.com/x', ['github.com'])).toBe(true);
    expect(isVettedExternalUrl('https://github.com:8443/x', ['github.com'])).toBe(false);
    expect(isVettedExternalUrl('https://sub.github.com/x', ['github.com'])).toBe(false);
    expect(isVettedExternalUrl('smb://github.com/x', ['github.com'])).toBe(false);
  });
});

describe('packaging (electron-builder.yml)', () => {
  const yaml = require('js-yaml') as { load(s: string): unknown };
  const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
    electronFuses: Record<string, boolean>;
  };

  it('sets the fuses as Element does, as electron-builder turns them into @electron/fuses options', async () => {
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<Record<string | number, unknown>> } };
    };
    const fuses = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    expect(fuses.version).toBe(FuseVersion.V1);
    expect(fuses[FuseV1Options.RunAsNode]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
    // A misspelt key in the yml would be silently dropped by electron-builder: every key must map.
    const mapped = Object.keys(fuses).filter((k) => /^\d+$/.test(k)).length;
    expect(mapped).toBe(Object.keys(config.electronFuses).filter((k) => k !== 'resetAdHocDarwinSignature').length);
  });

  it('@electron/fuses burns exactly that config into an Electron-shaped binary', async () => {
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<Parameters<typeof flipFuses>[1]> } };
    };
    const fuses = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    // A stand-in binary: padding, the fuse sentinel, wire version 1, nine fuses as Electron ships them.
    const shipped = [FuseState.ENABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE];
    const dir = mkdtempSync(path.join(tmpdir(), 'desk-fuses-'));
    const exe = path.join(dir, 'exception-desk');
    writeFileSync(exe, Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, shipped.length, ...shipped]), Buffer.alloc(1024, 7)]));
    try {
      await flipFuses(exe, fuses);
      const wire = await getCurrentFuseWire(exe);
      expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
      // Fuses we do not set keep Electron's value.
      expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(FuseState.DISABLE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is valid against electron-builder's own configuration schema (a typo fails here, not at release time)", async () => {
    require('app-builder-lib');
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, l: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    const typo = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(typo, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('packs into asar with better-sqlite3 unpacked, no native rebuild, installers for three OSes', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringMatching(/better-sqlite3.*\.node/)]));
    expect(config.npmRebuild).toBe(false);
    const targets = (k: string) => JSON.stringify((config[k] as { target: unknown }).target);
    expect(targets('linux')).toMatch(/AppImage/);
    expect(targets('linux')).toMatch(/deb/);
    expect(targets('win')).toMatch(/nsis/);
    expect(targets('mac')).toMatch(/dmg/);
    expect(JSON.stringify(config.files)).toMatch(/dist\/electron/);
    expect(JSON.stringify(config.files)).toMatch(/dist\/renderer/);
  });

  it('the icons it points at exist and are real images', () => {
    const png = readFileSync(path.join(ROOT, 'resources/icon.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    const ico = readFileSync(path.join(ROOT, 'resources/icon.ico'));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThan(0);
  });
});
