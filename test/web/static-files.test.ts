// The static resolver keeps the renderer's files in memory while they are unchanged: a file rewritten on
// disk (a new build while the desk runs) is served new at once, whatever its size; a large file streams.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStaticResolver } from '../../electron/web/static-files';

const dir = mkdtempSync(join(tmpdir(), 'desk-static-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bodyOf = async (resolve: Awaited<ReturnType<typeof createStaticResolver>>, path: string) => {
  const found = await resolve(path);
  if (found.kind !== 'file') throw new Error(`${path}: ${found.kind}`);
  return found;
};

describe('static files', () => {
  it('serves a file rewritten on disk anew, same size or not', async () => {
    writeFileSync(join(dir, 'index.html'), 'first');
    writeFileSync(join(dir, 'app.js'), 'let a = 1;');
    const resolve = await createStaticResolver(dir);
    expect(String((await bodyOf(resolve, '/app.js')).body)).toBe('let a = 1;');
    expect(String((await bodyOf(resolve, '/app.js')).body)).toBe('let a = 1;');
    writeFileSync(join(dir, 'app.js'), 'let b = 2;');
    // Same size: the mtime tells them apart (set apart explicitly, as a coarse clock might not).
    utimesSync(join(dir, 'app.js'), new Date(), new Date(Date.now() + 5_000));
    expect(String((await bodyOf(resolve, '/app.js')).body)).toBe('let b = 2;');
    writeFileSync(join(dir, 'index.html'), 'second build');
    const index = await bodyOf(resolve, '/some/route');
    expect({ isIndex: index.isIndex, body: String(index.body), size: index.size }).toEqual({ isIndex: true, body: 'second build', size: 12 });
  });

  it('streams a file too large to keep in memory', async () => {
    writeFileSync(join(dir, 'big.map'), Buffer.alloc(5 * 1024 * 1024, 120));
    const resolve = await createStaticResolver(dir);
    const found = await bodyOf(resolve, '/big.map');
    expect({ body: found.body, size: found.size }).toEqual({ body: null, size: 5 * 1024 * 1024 });
  });
});
