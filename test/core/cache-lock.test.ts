// One core per cache file: a second opener, in this process or another, gets `locked` and the file is
// untouched; the lock dies with its owner (even on SIGKILL), so a restarted core opens at once.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { startCoreChild } from '../helpers/core-child';
import { ok, tmpDir } from './core-fixture';

const tmp = tmpDir('lock');
afterAll(() => tmp.cleanup());

async function lockedError(cacheFile: string): Promise<{ code?: string; message: string } | null> {
  try {
    const c = await createCore({ cacheFile, autoSync: false });
    await c.close();
    return null;
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try { return db.pragma('integrity_check', { simple: true }) as string; } finally { db.close(); }
}

describe('cache lock', () => {
  it('a second core in the same process gets a clear `locked` error; after close the file opens again', async () => {
    const file = tmp.file('same-process.sqlite');
    const first = await createCore({ cacheFile: file, autoSync: false });
    await ok(first, 'settings.set', { claimTargetSize: 77 });
    // A partial update changes only the keys it names.
    expect(await ok(first, 'settings.set', { theme: 'dark' })).toMatchObject({ claimTargetSize: 77, theme: 'dark', leaseMinutes: 30 });
    const err = await lockedError(file);
    expect(err?.code).toBe('locked');
    expect(err?.message).toMatch(/in use by another Exception Desk core/);
    // The owner is unharmed.
    expect((await ok(first, 'settings.get', {})).claimTargetSize).toBe(77);
    await first.close();
    const again = await createCore({ cacheFile: file, autoSync: false });
    expect((await ok(again, 'settings.get', {})).claimTargetSize).toBe(77);
    await again.close();
    expect(integrity(file)).toBe('ok');
  });

  it('taking the lock writes nothing (no journal, no fsync on the start path), and a lock file of the old kind (with an owner row) still locks', async () => {
    const file = tmp.file('quiet.sqlite');
    const old = new Database(`${file}.lock`);
    old.exec('CREATE TABLE owner (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since TEXT NOT NULL)');
    old.prepare('INSERT INTO owner (id, pid, since) VALUES (1, 1, ?)').run('2026-01-01T00:00:00.000Z');
    old.close();
    const before = statSync(`${file}.lock`);
    const first = await createCore({ cacheFile: file, autoSync: false });
    try {
      expect((await lockedError(file))?.code).toBe('locked');
      const after = statSync(`${file}.lock`);
      expect({ size: after.size, mtimeMs: after.mtimeMs }).toEqual({ size: before.size, mtimeMs: before.mtimeMs });
      expect(existsSync(`${file}.lock-journal`)).toBe(false);
    } finally {
      await first.close();
    }
  });

  it('a core in another process holds the lock until it dies, even by SIGKILL', async () => {
    const file = tmp.file('child.sqlite');
    const child = await startCoreChild({ cacheFile: file, autoSync: false });
    try {
      await child.ok('settings.set', { claimTargetSize: 12 });
      expect((await lockedError(file))?.code).toBe('locked');
      // A second child on the same file answers its calls with `locked`, says why, and exits.
      const second = await startCoreChild({ cacheFile: file, autoSync: false });
      const exit = await second.exited;
      expect(exit.code).toBe(3);
      expect(second.log()).toMatch(/is in use by another Exception Desk core/);
    } finally {
      await child.kill('SIGKILL');
    }
    const after = await createCore({ cacheFile: file, autoSync: false });
    expect((await ok(after, 'settings.get', {})).claimTargetSize).toBe(12);
    await after.close();
    expect(integrity(file)).toBe('ok');
  });
});
