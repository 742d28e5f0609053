// What several nodes on one store must agree on for logins: the login rate limit's counters
// (src/server/auth/rate-limits.ts) and the generated secrets they sign with (src/server/auth/secrets.ts).
import type { Kysely, Migration } from 'kysely';

export const m1530_shared_auth: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limits_window').on('rate_limits').column('window_start').execute();
    await db.schema
      .createTable('auth_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('auth_secrets').execute();
    await db.schema.dropTable('rate_limits').execute();
  },
};
