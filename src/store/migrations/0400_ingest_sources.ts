// Ingest: records a source could not read (invalid JSON or UTF-8, too deep, too long, __proto__ keys) are set
// aside here with the reason, not dropped, so an operator can look at them and nothing is silently lost.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m0400_ingest_sources: Migration = {
  async up(db: Kysely<any>) {
    // sample: the first bytes of the record (base64 when it is not valid UTF-8).
    await createTable(db, 'ingest_quarantine', 'id id, source text, reason text, detail text, size bigint, sample text, received_at bigint');
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'ingest_quarantine');
  },
};
