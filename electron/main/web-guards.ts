// Per-webContents guards, installed on every webContents the app ever creates: no navigation, no
// redirects, no new windows, no webviews. A link the user clicks leaves for the system browser only when
// it is vetted (https, no credentials, an allowlisted host).

export interface GuardableEvent {
  preventDefault(): void;
  /** Electron >= 25 puts the target on the event; the positional url argument is deprecated. */
  url?: string;
  isMainFrame?: boolean;
}

export interface WebContentsGuardLike {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', listener: (event: GuardableEvent, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: GuardableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Hosts whose https links may open in the system browser. Exact host match, no wildcards. */
export const DEFAULT_EXTERNAL_HOSTS: readonly string[] = ['github.com', 'www.electronjs.org'];

export function isVettedExternalUrl(url: string, allowedHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  if (u.port !== '') return false;
  return allowedHosts.includes(u.hostname.toLowerCase());
}

export interface WebGuardOptions {
  openExternal: (url: string) => Promise<void>;
  allowedHosts?: readonly string[];
  log?: (message: string) => void;
}

export function installWebContentsGuards(contents: WebContentsGuardLike, opts: WebGuardOptions): void {
  const hosts = opts.allowedHosts ?? DEFAULT_EXTERNAL_HOSTS;
  const log = opts.log ?? (() => {});
  const maybeOpenExternal = (url: string) => {
    if (!isVettedExternalUrl(url, hosts)) {
      log(`blocked link ${url}`);
      return;
    }
    opts.openExternal(url).catch((err: unknown) => log(`openExternal failed: ${String(err)}`));
  };
  const target = (event: GuardableEvent, url?: string) => event.url ?? url ?? '';
  // Main-frame navigations: refused; a vetted link goes to the system browser instead.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    maybeOpenExternal(target(event, url));
  });
  // Every frame: refused. Main-frame ones are left to will-navigate (which always follows for them), so a
  // vetted link opens once, whichever order Electron emits the two in.
  contents.on('will-frame-navigate', (event, url) => {
    if (event.isMainFrame === true) return;
    event.preventDefault();
    log(`blocked frame navigation to ${target(event, url)}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`blocked redirect to ${target(event, url)}`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    maybeOpenExternal(url);
    return { action: 'deny' };
  });
}
