// Adds users with fresh tokens to a running server's database file, through the server's own users service
// (tokens stored hashed, exactly as `npm run server -- users add` does), on a second connection.
import type { Role } from '../../shared/domain';
import { openDatabase } from '../../server/db/connection';
import { createUser } from '../../server/services/users';

export async function addUsers(dbFile: string, users: { id: string; roles: Role[] }[]): Promise<Record<string, string>> {
  const opened = await openDatabase(dbFile);
  try {
    const tokens: Record<string, string> = {};
    for (const u of users) tokens[u.id] = (await createUser(opened.db, u, new Date())).token;
    return tokens;
  } finally {
    await opened.close();
  }
}
