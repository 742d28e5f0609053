// The outbox claim (src/act/outbox.ts): which node runs an action and until when its claim holds, so that when
// several nodes share the store a node that died mid-send leaves its rows to the others once the claim expires.
import type { Kysely, Migration } from 'kysely';
import { addColumns, dropColumns } from './util.js';

export const m1520_outbox_claims: Migration = {
  async up(db: Kysely<any>) {
    await addColumns(db, 'outbox', 'claimed_by text?, claim_expires_at bigint?');
  },
  async down(db: Kysely<any>) {
    await dropColumns(db, 'outbox', 'claim_expires_at bigint?, claimed_by text?');
  },
};
