// Triage: the logons that succeeded in an incident's evidence (the account that got in, from where, when), so
// every message and the dashboard name the account to disable, not every account the failures targeted.
import type { Kysely, Migration } from 'kysely';

export const m0660_logged_on: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('incidents').addColumn('logged_on_json', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('incidents').dropColumn('logged_on_json').execute();
  },
};
