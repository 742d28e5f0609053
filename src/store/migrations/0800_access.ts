// Issue 8 (dashboard, API, access control): local users, browser sessions, API tokens, and rule modes.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0800_access: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'users', 'name text pk, password_hash text, role text, created_at bigint, disabled_at bigint?');

    // The session id is kept only as a SHA-256 digest: a copy of the database cannot be replayed as a login.
    await createTable(db, 'sessions', 'id_hash text pk, user_name text, csrf_token text, created_at bigint, expires_at bigint', {
      indexes: { sessions_user: 'user_name' },
    });

    await createTable(
      db,
      'api_tokens',
      'id id, name text, token_hash text unique, scope text, created_by text, created_at bigint, last_used_at bigint?, revoked_at bigint?',
    );

    // enabled | disabled | shadow, per rule id; rules without a row are enabled.
    await createTable(db, 'rule_modes', 'rule_id text pk, mode text, shadow_hits integer = 0, updated_by text, updated_at bigint');
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'rule_modes', 'api_tokens', 'sessions', 'users');
  },
};
