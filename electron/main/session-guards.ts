// Session-wide hardening: every permission request and check is denied, downloads are cancelled, and the
// renderer may only load app:// (plus devtools and inline data/blob URLs); it never needs the network.
import { APP_SCHEME } from './app-protocol';

export interface SessionGuardLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: Record<string, never>) => void) => void): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }, item: unknown) => void): unknown;
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

const ALLOWED_REQUEST_SCHEMES = new Set([`${APP_SCHEME}:`, 'devtools:', 'data:', 'blob:']);

export function isAllowedRendererRequest(url: string): boolean {
  try {
    return ALLOWED_REQUEST_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function denyPermissionRequest(_webContents: unknown, permission: string, callback: (granted: boolean) => void): void {
  void permission;
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

export function hardenSession(session: SessionGuardLike, log: (message: string) => void = () => {}): void {
  session.setPermissionRequestHandler((wc, permission, callback) => {
    log(`denied permission request: ${permission}`);
    denyPermissionRequest(wc, permission, callback);
  });
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(() => false);
  // An empty answer refuses the capture.
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  session.on('will-download', (event) => {
    event.preventDefault();
    log('blocked download');
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAllowedRendererRequest(details.url);
    if (cancel) log(`blocked request ${details.url}`);
    callback({ cancel });
  });
}
