// Retention (src/retention/): alerts count the detections that hold them as evidence, so a raw alert no
// detection used can go after retention.alerts while evidence stays with its incident; and indexes that let each
// purge batch find its rows by age or by incident without scanning a table.
import type { Kysely, Migration } from 'kysely';
import { addColumns, createIndexes, dropColumns } from './util.js';

// [table, index, columns]
const INDEXES: [string, string, string][] = [
  ['incidents', 'incidents_resolved', 'status, resolved_at'],
  ['detections', 'detections_unfolded', 'incident_id, created_at'],
  ['outbox', 'outbox_incident', 'incident_id'],
  ['outbox', 'outbox_finished', 'state, updated_at'],
  ['enrich_lookups', 'enrich_lookups_incident', 'incident_id'],
  ['incident_links', 'incident_links_related', 'related_id'],
  ['audit_log', 'audit_log_at', 'at'],
  ['ingest_quarantine', 'ingest_quarantine_received', 'received_at'],
];

export const m1720_retention: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'alerts', 'refs integer = 0');
    for (const [table, index, columns] of INDEXES) await createIndexes(db, table, { [index]: columns });
  },
  async down(db: Kysely<any>) {
    for (const [, index] of INDEXES) await db.schema.dropIndex(index).execute();
    await dropColumns(db, 'alerts', 'refs integer');
  },
};
