// The cursors' fencing token (migration 1790) on both stores: a new store has it, an older one gets it when it is
// upgraded (and loses it when migrated down); each take-over raises it, and a write with an older one is refused.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../src/store/migrations/index.js';
import { migrate, openDatabase } from '../../src/store/db.js';
import { CursorFencedError, fenceCursor, getCursor, setCursor, setFencedCursor } from '../../src/store/cursors.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

async function columnsOf(db: Kysely<any>, backend: 'sqlite' | 'postgres', table: string): Promise<string[]> {
  const rows =
    backend === 'sqlite'
      ? (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows
      : (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)).rows;
  return rows.map((r) => r.name).sort();
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`cursor fences on ${backend}`, async () => {
    const skip = backend === 'postgres' && !(await postgresAvailable()) && 'PostgreSQL is not reachable';
    const open = (schema: string) => (backend === 'sqlite' ? openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-fence-')), 'vigil.db')) : openDatabase(PG_URL, { schema }));
    const drop = async (db: Kysely<any>, schema: string) => {
      if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(db);
    };

    it('each owner that takes a cursor raises its fence; a write with an older fence is refused', { skip }, async () => {
      const schema = `vigil_fence_${process.pid}`;
      const store = await open(schema);
      try {
        const first = await fenceCursor(store.db, 'p0', 'start');
        assert.deepEqual(first, { value: 'start', fence: 1 });
        await setFencedCursor(store.db, 'p0', 'one', first.fence);
        const second = await fenceCursor(store.db, 'p0', 'start');
        assert.deepEqual(second, { value: 'one', fence: 2 }, 'the new owner reads what the old one committed');
        await assert.rejects(setFencedCursor(store.db, 'p0', 'stale', first.fence), CursorFencedError);
        await setFencedCursor(store.db, 'p0', 'two', second.fence);
        assert.equal(await getCursor(store.db, 'p0'), 'two');
        // Unfenced cursors (the sources', the single node's pipeline) write as before and keep their fence.
        await setCursor(store.db, 'plain', 'x');
        await setCursor(store.db, 'plain', 'y');
        assert.equal(await getCursor(store.db, 'plain'), 'y');
      } finally {
        await drop(store.db, schema);
        await store.close();
      }
    });

    it('a store made before the change gets the fence when upgraded, and loses it when migrated down', { skip }, async () => {
      const schema = `vigil_fence_up_${process.pid}`;
      const store = await open(schema);
      try {
        assert.ok((await columnsOf(store.db, backend, 'cursors')).includes('fence'));
        await setCursor(store.db, 'kept', 'v');
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true, ...(backend === 'postgres' ? { migrationTableSchema: schema } : {}) });
        assert.equal((await migrator.migrateTo('1780_redundant_indexes')).error, undefined);
        assert.ok(!(await columnsOf(store.db, backend, 'cursors')).includes('fence'));
        await migrate(store.db, backend === 'postgres' ? schema : undefined);
        assert.ok((await columnsOf(store.db, backend, 'cursors')).includes('fence'));
        assert.deepEqual(await fenceCursor(store.db, 'kept', 'other'), { value: 'v', fence: 1 }, 'an existing cursor starts unfenced');
      } finally {
        await drop(store.db, schema);
        await store.close();
      }
    });
  });
}
