// A PostgreSQL schema of its own per test, so tests running side by side in the one `test` database never meet.
import pg from 'pg';
import { PG_URL } from './vigil.js';

let counter = 0;

/** A fresh schema name (not yet created: openDatabase creates it). */
export function uniqueSchema(prefix: string): string {
  return `vigil_${prefix}_${process.pid}_${Date.now() % 1_000_000}_${counter++}`;
}

export async function dropSchemas(...schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await client.end();
  }
}
