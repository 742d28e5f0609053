// Triage: severity, summary, analyst state and verdicts on incidents; the indicators each incident holds
// (which link related incidents); links; suppressions; and which suppression silenced a detection.
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './util.js';

const INCIDENT_COLUMNS: [string, 'text' | 'integer' | 'bigint', unknown][] = [
  ['severity_score', 'integer', 0],
  ['severity_json', 'text', '[]'],
  ['wazuh_level', 'integer', 0],
  ['enrichment_json', 'text', '[]'],
  ['escalated', 'integer', 0],
  ['mitre_json', 'text', '[]'],
  ['rule_json', 'text', '{}'],
  ['summary_json', 'text', null],
  ['summary_state', 'text', null],
  ['assignee', 'text', null],
  ['acknowledged_at', 'bigint', null],
  ['acknowledged_by', 'text', null],
  ['resolved_at', 'bigint', null],
  ['resolution', 'text', null],
  ['verdict', 'text', null],
  ['verdict_comment', 'text', null],
  ['verdict_by', 'text', null],
  ['verdict_at', 'bigint', null],
  ['last_detection_at', 'bigint', null],
];

export const m0600_triage: Migration = {
  async up(db: Kysely<any>) {
    for (const [name, type, def] of INCIDENT_COLUMNS) {
      await db.schema
        .alterTable('incidents')
        .addColumn(name, type, (c) => (def === null ? c : c.notNull().defaultTo(def)))
        .execute();
    }
    await db.schema.alterTable('detections').addColumn('suppression_id', 'bigint').execute();

    await db.schema
      .createTable('incident_indicators')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_indicators_pk', ['incident_id', 'kind', 'value'])
      .execute();
    await db.schema.createIndex('incident_indicators_value').on('incident_indicators').columns(['kind', 'value']).execute();

    await db.schema
      .createTable('incident_links')
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('related_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('incident_links_pk', ['incident_id', 'related_id'])
      .execute();

    await db.schema
      .createTable('suppressions')
      .addColumn('id', ...idColumn(db))
      .addColumn('rule_id', 'text')
      .addColumn('indicator_kind', 'text', (c) => c.notNull())
      .addColumn('indicator_value', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('incident_id', 'text')
      .addColumn('hits', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('suppressions_indicator').on('suppressions').columns(['indicator_kind', 'indicator_value']).execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['suppressions', 'incident_links', 'incident_indicators']) await db.schema.dropTable(t).execute();
    await db.schema.alterTable('detections').dropColumn('suppression_id').execute();
    for (const [name] of INCIDENT_COLUMNS) await db.schema.alterTable('incidents').dropColumn(name).execute();
  },
};
