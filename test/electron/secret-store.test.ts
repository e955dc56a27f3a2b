// The safeStorage-backed SecretStore with a fake safeStorage and a real file: encrypted at rest where a
// keyring exists; where Linux only offers basic_text it fails closed (memory only, user told, no file).
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createSafeStorageSecretStore, secretStoreMode, type SafeStorageLike } from '../../electron/main/secret-store';

const TOKEN = 'demo-alice-0123456789';

/** Reversible "encryption" with a per-instance key, so another instance cannot decrypt (keyring reset). */
function fakeSafeStorage(backend: string, available = true, key = 0x5a): SafeStorageLike & { encryptString: ReturnType<typeof vi.fn> } {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: vi.fn((s: string) => Buffer.concat([Buffer.from('ENC1'), Buffer.from(Buffer.from(s).map((b) => b ^ key))])),
    decryptString: (b: Buffer) => {
      if (b.subarray(0, 4).toString() !== 'ENC1') throw new Error('not ours');
      const s = Buffer.from(b.subarray(4).map((x) => x ^ key)).toString();
      if (!/^[\x20-\x7e]*$/.test(s)) throw new Error('wrong key');
      return s;
    },
  };
}

const tmpFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'desk-secret-')), 'userData', 'token.enc');

describe('secretStoreMode', () => {
  it('trusts real keyrings and refuses basic_text, unknown and unavailable encryption', () => {
    expect(secretStoreMode(fakeSafeStorage('gnome_libsecret'), 'linux')).toEqual({ kind: 'encrypted' });
    expect(secretStoreMode(fakeSafeStorage('kwallet6'), 'linux')).toEqual({ kind: 'encrypted' });
    expect(secretStoreMode(fakeSafeStorage('basic_text'), 'linux')).toMatchObject({ kind: 'session-only', reason: expect.stringMatching(/basic_text/) });
    expect(secretStoreMode(fakeSafeStorage('unknown'), 'linux')).toMatchObject({ kind: 'session-only' });
    expect(secretStoreMode(fakeSafeStorage('n/a', false), 'win32')).toMatchObject({ kind: 'session-only' });
    expect(secretStoreMode(fakeSafeStorage('n/a'), 'darwin')).toEqual({ kind: 'encrypted' });
  });
});

describe('createSafeStorageSecretStore', () => {
  it('with a keyring: writes only ciphertext (0600) and reads it back in a new session', async () => {
    const file = tmpFile();
    const store = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('gnome_libsecret'), file, platform: 'linux' });
    expect(await store.get()).toBeNull();
    await store.set(TOKEN);
    const onDisk = readFileSync(file);
    expect(onDisk.toString('latin1')).not.toContain(TOKEN);
    expect(onDisk.subarray(0, 4).toString()).toBe('ENC1');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const nextSession = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('gnome_libsecret'), file, platform: 'linux' });
    expect(await nextSession.get()).toBe(TOKEN);
    await nextSession.clear();
    expect(existsSync(file)).toBe(false);
    expect(await nextSession.get()).toBeNull();
  });

  it('with basic_text: keeps the token in memory only, tells the user once, never writes a file', async () => {
    const file = tmpFile();
    const safeStorage = fakeSafeStorage('basic_text');
    const told = vi.fn();
    const store = createSafeStorageSecretStore({ safeStorage, file, platform: 'linux', onSessionOnly: told });
    await store.set(TOKEN);
    await store.set(`${TOKEN}-2`);
    expect(await store.get()).toBe(`${TOKEN}-2`);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    expect(told).toHaveBeenCalledOnce();
    expect(told.mock.calls[0][0]).toMatch(/this session only.*basic_text/);
    expect(store.mode()).toMatchObject({ kind: 'session-only' });
    // The next launch starts signed out.
    expect(await createSafeStorageSecretStore({ safeStorage, file, platform: 'linux' }).get()).toBeNull();
  });

  it('with basic_text: ignores a token file left by an earlier keyring session rather than trusting it', async () => {
    const file = tmpFile();
    await createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('kwallet5'), file, platform: 'linux' }).set(TOKEN);
    const store = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('basic_text'), file, platform: 'linux' });
    expect(await store.get()).toBeNull();
  });

  it('a file encrypted under another key reads as signed out, not as garbage or a crash', async () => {
    const file = tmpFile();
    await createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('gnome_libsecret', true, 0x11), file, platform: 'linux' }).set(TOKEN);
    const store = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('gnome_libsecret', true, 0x77), file, platform: 'linux' });
    expect(await store.get()).toBeNull();
    writeFileSync(file, 'plaintext-token');
    expect(await store.get()).toBeNull();
  });

  it('refuses an empty token', async () => {
    const store = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage('gnome_libsecret'), file: tmpFile(), platform: 'linux' });
    await expect(store.set('')).rejects.toThrow(/empty token/);
  });
});
