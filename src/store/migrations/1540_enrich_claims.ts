// A lookup in flight (src/enrich/broker.ts): until when the node making it holds it, so that nodes sharing the
// store never call a provider twice for one indicator (and spend two tokens for one answer).
import type { Kysely, Migration } from 'kysely';
import { addColumns, dropColumns } from './util.js';

export const m1540_enrich_claims: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'enrich_lookups', 'claimed_until bigint?');
  },
  async down(db: Kysely<any>) {
    await dropColumns(db, 'enrich_lookups', 'claimed_until bigint?');
  },
};
