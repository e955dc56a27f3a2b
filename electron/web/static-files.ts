// Resolves a request path to a file of the built renderer, never outside it (no `..`, no encoded
// separators, no symlink escapes), with the SPA fallback: an extension-less path that is not a file
// is a client-side route and gets index.html.
//
// Looked up and read synchronously, and kept in memory while unchanged (same size and mtime): a handful of
// small local files, each answered in the event-loop turn its request arrives in. Read through the thread
// pool, a request took several turns (realpath, stat, open, reads, close), and `npm start` serves the page
// while its core is still starting on the same thread (issue 15 gap 4): each turn waited behind that work.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/** Files up to this size are kept in memory (the renderer's largest, its source maps, are ~2 MiB); larger ones stream. */
const KEPT_IN_MEMORY_BYTES = 4 * 1024 * 1024;

export type StaticLookup =
  | { kind: 'file'; path: string; size: number; isIndex: boolean; body: Buffer | null }
  | { kind: 'not_found' }
  | { kind: 'bad_path' };

export async function createStaticResolver(staticDir: string): Promise<(urlPath: string) => Promise<StaticLookup>> {
  const root = await realpath(resolve(staticDir));
  const indexFile = resolve(root, 'index.html');
  const inside = (p: string) => p === root || p.startsWith(root + sep);

  const kept = new Map<string, { size: number; mtimeMs: number; body: Buffer }>();

  function fileAt(p: string): { path: string; size: number; body: Buffer | null } | null {
    try {
      const real = realpathSync(p);
      if (!inside(real)) return null;
      const s = statSync(real);
      if (!s.isFile()) return null;
      if (s.size > KEPT_IN_MEMORY_BYTES) return { path: real, size: s.size, body: null };
      const known = kept.get(real);
      if (known && known.size === s.size && known.mtimeMs === s.mtimeMs) return { path: real, size: s.size, body: known.body };
      const body = readFileSync(real);
      // Written while read: serve what was read, keep nothing (the next request reads again).
      if (body.length === s.size) kept.set(real, { size: s.size, mtimeMs: s.mtimeMs, body });
      else kept.delete(real);
      return { path: real, size: body.length, body };
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
    const direct = decoded === '/' ? null : fileAt(candidate);
    if (direct) return { kind: 'file', ...direct, isIndex: direct.path === indexFile };
    if (!wantsIndex) return { kind: 'not_found' };
    const index = fileAt(indexFile);
    return index ? { kind: 'file', ...index, isIndex: true } : { kind: 'not_found' };
  };
}
