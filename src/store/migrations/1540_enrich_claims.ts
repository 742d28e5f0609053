// A lookup in flight (src/enrich/broker.ts): until when the node making it holds it, so that nodes sharing the
// store never call a provider twice for one indicator (and spend two tokens for one answer).
import type { Kysely, Migration } from 'kysely';

export const m1540_enrich_claims: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('enrich_lookups').addColumn('claimed_until', 'bigint').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('enrich_lookups').dropColumn('claimed_until').execute();
  },
};
