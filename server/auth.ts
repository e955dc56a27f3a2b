// Bearer-token authentication and role checks. Demo tokens (`demo-<name>`) are only honoured in a database
// that the demo seed marked as such, even if a row for one were copied elsewhere.
import type { Role } from '../shared/domain';
import type { Db } from './db/connection';
import { forbidden, unauthorized } from './problem';
import type { AuthUser } from './services/context';
import { hashToken } from './services/users';

export async function authenticate(db: Db, header: string | undefined, now: Date): Promise<AuthUser> {
  if (!header) throw unauthorized('missing Authorization header; send "Authorization: Bearer <token>"');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
  const row = await db.selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select(['users.id', 'users.name', 'users.roles', 'tokens.demo', 'tokens.expires_at', 'tokens.revoked_at'])
    .where('tokens.token_hash', '=', hashToken(m[1]))
    .executeTakeFirst();
  if (!row) throw unauthorized('unknown token');
  if (row.revoked_at !== null) throw unauthorized('this token was revoked; ask an administrator for a new one');
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) {
    throw unauthorized(`this token expired at ${row.expires_at}; ask an administrator for a new one`);
  }
  if (row.demo === 1) {
    const seeded = await db.selectFrom('meta').select('value').where('key', '=', 'seed').executeTakeFirst();
    if (seeded?.value !== 'demo') throw unauthorized('demo tokens are accepted only by a demo-seeded database');
  }
  return { id: row.id, name: row.name, roles: JSON.parse(row.roles) as string[] };
}

export function requireRole(user: AuthUser, allowed: readonly Role[], what: string): void {
  if (!allowed.some((r) => user.roles.includes(r))) {
    throw forbidden(`${what} needs one of the roles ${allowed.join(', ')}; you have ${user.roles.join(', ')}`);
  }
}
