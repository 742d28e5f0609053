// Named leases (src/cluster/leases.ts): who holds a name until when, with a fencing token that grows with each new
// holder. Leader election for the periodic jobs, and any other "exactly one node at a time" ownership.
import type { Kysely, Migration } from 'kysely';

export const m1510_leases: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('token', 'bigint', (c) => c.notNull())
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('leases').execute();
  },
};
