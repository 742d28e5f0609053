// Statements of the hot writes built once: Kysely builds and compiles each (per dialect, statement and size)
// with marker values that say where each value sits among the parameters; later calls bind new values to the
// same SQL, which the connection keeps prepared, without going through the query builder again.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Template {
  sql: string;
  /** For each bound parameter: the index of the value it takes, or the constant the builder gave it. */
  params: (number | { constant: unknown })[];
}

/** Per dialect, per statement and size: the hot writes do not go through Kysely's query builder again. */
const templates = new WeakMap<object, Map<string, Template>>();

/**
 * A statement over `count` values from its template: Kysely builds and compiles it once with marker values
 * (`build` places marker i where value i goes), which say where each value sits among the parameters; later
 * calls only bind new values to the same SQL, which the driver keeps prepared.
 */
export function templated(db: Kysely<Database>, name: string, count: number, values: (i: number) => unknown, build: (marker: (i: number) => string) => Compilable): CompiledQuery {
  const dialect = db.getExecutor().adapter.constructor;
  let byShape = templates.get(dialect);
  if (!byShape) templates.set(dialect, (byShape = new Map()));
  const shape = `${name}/${count}`;
  let t = byShape.get(shape);
  if (!t) {
    const compiled = build((i) => `\u0000${i}`).compile();
    const params = compiled.parameters.map((p) => {
      const m = typeof p === 'string' ? /^\u0000(\d+)$/.exec(p) : null;
      return m ? Number(m[1]) : { constant: p };
    });
    byShape.set(shape, (t = { sql: compiled.sql, params }));
  }
  return CompiledQuery.raw(
    t.sql,
    t.params.map((p) => (typeof p === 'number' ? values(p) : p.constant)),
  );
}

