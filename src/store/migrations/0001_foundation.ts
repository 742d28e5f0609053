import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0001_foundation: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'alerts', 'seq id, key text unique, event_id text, format text, source text, received_at bigint, body text', {
      indexes: { alerts_event_id: 'event_id' },
    });
    await createTable(db, 'cursors', 'name text pk, value text, updated_at bigint');
    await createTable(
      db,
      'incidents',
      `id text pk, fingerprint text, title text, status text, level text, rule_id text, entity_json text,
       first_seen bigint, last_seen bigint, detection_count integer, event_count integer, revision integer,
       created_at bigint, updated_at bigint`,
      { indexes: { incidents_fingerprint: 'fingerprint', incidents_status_last_seen: 'status, last_seen' } },
    );
    await createTable(
      db,
      'detections',
      `id text pk, rule_id text, rule_title text, level text, time bigint, first_time bigint, group_json text,
       count integer, event_ids_json text, rule_json text, incident_id text?, created_at bigint`,
      { indexes: { detections_incident: 'incident_id', detections_time: 'time' } },
    );
    await createTable(
      db,
      'outbox',
      `id id, idempotency_key text unique, channel text, incident_id text, state text, attempts integer,
       next_attempt_at bigint, last_error text?, payload_json text, created_at bigint, updated_at bigint, delivered_at bigint?`,
      { indexes: { outbox_due: 'state, next_attempt_at' } },
    );
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'outbox', 'detections', 'incidents', 'cursors', 'alerts');
  },
};
