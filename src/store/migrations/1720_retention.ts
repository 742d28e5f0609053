// Retention (src/retention/): alerts count the detections that hold them as evidence, so a raw alert no
// detection used can go after retention.alerts while evidence stays with its incident; and indexes that let each
// purge batch find its rows by age or by incident without scanning a table.
import type { Kysely, Migration } from 'kysely';

export const m1720_retention: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('alerts').addColumn('refs', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createIndex('incidents_resolved').on('incidents').columns(['status', 'resolved_at']).execute();
    await db.schema.createIndex('detections_unfolded').on('detections').columns(['incident_id', 'created_at']).execute();
    await db.schema.createIndex('outbox_incident').on('outbox').column('incident_id').execute();
    await db.schema.createIndex('outbox_finished').on('outbox').columns(['state', 'updated_at']).execute();
    await db.schema.createIndex('enrich_lookups_incident').on('enrich_lookups').column('incident_id').execute();
    await db.schema.createIndex('incident_links_related').on('incident_links').column('related_id').execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('ingest_quarantine_received').on('ingest_quarantine').column('received_at').execute();
  },
  async down(db: Kysely<any>) {
    for (const i of ['incidents_resolved', 'detections_unfolded', 'outbox_incident', 'outbox_finished', 'enrich_lookups_incident', 'incident_links_related', 'audit_log_at', 'ingest_quarantine_received'])
      await db.schema.dropIndex(i).execute();
    await db.schema.alterTable('alerts').dropColumn('refs').execute();
  },
};
