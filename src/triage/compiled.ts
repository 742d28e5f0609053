// Multi-row inserts compiled once per shape. Kysely builds and compiles an insert of a hundred rows of thirteen
// columns in more time than SQLite takes to run it; a triage batch writes its detections and indicators in a
// few shapes only (a table and a number of rows), so each shape's SQL text is kept and run again with the new
// rows' values. The first build of a shape is checked to pass exactly the rows' values in order; one that does
// not (or a row with a missing value) is run as Kysely builds it.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { isPostgres } from '../store/migrations/util.js';

const texts = new Map<string, string | null>();

export async function insertRows<R extends Record<string, unknown>>(
  db: Kysely<Database>,
  table: string,
  columns: readonly (keyof R & string)[],
  rows: R[],
  build: (rows: R[]) => Compilable,
): Promise<void> {
  if (rows.length === 0) return;
  const values: unknown[] = [];
  for (const r of rows) for (const c of columns) values.push(r[c]);
  if (values.includes(undefined)) {
    await db.executeQuery(build(rows).compile());
    return;
  }
  const shape = `${isPostgres(db) ? 'pg' : 'sqlite'}\u0000${table}\u0000${columns.join(',')}\u0000${rows.length}`;
  let text = texts.get(shape);
  if (text === undefined) {
    const compiled = build(rows).compile();
    const same = compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
    text = same ? compiled.sql : null;
    if (texts.size < 1000) texts.set(shape, text);
    if (!same) {
      await db.executeQuery(compiled);
      return;
    }
  }
  if (text === null) await db.executeQuery(build(rows).compile());
  else await db.executeQuery(CompiledQuery.raw(text, values));
}
