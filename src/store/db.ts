// Opens the store: SQLite (embedded default, WAL, in its own thread) or PostgreSQL, then applies pending migrations.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import { SqliteThreadDialect } from './sqlite/driver.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDb {
  db: Kysely<Database>;
  dialect: Dialect;
  /** SQLite: the database file. */
  file?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created if missing). Lets tests run side by side in one database. */
  schema?: string;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenedDb> {
  const dialect: Dialect = /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  let db: Kysely<Database>;
  let migrationSchema: string | undefined;
  let file: string | undefined;
  if (dialect === 'postgres') {
    // int8 (bigint) columns hold epoch milliseconds: safe as JS numbers.
    const types = {
      getTypeParser: (oid: number, format?: any) =>
        oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser as any)(oid, format),
    };
    const schema = options.schema;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    const pool = new pg.Pool({
      connectionString: url,
      types,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // Kysely looks for its migration tables in any schema unless told which one: name ours, so another
    // schema in the same database (another app, another test run) never stands in for it.
    migrationSchema = schema ?? (await pool.query<{ s: string }>('select current_schema() as s')).rows[0]?.s;
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // Several nodes of a cluster start on one store at once: one migrates, the others wait and find it done.
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock(hashtext(current_schema()))');
      try {
        await migrate(db, migrationSchema);
      } finally {
        await client.query('select pg_advisory_unlock(hashtext(current_schema()))');
      }
    } finally {
      client.release();
    }
    return { db, dialect, file, close: () => db.destroy() };
  } else {
    file = url.replace(/^sqlite:(\/\/)?/, '');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    // The file is opened (WAL, synchronous FULL) by its own thread: src/store/sqlite/worker.ts.
    db = new Kysely<Database>({ dialect: new SqliteThreadDialect(file) });
  }
  await migrate(db, migrationSchema);
  return { db, dialect, file, close: () => db.destroy() };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Kysely<any>, schema?: string): Promise<void> {
  // With a schema, Kysely's own tables are looked up in it: otherwise another schema's migration tables in the
  // same database (a neighbour's, or a test left behind) make it skip creating its own.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's table introspection checks every schema in the database: one dropped meanwhile by someone else
  // (another test, another app) fails it with 3F000 "schema … does not exist". Nothing was applied; try again.
  for (let attempt = 0; error && (error as { code?: string }).code === '3F000' && attempt < 3; attempt++) ({ error, results } = await migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
