// Where the session token lives. Electron passes a safeStorage-backed store through this port; the
// default keeps the token in memory only, so nothing is written in plaintext unless a caller asks.
import { readFile, rm, writeFile } from 'node:fs/promises';

/** The one token-store interface: main's safeStorage store, the core's remote store over parentPort, and these. */
export interface SecretStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  clear(): Promise<void>;
}

export function memorySecretStore(initial: string | null = null): SecretStore {
  let token = initial;
  return {
    get: async () => token,
    set: async (t) => { token = t; },
    clear: async () => { token = null; },
  };
}

/** Plaintext file store: only for test harnesses (child-main --token-file) that explicitly ask for it. */
export function plaintextFileSecretStore(file: string): SecretStore {
  return {
    async get() {
      try { return (await readFile(file, 'utf8')).trim() || null; } catch { return null; }
    },
    async set(t) { await writeFile(file, t, { mode: 0o600 }); },
    async clear() { await rm(file, { force: true }); },
  };
}
