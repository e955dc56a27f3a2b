// Users and their bearer tokens. Tokens are random, shown once, and stored only as SHA-256 hashes.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Role } from '../../shared/domain';
import type { Db } from '../db/connection';

export const UserName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'user names are lower-case slugs (a-z, 0-9, _ . -)');
export const NewUser = z.object({
  id: UserName,
  displayName: z.string().min(1).max(200).optional(),
  roles: z.array(Role).min(1),
});
export type NewUser = z.input<typeof NewUser>;

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
export const newToken = () => `edk_${randomBytes(24).toString('base64url')}`;

/** Creates a user (or adds roles to an existing one) and returns a fresh token for it. */
/** `expiresInDays`: the token's lifetime (none: it never expires). */
export async function createUser(db: Db, input: NewUser, now: Date, opts: { token?: string; demo?: boolean; expiresInDays?: number } = {}):
Promise<{ id: string; token: string; expiresAt: string | null }> {
  const u = NewUser.parse(input);
  const at = now.toISOString();
  const existing = await db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirst();
  if (existing) {
    const roles = [...new Set([...(JSON.parse(existing.roles) as string[]), ...u.roles])];
    await db.updateTable('users').set({ roles: JSON.stringify(roles) }).where('id', '=', u.id).execute();
  } else {
    await db.insertInto('users').values({ id: u.id, name: u.displayName ?? u.id, roles: JSON.stringify(u.roles), created_at: at }).execute();
  }
  const token = opts.token ?? newToken();
  const expiresAt = opts.expiresInDays ? new Date(now.getTime() + opts.expiresInDays * 86_400_000).toISOString() : null;
  await db.insertInto('tokens').values({ token_hash: hashToken(token), user_id: u.id, demo: opts.demo ? 1 : 0, created_at: at,
    expires_at: expiresAt, revoked_at: null }).execute();
  return { id: u.id, token, expiresAt };
}

/** Revokes every live token of a user (they get 401 from the next request on). Returns how many. */
export async function revokeTokens(db: Db, userId: string, now: Date): Promise<number> {
  const res = await db.updateTable('tokens').set({ revoked_at: now.toISOString() })
    .where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}
