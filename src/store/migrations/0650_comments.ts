// Comments: the analysts' thread on an incident (who, when, what), owned by src/triage/comments.ts; and who
// resolved an incident with which words, so the resolve mail can say it.
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './util.js';

export const m0650_comments: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('incident_comments')
      .addColumn('id', ...idColumn(db))
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_comments_incident').on('incident_comments').columns(['incident_id', 'id']).execute();
    await db.schema.alterTable('incidents').addColumn('resolved_by', 'text').execute();
    await db.schema.alterTable('incidents').addColumn('resolution_comment', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('incident_comments').execute();
    await db.schema.alterTable('incidents').dropColumn('resolved_by').execute();
    await db.schema.alterTable('incidents').dropColumn('resolution_comment').execute();
  },
};
