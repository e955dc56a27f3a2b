// The SecretStore (interfaces.md: get/set/clear) backed by Electron's safeStorage: the token is encrypted
// with the OS keyring's key into a file in userData. Where no real keyring exists (Linux `basic_text`,
// or encryption unavailable) it fails closed: the token lives in memory for this session only, the user
// is told once, and nothing is ever written in plaintext.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../core/secret-store';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron. */
  getSelectedStorageBackend?(): string;
}

export type SecretStoreMode = { kind: 'encrypted' } | { kind: 'session-only'; reason: string };

export interface SafeStorageSecretStore extends SecretStore {
  mode(): SecretStoreMode;
}

/** Backends that only obfuscate with a hard-coded key count as no encryption at all. */
const WEAK_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

export function secretStoreMode(safeStorage: SafeStorageLike, platform: NodeJS.Platform): SecretStoreMode {
  if (!safeStorage.isEncryptionAvailable()) return { kind: 'session-only', reason: 'OS encryption (safeStorage) is not available' };
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (WEAK_LINUX_BACKENDS.has(backend)) {
      return { kind: 'session-only', reason: `no OS keyring (safeStorage backend is ${backend})` };
    }
  }
  return { kind: 'encrypted' };
}

export interface SafeStorageSecretStoreOptions {
  safeStorage: SafeStorageLike;
  /** The encrypted token file, e.g. <userData>/token.enc. */
  file: string;
  platform?: NodeJS.Platform;
  /** Called once, the first time a token is kept in memory only, with a message for the user. */
  onSessionOnly?: (message: string) => void;
}

export function createSafeStorageSecretStore(opts: SafeStorageSecretStoreOptions): SafeStorageSecretStore {
  const platform = opts.platform ?? process.platform;
  let memory: string | null = null;
  let told = false;
  // Decided lazily: safeStorage answers only after app 'ready'.
  let decided: SecretStoreMode | null = null;
  const mode = () => (decided ??= secretStoreMode(opts.safeStorage, platform));

  return {
    mode,
    async get() {
      if (memory !== null) return memory;
      if (mode().kind !== 'encrypted') return null;
      let data: Buffer;
      try {
        data = await readFile(opts.file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        memory = opts.safeStorage.decryptString(data);
      } catch {
        // Encrypted under another key (keyring reset, copied profile): unusable, ask to sign in again.
        return null;
      }
      return memory;
    },
    async set(token) {
      if (typeof token !== 'string' || token.length === 0) throw new Error('secret store: empty token');
      const m = mode();
      memory = token;
      if (m.kind !== 'encrypted') {
        if (!told) {
          told = true;
          opts.onSessionOnly?.(
            `Your sign-in is kept for this session only: ${m.reason}. Install or unlock a keyring (e.g. GNOME Keyring or KWallet) to stay signed in across restarts.`,
          );
        }
        return;
      }
      const encrypted = opts.safeStorage.encryptString(token);
      await mkdir(path.dirname(opts.file), { recursive: true });
      const tmp = `${opts.file}.${process.pid}.tmp`;
      await writeFile(tmp, encrypted, { mode: 0o600 });
      await rename(tmp, opts.file);
    },
    async clear() {
      memory = null;
      await rm(opts.file, { force: true });
    },
  };
}
