// A rule's JSON kept once per rule and version instead of once per detection: a detection names it by its key
// (src/triage/detections.ts). A noisy rule's detections each repeated the same half kilobyte, more than the rest
// of the row, in every page and WAL frame they were written to. Rows written before keep their own JSON.
import { sql, type Kysely, type Migration } from 'kysely';
import { addColumns, createTable, dropColumns, dropTables } from './util.js';

export const m1800_detection_rules: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'detection_rules', 'rule_key text pk, rule_json text');
    await addColumns(db, 'detections', 'rule_key text?');
  },
  async down(db: Kysely<any>) {
    await sql`update detections set rule_json = (select r.rule_json from detection_rules r where r.rule_key = detections.rule_key) where rule_key is not null`.execute(db);
    await dropColumns(db, 'detections', 'rule_key text?');
    await dropTables(db, 'detection_rules');
  },
};
