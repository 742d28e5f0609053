// Risk-based alerting (src/triage/risk.ts owns the table): one row per entity a detection added risk to, kept for
// the risk window and then purged by retention.
import type { Kysely, Migration } from 'kysely';

export const m1660_risk: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('risk_events')
      .addColumn('detection_id', 'text', (c) => c.notNull())
      .addColumn('entity_kind', 'text', (c) => c.notNull())
      .addColumn('entity_value', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('rule_title', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('tactics_json', 'text', (c) => c.notNull())
      .addColumn('points', 'integer', (c) => c.notNull())
      .addColumn('events', 'integer', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('risk_events_pk', ['detection_id', 'entity_kind', 'entity_value'])
      .execute();
    await db.schema.createIndex('risk_events_entity').on('risk_events').columns(['entity_kind', 'entity_value', 'time']).execute();
    await db.schema.createIndex('risk_events_time').on('risk_events').column('time').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('risk_events').execute();
  },
};
