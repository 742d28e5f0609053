// Triage: the logons that succeeded in an incident's evidence (the account that got in, from where, when), so
// every message and the dashboard name the account to disable, not every account the failures targeted.
import type { Kysely, Migration } from 'kysely';
import { addColumns, dropColumns } from './util.js';

export const m0660_logged_on: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'incidents', "logged_on_json text = '[]'");
  },
  async down(db: Kysely<any>) {
    await dropColumns(db, 'incidents', 'logged_on_json text');
  },
};
