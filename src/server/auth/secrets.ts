// Generated secrets that every node sharing a PostgreSQL store must hold alike (owner of the `auth_secrets`
// table): the key that signs session cookies, so a session made on one node is valid on every other. The first
// node to start makes it; the others read that one (one atomic insert-if-missing, then a read).
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { newSecret } from './digest.js';

export async function sharedSecret(db: Kysely<Database>, name: string, now: number): Promise<string> {
  await db
    .insertInto('auth_secrets')
    .values({ name, value: newSecret(), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('auth_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
