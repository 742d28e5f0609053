// Indexes that keep the cost of one detection independent of how many incidents are stored: related incidents
// are found by the indicator's most recent holders (a bounded range of this index, never every holder of a
// common value), and the links already made from an incident are read by its key.
import type { Kysely, Migration } from 'kysely';
import { createIndexes } from './util.js';

export const m1710_hot_path: Migration = {
  async up(db: Kysely<any>) {
    await createIndexes(db, 'incident_indicators', { incident_indicators_recent: 'kind, value, first_seen' });
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('incident_indicators_recent').execute();
  },
};
