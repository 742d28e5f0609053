// Named leases (src/cluster/leases.ts): who holds a name until when, with a fencing token that grows with each new
// holder. Leader election for the periodic jobs, and any other "exactly one node at a time" ownership.
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './util.js';

export const m1510_leases: Migration = {
  async up(db: Kysely<any>) {
    await createTable(db, 'leases', 'name text pk, holder text, token bigint, acquired_at bigint, expires_at bigint');
  },
  async down(db: Kysely<any>) {
    await dropTables(db, 'leases');
  },
};
