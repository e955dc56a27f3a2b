// Restricted-site bundles (DESIGN §11): the device keys that sign decisions bundles, one per desk client id.
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const m090_bundle_devices: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('bundle_devices')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
