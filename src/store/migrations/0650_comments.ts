// Comments: the analysts' thread on an incident (who, when, what), owned by src/triage/comments.ts; and who
// resolved an incident with which words, so the resolve mail can say it.
import type { Kysely, Migration } from 'kysely';
import { addColumns, createTable, dropColumns, dropTables } from './util.js';

const RESOLUTION = 'resolved_by text?, resolution_comment text?';

export const m0650_comments: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'incident_comments', 'id id, incident_id text, author text, at bigint, text text', {
      indexes: { incident_comments_incident: 'incident_id, id' },
    });
    await addColumns(db, 'incidents', RESOLUTION);
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'incident_comments');
    await dropColumns(db, 'incidents', RESOLUTION);
  },
};
