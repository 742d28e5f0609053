// What several nodes on one store must agree on for logins: the login rate limit's counters
// (src/server/auth/rate-limits.ts) and the generated secrets they sign with (src/server/auth/secrets.ts).
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m1530_shared_auth: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'rate_limits', 'key text pk, hits integer, window_start bigint', { indexes: { rate_limits_window: 'window_start' } });
    await createTable(db, 'auth_secrets', 'name text pk, value text, created_at bigint');
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'auth_secrets', 'rate_limits');
  },
};
