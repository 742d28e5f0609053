// A PostgreSQL schema of its own per test, so tests running side by side in the one `test` database never meet.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
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

/**
 * Two "nodes" on one new schema (two pools, as two processes would have), opened before the suite's tests and
 * closed and dropped after them. Call inside a describe(); nothing is opened when `skip` is set.
 */
export function twoNodes(prefix: string, skip: unknown): { a: OpenedDb; b: OpenedDb } {
  const schema = uniqueSchema(prefix);
  const nodes = {} as { a: OpenedDb; b: OpenedDb };
  before(async () => {
    if (skip) return;
    nodes.a = await openDatabase(PG_URL, { schema });
    nodes.b = await openDatabase(PG_URL, { schema });
  });
  after(async () => {
    if (skip) return;
    await nodes.a.close();
    await nodes.b.close();
    await dropSchemas(schema);
  });
  return nodes;
}

/**
 * A fresh store on either backend for a test that runs on both: a SQLite file in a temp folder, or the PostgreSQL
 * schema `schema`; `drop` removes the schema (nothing to do for SQLite).
 */
export function storeOn(backend: 'sqlite' | 'postgres', prefix: string) {
  return {
    open: (schema: string) => (backend === 'sqlite' ? openDatabase(join(mkdtempSync(join(tmpdir(), `vigil-${prefix}-`)), 'vigil.db')) : openDatabase(PG_URL, { schema })),
    drop: async (schema: string) => {
      if (backend === 'postgres') await dropSchemas(schema);
    },
  };
}
