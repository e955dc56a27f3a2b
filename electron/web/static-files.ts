// Resolves a request path to a file of the built renderer, never outside it (no `..`, no encoded
// separators, no symlink escapes), with the SPA fallback: an extension-less path that is not a file
// is a client-side route and gets index.html.
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export type StaticLookup =
  | { kind: 'file'; path: string; size: number; isIndex: boolean }
  | { kind: 'not_found' }
  | { kind: 'bad_path' };

export async function createStaticResolver(staticDir: string): Promise<(urlPath: string) => Promise<StaticLookup>> {
  const root = await realpath(resolve(staticDir));
  const indexFile = resolve(root, 'index.html');
  const inside = (p: string) => p === root || p.startsWith(root + sep);

  async function fileAt(p: string): Promise<{ path: string; size: number } | null> {
    try {
      const real = await realpath(p);
      if (!inside(real)) return null;
      const s = await stat(real);
      return s.isFile() ? { path: real, size: s.size } : null;
    } catch {
      return null;
    }
  }

  return async (urlPath: string): Promise<StaticLookup> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return { kind: 'bad_path' };
    }
    if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad_path' };
    if (decoded.split('/').some((seg) => seg === '..')) return { kind: 'bad_path' };
    const candidate = resolve(root, `.${decoded}`);
    if (!inside(candidate)) return { kind: 'bad_path' };

    const wantsIndex = decoded.endsWith('/') || extname(decoded) === '';
    const direct = decoded === '/' ? null : await fileAt(candidate);
    if (direct) return { kind: 'file', ...direct, isIndex: direct.path === indexFile };
    if (!wantsIndex) return { kind: 'not_found' };
    const index = await fileAt(indexFile);
    return index ? { kind: 'file', ...index, isIndex: true } : { kind: 'not_found' };
  };
}
