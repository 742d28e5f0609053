// The outbox claim (src/act/outbox.ts): which node runs an action and until when its claim holds, so that when
// several nodes share the store a node that died mid-send leaves its rows to the others once the claim expires.
import type { Kysely, Migration } from 'kysely';

export const m1520_outbox_claims: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('outbox').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('outbox').addColumn('claim_expires_at', 'bigint').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('outbox').dropColumn('claim_expires_at').execute();
    await db.schema.alterTable('outbox').dropColumn('claimed_by').execute();
  },
};
