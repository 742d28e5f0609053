import { sql, type Kysely, type Migration } from 'kysely';
import { idColumn } from './util.js';

export const m0001_foundation: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('alerts')
      .addColumn('seq', ...idColumn(db))
      .addColumn('key', 'text', (c) => c.notNull().unique())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alerts_event_id').on('alerts').column('event_id').execute();

    await db.schema
      .createTable('cursors')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('entity_json', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addColumn('detection_count', 'integer', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incidents_fingerprint').on('incidents').column('fingerprint').execute();
    await db.schema.createIndex('incidents_status_last_seen').on('incidents').columns(['status', 'last_seen']).execute();

    await db.schema
      .createTable('detections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('rule_title', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('first_time', 'bigint', (c) => c.notNull())
      .addColumn('group_json', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('event_ids_json', 'text', (c) => c.notNull())
      .addColumn('rule_json', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('detections_incident').on('detections').column('incident_id').execute();
    await db.schema.createIndex('detections_time').on('detections').column('time').execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', ...idColumn(db))
      .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .execute();
    await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
    void sql;
  },
  async down(db: Kysely<any>) {
    for (const t of ['outbox', 'detections', 'incidents', 'cursors', 'alerts']) await db.schema.dropTable(t).execute();
  },
};
