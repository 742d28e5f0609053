// Shadow-mode evidence (src/store/rule-modes.ts): per shadowed rule and entity, what the rule would have opened —
// the incidents, detections and events — so an operator promotes it with numbers.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m1760_tuning: Migration = {
  async up(db: Kysely<any>) {
    await createTable(
      db,
      'shadow_incidents',
      'rule_id text, fingerprint text, entity_json text, first_seen bigint, last_seen bigint, opened integer, detections integer, events integer, updated_at bigint',
      { primaryKey: ['rule_id', 'fingerprint'] },
    );
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'shadow_incidents');
  },
};
