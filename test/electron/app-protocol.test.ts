// app://desk/ serves the built renderer and nothing else: the path guard refuses traversal in every
// spelling, and every answer carries the strict CSP.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, resolveAppPath } from '../../electron/main/app-protocol';
import { contentTypeFor } from '../../electron/common/content-types';
import { CONTENT_SECURITY_POLICY } from '../../electron/common/renderer-security';

const root = mkdtempSync(path.join(tmpdir(), 'desk-app-'));
const rendererDir = path.join(root, 'renderer');
mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(root, 'secret.txt'), 'token=demo-alice');

describe('resolveAppPath', () => {
  it('maps app://desk paths into the renderer folder', () => {
    expect(resolveAppPath(rendererDir, 'app://desk/')).toEqual({ ok: true, filePath: path.join(rendererDir, 'index.html') });
    expect(resolveAppPath(rendererDir, 'app://desk/assets/app.js?v=1#x')).toEqual({ ok: true, filePath: path.join(rendererDir, 'assets', 'app.js') });
    expect(resolveAppPath(rendererDir, 'app://desk/assets/my%20file.js')).toEqual({ ok: true, filePath: path.join(rendererDir, 'assets', 'my file.js') });
  });

  it.each([
    'app://desk/../secret.txt',
    'app://desk/assets/../../secret.txt',
    'app://desk/%2e%2e/secret.txt',
    'app://desk/%2E%2E%2Fsecret.txt',
    'app://desk/assets/..%2f..%2fsecret.txt',
    'app://desk/..%5csecret.txt',
    'app://desk/%252e%252e/secret.txt',
    'app://desk//etc/passwd',
    'app://desk/%2Fetc%2Fpasswd',
    'app://desk/C:/Windows/win.ini',
    'app://desk/C%3A%5CWindows%5Cwin.ini',
    'app://desk/index.html%00.png',
    'app://desk/%E0%A4%A',
    'app://evil/index.html',
    'file:///etc/passwd',
    'https://desk/index.html',
  ])('refuses %s', (url) => {
    const r = resolveAppPath(rendererDir, url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([400, 403]).toContain(r.status);
  });
});

describe('createAppProtocolHandler', () => {
  const handler = createAppProtocolHandler({ rootDir: rendererDir });

  it('serves files with the CSP and a content type', async () => {
    const res = await handler({ url: 'app://desk/index.html', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>desk</title>');
  });

  it('refuses traversal, unknown files and non-GET methods, still with the CSP', async () => {
    for (const [url, method, status] of [
      ['app://desk/%2e%2e/secret.txt', 'GET', 403],
      ['app://desk/assets/..%2f..%2fsecret.txt', 'GET', 400],
      ['app://desk/missing.js', 'GET', 404],
      ['app://desk/index.html', 'POST', 405],
    ] as const) {
      const res = await handler({ url, method });
      expect(res.status, url).toBe(status);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await res.text()).not.toContain('demo-alice');
    }
  });

  it('the CSP forbids inline script, eval, remote origins, framing and plugins', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:/);
  });

  it('content types go by the last segment\'s extension, as node:path extname reads it', () => {
    for (const p of ['/r/index.HTML', '/r/assets/app.js', '/r/.css', '/r/a.b/file', 'C:\\r\\logo.svg', '/r/font.woff2', '/r/noext']) {
      const ext = path.extname(p.replaceAll('\\', '/')).toLowerCase();
      const type = contentTypeFor(p);
      expect(type === 'application/octet-stream', p).toBe(!['.html', '.js', '.svg', '.woff2'].includes(ext));
    }
    expect(contentTypeFor('/r/index.HTML')).toBe('text/html; charset=utf-8');
  });

  it('registers app:// as standard and secure, without CSP bypass', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false } });
  });
});
