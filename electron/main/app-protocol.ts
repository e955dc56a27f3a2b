// The renderer is served from app://desk/ (never file://): a standard, secure scheme whose handler maps
// URL paths into the built renderer folder only, and stamps every response with the renderer's
// strict CSP and security headers (electron/common/renderer-security.ts, the same ones browser mode sends).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFor } from '../common/content-types';
import { SECURITY_HEADERS } from '../common/renderer-security';

export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** protocol.registerSchemesAsPrivileged entry: standard + secure give app:// an origin and a secure context. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false, bypassCSP: false, allowServiceWorkers: false },
} as const;

export type AppPathResult = { ok: true; filePath: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Map an app:// URL to a file inside rootDir, or say why not. Checks the RAW path (before the URL parser
 * quietly folds dot segments away), so traversal is refused in every spelling instead of being rewritten:
 * plain or percent-encoded `..` and `.`, encoded separators, double encoding, NUL, backslashes, empty
 * segments and drive letters. Finally the resolved path must still lie inside rootDir.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): AppPathResult {
  const prefix = `${APP_ORIGIN}/`;
  if (!requestUrl.toLowerCase().startsWith(prefix)) return { ok: false, status: 403, reason: `not ${APP_ORIGIN}` };
  const rawPath = requestUrl.slice(prefix.length).split(/[?#]/, 1)[0];
  if (/%(2f|5c|00|25)/i.test(rawPath)) return { ok: false, status: 400, reason: 'encoded separator, NUL or double encoding' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (/[\\\0]/.test(decoded)) return { ok: false, status: 400, reason: 'NUL or backslash in path' };
  const segments = decoded === '' ? [] : decoded.split('/');
  if (segments.some((seg) => seg === '..' || seg === '.')) return { ok: false, status: 403, reason: 'path traversal' };
  if (segments.some((seg) => seg === '')) return { ok: false, status: 403, reason: 'empty path segment' };
  if (/^[a-zA-Z]:/.test(decoded)) return { ok: false, status: 403, reason: 'drive-absolute path' };
  const root = path.resolve(rootDir);
  const filePath = path.resolve(root, segments.length ? segments.join('/') : 'index.html');
  if (!filePath.startsWith(root + path.sep)) return { ok: false, status: 403, reason: 'outside the renderer folder' };
  return { ok: true, filePath };
}

export interface AppProtocolOptions {
  rootDir: string;
  readFile?: (filePath: string) => Promise<Uint8Array>;
  log?: (message: string) => void;
}

/** The protocol.handle(APP_SCHEME, ...) handler: GET/HEAD only, files from rootDir, security headers on every answer. */
export function createAppProtocolHandler(opts: AppProtocolOptions): (request: { url: string; method: string }) => Promise<Response> {
  const read = opts.readFile ?? ((p: string) => readFile(p));
  const log = opts.log ?? (() => {});
  const refuse = (status: number, reason: string, url: string) => {
    log(`app:// ${status} ${url}: ${reason}`);
    return new Response(reason, { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
  };
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed', request.url);
    const resolved = resolveAppPath(opts.rootDir, request.url);
    if (!resolved.ok) return refuse(resolved.status, resolved.reason, request.url);
    let body: Uint8Array;
    try {
      body = await read(resolved.filePath);
    } catch {
      return refuse(404, 'not found', request.url);
    }
    const headers = { ...SECURITY_HEADERS, 'content-type': contentTypeFor(resolved.filePath) };
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
