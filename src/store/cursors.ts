// Named positions: the pipeline's last processed alert, a file's inode and offset, an indexer's search_after.
import { systemClock } from '../clock.js';
import { sql, type Kysely } from 'kysely';
import { VigilError } from '../errors.js';
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

/**
 * A fenced write was refused: the cursor has a newer owner (a larger fence) than the writer. Thrown inside the
 * writer's transaction, so everything the transaction did rolls back with it.
 */
export class CursorFencedError extends VigilError<'fenced'> {
  constructor(
    readonly cursor: string,
    readonly fence: number,
  ) {
    super('fenced', `cursor ${cursor} has a newer owner than fence ${fence}: this writer's batch is rolled back`);
  }
}

/**
 * Takes a cursor over for a new owner: raises its fence by one (creating the cursor with `initial` when it does
 * not exist) and returns its value with the new fence, in one statement. Writes that carry an older fence are
 * refused from now on (setFencedCursor), so the value returned is the last one any former owner committed.
 */
export async function fenceCursor(db: Kysely<Database>, name: string, initial: string, now = systemClock()): Promise<{ value: string; fence: number }> {
  const row = await db
    .insertInto('cursors')
    .values({ name, value: initial, updated_at: now, fence: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ fence: sql<number>`cursors.fence + 1` }))
    .returning(['value', 'fence'])
    .executeTakeFirstOrThrow();
  return { value: row.value, fence: Number(row.fence) };
}

/** Moves a cursor only while `fence` is still its newest: otherwise throws CursorFencedError (roll the transaction back). */
export async function setFencedCursor(db: Kysely<Database>, name: string, value: string, fence: number, now = systemClock()): Promise<void> {
  const r = await db.updateTable('cursors').set({ value, updated_at: now }).where('name', '=', name).where('fence', '=', fence).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new CursorFencedError(name, fence);
}
