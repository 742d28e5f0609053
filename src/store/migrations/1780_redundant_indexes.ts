// Two indexes every row write paid for and no read needed: each was the first columns of another index on the
// same table, which serves every query it served. An indicator row wrote four B-trees and a detection row five;
// each of those is a page to find and rewrite per row (the detections of a noisy rule write thousands a second).
//   detections_incident (incident_id)          → detections_unfolded (incident_id, created_at)
//   incident_indicators_value (kind, value)    → incident_indicators_recent (kind, value, first_seen)
import type { Kysely, Migration } from 'kysely';
import { createIndexes } from './util.js';

export const m1780_redundant_indexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('detections_incident').execute();
    await db.schema.dropIndex('incident_indicators_value').execute();
  },
  async down(db: Kysely<any>) {
    await createIndexes(db, 'detections', { detections_incident: 'incident_id' });
    await createIndexes(db, 'incident_indicators', { incident_indicators_value: 'kind, value' });
  },
};
