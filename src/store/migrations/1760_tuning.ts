// Shadow-mode evidence (src/store/rule-modes.ts): per shadowed rule and entity, what the rule would have opened —
// the incidents, detections and events — so an operator promotes it with numbers.
import type { Kysely, Migration } from 'kysely';

export const m1760_tuning: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('shadow_incidents')
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('entity_json', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addColumn('opened', 'integer', (c) => c.notNull())
      .addColumn('detections', 'integer', (c) => c.notNull())
      .addColumn('events', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('shadow_incidents_pk', ['rule_id', 'fingerprint'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('shadow_incidents').execute();
  },
};
