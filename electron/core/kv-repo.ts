// Small persisted values: session, sync cursor, client id, mutation numbering floor, settings.
import { randomUUID } from 'node:crypto';
import { Me } from '../../shared/central-api';
import { Settings } from '../../shared/desk-api';
import type { Db } from './cache-db';

export interface StoredSession {
  serverUrl: string;
  user: Me;
  demo: boolean;
  /** The id the server reported (GET /v1/me); null for a server that reports none. */
  serverId?: string | null;
}

export class KvRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM kv WHERE key = ?');
  }

  get(key: string): string | null {
    return this.getStmt.get(key)?.value ?? null;
  }
  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
  delete(key: string): void {
    this.delStmt.run(key);
  }

  clientId(): string {
    let id = this.get('client_id');
    if (!id) {
      id = `desk-${randomUUID()}`;
      this.set('client_id', id);
    }
    return id;
  }
  newClientId(): string {
    const id = `desk-${randomUUID()}`;
    this.set('client_id', id);
    return id;
  }

  session(): StoredSession | null {
    const raw = this.get('session');
    if (!raw) return null;
    try {
      const v = JSON.parse(raw) as StoredSession;
      const user = Me.safeParse(v.user);
      if (!user.success || typeof v.serverUrl !== 'string') return null;
      return { serverUrl: v.serverUrl, user: user.data, demo: !!v.demo, serverId: typeof v.serverId === 'string' ? v.serverId : null };
    } catch {
      return null;
    }
  }
  setSession(s: StoredSession | null): void {
    if (s) this.set('session', JSON.stringify(s));
    else this.delete('session');
  }

  cursor(): string | null {
    return this.get('pull_cursor');
  }
  setCursor(c: string | null): void {
    if (c === null) this.delete('pull_cursor');
    else this.set('pull_cursor', c);
  }

  /** The lowest id the next mutation may take (raised when the server reports a higher last id). */
  mutationFloor(): number {
    return Number(this.get('mutation_floor') ?? '1');
  }
  raiseMutationFloor(n: number): void {
    if (n > this.mutationFloor()) this.set('mutation_floor', String(n));
  }

  lastSyncAt(): string | null {
    return this.get('last_sync_at');
  }

  settings(): Settings {
    const raw = this.get('settings');
    let parsed: unknown;
    try { parsed = raw ? JSON.parse(raw) : {}; } catch { parsed = {}; }
    const r = Settings.safeParse(parsed);
    return r.success ? r.data : Settings.parse({});
  }
  setSettings(s: Settings): void {
    this.set('settings', JSON.stringify(s));
  }
}
