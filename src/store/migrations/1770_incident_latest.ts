// The newest incident of a fingerprint (what every detection's fold reads) from an index range in order, not a
// sort of the fingerprint's incidents.
import type { Kysely, Migration } from 'kysely';
import { createIndexes } from './util.js';

export const m1770_incident_latest: Migration = {
  async up(db: Kysely<any>) {
    await createIndexes(db, 'incidents', { incidents_fingerprint_latest: 'fingerprint, last_seen' });
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('incidents_fingerprint_latest').execute();
  },
};
