// Named positions: the pipeline's last processed alert, a file's inode and offset, an indexer's search_after.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import { templated } from './templated.js';
import type { Database } from './schema.js';

export async function getCursor(db: Kysely<Database>, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('cursors').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Written once per pipeline pass and per chunk a source reads: from its compiled-once statement. */
export async function setCursor(db: Kysely<Database>, name: string, value: string, now = systemClock()): Promise<void> {
  const values = [name, value, now];
  await db.executeQuery(
    templated(db, 'cursors.set', 1, (i) => values[i], (marker) =>
      db
        .insertInto('cursors')
        .values({ name: marker(0), value: marker(1), updated_at: marker(2) as unknown as number })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value: marker(1), updated_at: marker(2) as unknown as number })),
    ),
  );
}
