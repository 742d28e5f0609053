// Triage: severity, summary, analyst state and verdicts on incidents; the indicators each incident holds
// (which link related incidents); links; suppressions; and which suppression silenced a detection.
import type { Kysely, Migration } from 'kysely';
import { addColumns, createTable, dropColumns, dropTables } from './util.js';

const INCIDENT_COLUMNS = `
  severity_score integer = 0, severity_json text = '[]', wazuh_level integer = 0, enrichment_json text = '[]',
  escalated integer = 0, mitre_json text = '[]', rule_json text = '{}', summary_json text?, summary_state text?,
  assignee text?, acknowledged_at bigint?, acknowledged_by text?, resolved_at bigint?, resolution text?, verdict text?,
  verdict_comment text?, verdict_by text?, verdict_at bigint?, last_detection_at bigint?`;

export const m0600_triage: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'incidents', INCIDENT_COLUMNS);
    await addColumns(db, 'detections', 'suppression_id bigint?');
    await createTable(db, 'incident_indicators', 'incident_id text, kind text, value text, role text, first_seen bigint', {
      primaryKey: ['incident_id', 'kind', 'value'],
      indexes: { incident_indicators_value: 'kind, value' },
    });
    await createTable(db, 'incident_links', 'incident_id text, related_id text, reason text, created_at bigint', { primaryKey: ['incident_id', 'related_id'] });
    await createTable(
      db,
      'suppressions',
      `id id, rule_id text?, indicator_kind text, indicator_value text, reason text, created_by text, created_at bigint,
       expires_at bigint?, incident_id text?, hits integer = 0`,
      { indexes: { suppressions_indicator: 'indicator_kind, indicator_value' } },
    );
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'suppressions', 'incident_links', 'incident_indicators');
    await dropColumns(db, 'detections', 'suppression_id bigint?');
    await dropColumns(db, 'incidents', INCIDENT_COLUMNS);
  },
};
