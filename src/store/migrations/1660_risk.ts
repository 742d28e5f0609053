// Risk-based alerting (src/triage/risk.ts owns the table): one row per entity a detection added risk to, kept for
// the risk window and then purged by retention.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m1660_risk: Migration = {
  async up(db: Kysely<any>) {
    await createTable(
      db,
      'risk_events',
      `detection_id text, entity_kind text, entity_value text, incident_id text, rule_id text, rule_title text, level text,
       tactics_json text, points integer, events integer, time bigint, created_at bigint`,
      {
        primaryKey: ['detection_id', 'entity_kind', 'entity_value'],
        indexes: { risk_events_entity: 'entity_kind, entity_value, time', risk_events_time: 'time' },
      },
    );
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'risk_events');
  },
};
