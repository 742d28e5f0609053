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


/**
 * Rows (or values) per statement of the hot writes: a batch goes in the largest that fit, so only these few
 * statements are ever built and prepared, and each stays under the bound-parameter limits (SQLite's 32,766,
 * PostgreSQL's 65,535) for the widest row written this way. Every count up to 16 has its own: a small batch
 * (a group commit of one-alert POSTs) goes in one statement, where 4, 1, 1, 1 had cost four for seven rows,
 * each with a statement's fixed cost.
 */
const SIZES = [256, 64, ...Array.from({ length: 16 }, (_, i) => 16 - i)];

/** How many of `left` the next statement takes. */
export const sizeFor = (left: number): number => SIZES.find((n) => n <= left)!;

/** `count` rows of marker values, marker i at row r and column k where i = r × columns + k: what a template is built of. */
export function markedRows(count: number, columns: readonly string[], marker: (i: number) => string): Record<string, string>[] {
  return Array.from({ length: count }, (_, r) => Object.fromEntries(columns.map((c, k) => [c, marker(r * columns.length + k)])));
}

/** Value i of those rows: row after row, in column order. */
export function rowValues<R>(rows: readonly R[], columns: readonly (keyof R)[]): (i: number) => unknown {
  return (i) => rows[Math.floor(i / columns.length)]![columns[i % columns.length]!];
}
