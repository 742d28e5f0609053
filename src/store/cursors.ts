// Named positions: the pipeline's last processed alert, a file's inode and offset, an indexer's search_after.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function getCursor(db: Kysely<Database>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('cursors').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

export async function setCursor(db: Kysely<Database>, name: string, value: string, now = systemClock()): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}
