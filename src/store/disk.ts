// How much disk the store uses. SQLite: the database file and its write-ahead log (free pages inside the file
// count: they are reused before the file grows). PostgreSQL: the tables of Vigil's schema with their indexes and
// TOAST, as pg_total_relation_size reports them (space autovacuum has not yet reused counts too).
import { statSync } from 'node:fs';
import { sql } from 'kysely';
import type { OpenedDb } from './db.js';

export async function diskUsage(store: OpenedDb): Promise<number> {
  if (store.dialect === 'postgres') {
    const r = await sql<{ bytes: string | number | null }>`
      select sum(pg_total_relation_size(c.oid)) as bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'`.execute(store.db);
    return Number(r.rows[0]?.bytes ?? 0);
  }
  if (!store.file || store.file === ':memory:') return 0;
  let bytes = 0;
  for (const f of [store.file, `${store.file}-wal`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      // no WAL at the moment
    }
  }
  return bytes;
}
