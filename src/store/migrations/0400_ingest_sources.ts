// Ingest: records a source could not read (invalid JSON or UTF-8, too deep, too long, __proto__ keys) are set
// aside here with the reason, not dropped, so an operator can look at them and nothing is silently lost.
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './util.js';

export const m0400_ingest_sources: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('ingest_quarantine')
      .addColumn('id', ...idColumn(db))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      // The first bytes of the record (base64 when it is not valid UTF-8).
      .addColumn('sample', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('ingest_quarantine').execute();
  },
};
