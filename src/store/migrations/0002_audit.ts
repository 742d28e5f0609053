import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0002_audit: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'audit_log', 'id id, at bigint, actor text, action text, target text, result text, details_json text', {
      indexes: { audit_log_target: 'target, at' },
    });
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'audit_log');
  },
};
