// Named cursors: the first write inserts, later ones replace the value (and its time), on either store.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { getCursor, setCursor } from '../../src/store/cursors.js';
import { openDatabase } from '../../src/store/db.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`cursors on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const schema = `vigil_cur_${process.pid}`;
    it('inserts, then replaces the value and its time; other cursors stay', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const store = backend === 'sqlite' ? await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-cur-')), 'vigil.db')) : await openDatabase(PG_URL, { schema });
      try {
        await setCursor(store.db, 'a', '1', 1000);
        await setCursor(store.db, 'b', 'x', 1000);
        await store.db.transaction().execute((trx) => setCursor(trx, 'a', '2', 2000));
        assert.deepEqual([await getCursor(store.db, 'a'), await getCursor(store.db, 'b'), await getCursor(store.db, 'c')], ['2', 'x', undefined]);
        const rows = await store.db.selectFrom('cursors').select(['name', 'updated_at']).orderBy('name').execute();
        assert.deepEqual(rows.map((r) => [r.name, Number(r.updated_at)]), [['a', 2000], ['b', 1000]]);
      } finally {
        if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(store.db);
        await store.close();
      }
    });
  });
}
