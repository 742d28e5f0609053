import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key on either dialect. */
export function idColumn(db: Kysely<any>): ['integer' | 'bigserial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return isPostgres(db) ? ['bigserial', (c) => c.primaryKey()] : ['integer', (c) => c.primaryKey().autoIncrement()];
}

// A table's columns as one compact list, in column order, separated by commas or line breaks:
//   `name type[?] [pk|unique] [= default]`
// type is text | integer | bigint, or `id` (idColumn). A column is NOT NULL unless its type ends in `?` or it is
// `pk` (which adds no NOT NULL of its own, as the schema always had it). A default is a number or a '…' string
// without commas. The builder calls are exactly those the migrations were first written with, so the SQL each
// dialect is sent, and the schema it records, stays the same to the byte.
interface ColumnSpec {
  name: string;
  type: 'id' | 'text' | 'integer' | 'bigint';
  nullable: boolean;
  key?: 'pk' | 'unique';
  def?: string | number;
}

const COLUMN = /^(\w+) (id|text|integer|bigint)(\?)?(?: (pk|unique))?(?: = (-?\d+|'[^']*'))?$/;

function parseColumns(list: string): ColumnSpec[] {
  return list
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = COLUMN.exec(s);
      if (!m) throw new Error(`migration column spec not understood: ${s}`);
      const def = m[5] === undefined ? undefined : m[5].startsWith("'") ? m[5].slice(1, -1) : Number(m[5]);
      return { name: m[1]!, type: m[2] as ColumnSpec['type'], nullable: m[3] === '?', key: m[4] as ColumnSpec['key'], ...(def === undefined ? {} : { def }) };
    });
}

function columnArgs(db: Kysely<any>, col: ColumnSpec): ['integer' | 'bigserial' | 'text' | 'bigint', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  if (col.type === 'id') return idColumn(db);
  return [
    col.type,
    (c) => {
      if (col.key === 'pk') return c.primaryKey();
      if (!col.nullable) c = c.notNull();
      if (col.key === 'unique') c = c.unique();
      return col.def === undefined ? c : c.defaultTo(col.def);
    },
  ];
}

/** Column names of a list, in order (for down()). */
export function columnNames(list: string): string[] {
  return parseColumns(list).map((c) => c.name);
}

export interface TableOptions {
  /** Composite primary key, named `<table>_pk`. */
  primaryKey?: string[];
  /** Named unique constraints. */
  unique?: Record<string, string[]>;
  /** Indexes created after the table: name → comma-separated columns. */
  indexes?: Record<string, string>;
}

export async function createTable(db: Kysely<any>, table: string, columns: string, options: TableOptions = {}): Promise<void> {
  let builder = db.schema.createTable(table);
  for (const col of parseColumns(columns)) builder = builder.addColumn(col.name, ...columnArgs(db, col));
  if (options.primaryKey) builder = builder.addPrimaryKeyConstraint(`${table}_pk`, options.primaryKey as any);
  for (const [name, cols] of Object.entries(options.unique ?? {})) builder = builder.addUniqueConstraint(name, cols as any);
  await builder.execute();
  if (options.indexes) await createIndexes(db, table, options.indexes);
}

/** Adds columns to an existing table, one ALTER TABLE each (all SQLite accepts). */
export async function addColumns(db: Kysely<any>, table: string, columns: string): Promise<void> {
  for (const col of parseColumns(columns)) await db.schema.alterTable(table).addColumn(col.name, ...columnArgs(db, col)).execute();
}

export async function dropColumns(db: Kysely<any>, table: string, columns: string): Promise<void> {
  for (const name of columnNames(columns)) await db.schema.alterTable(table).dropColumn(name).execute();
}

export async function createIndexes(db: Kysely<any>, table: string, indexes: Record<string, string>): Promise<void> {
  for (const [name, cols] of Object.entries(indexes))
    await db.schema.createIndex(name).on(table).columns(cols.split(',').map((c) => c.trim())).execute();
}

export async function dropTables(db: Kysely<any>, ...tables: string[]): Promise<void> {
  for (const t of tables) await db.schema.dropTable(t).execute();
}
