// The indexes a detection row and an indicator row are written to: none that another index already covers (every
// index is one more page written per row), on a new store and on one upgraded from before; and the reads that
// used a dropped index still read an index range, not the table.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../src/store/migrations/index.js';
import { migrate, openDatabase } from '../../src/store/db.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

const REDUNDANT = ['detections_incident', 'incident_indicators_value'];

async function indexesOf(db: Kysely<any>, backend: 'sqlite' | 'postgres', table: string): Promise<string[]> {
  const rows =
    backend === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db)).rows
      : (await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db)).rows;
  return rows.map((r) => r.name).sort();
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`detection and indicator indexes on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const skip = !available && 'PostgreSQL is not reachable';
    const open = (schema: string) => (backend === 'sqlite' ? openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-idx-')), 'vigil.db')) : openDatabase(PG_URL, { schema }));
    const drop = async (db: Kysely<any>, schema: string) => {
      if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(db);
    };

    it('a new store writes each detection and indicator to no index another one covers', { skip }, async () => {
      const schema = `vigil_idx_new_${process.pid}`;
      const store = await open(schema);
      try {
        const detections = await indexesOf(store.db, backend, 'detections');
        const indicators = await indexesOf(store.db, backend, 'incident_indicators');
        for (const name of REDUNDANT) assert.ok(![...detections, ...indicators].includes(name), `${name} still there`);
        // What serves the reads they served.
        assert.ok(detections.includes('detections_unfolded'), detections.join(', '));
        assert.ok(indicators.includes('incident_indicators_recent'), indicators.join(', '));
      } finally {
        await drop(store.db, schema);
        await store.close();
      }
    });

    it('a store made before the change loses them when it is upgraded, and gets them back when migrated down', { skip }, async () => {
      const schema = `vigil_idx_up_${process.pid}`;
      const store = await open(schema);
      try {
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true, ...(backend === 'postgres' ? { migrationTableSchema: schema } : {}) });
        const down = await migrator.migrateTo('1770_incident_latest');
        assert.equal(down.error, undefined);
        assert.ok((await indexesOf(store.db, backend, 'detections')).includes('detections_incident'));
        assert.ok((await indexesOf(store.db, backend, 'incident_indicators')).includes('incident_indicators_value'));
        await migrate(store.db, backend === 'postgres' ? schema : undefined);
        const after = [...(await indexesOf(store.db, backend, 'detections')), ...(await indexesOf(store.db, backend, 'incident_indicators'))];
        for (const name of REDUNDANT) assert.ok(!after.includes(name), `${name} still there after the upgrade`);
      } finally {
        await drop(store.db, schema);
        await store.close();
      }
    });

    if (backend === 'sqlite')
      it("an incident's detections and an indicator's holders are still read from an index", async () => {
        const store = await open('');
        try {
          const plan = async (query: string) =>
            (await sql<{ detail: string }>`${sql.raw(`explain query plan ${query}`)}`.execute(store.db)).rows.map((r) => r.detail).join('; ');
          const byIncident = await plan(`select * from detections where incident_id = 'i' order by time`);
          assert.match(byIncident, /USING INDEX detections_unfolded/, byIncident);
          const unfolded = await plan(`select id from detections where incident_id is null and created_at < 5 limit 10`);
          assert.match(unfolded, /USING (COVERING )?INDEX detections_unfolded/, unfolded);
          const holders = await plan(`select incident_id from incident_indicators where kind = 'ip' and value = 'v' order by first_seen desc limit 21`);
          assert.match(holders, /USING (COVERING )?INDEX incident_indicators_recent/, holders);
          const anyRole = await plan(`select incident_id from incident_indicators where kind = 'ip' and value = 'v'`);
          assert.match(anyRole, /USING (COVERING )?INDEX incident_indicators_recent/, anyRole);
        } finally {
          await store.close();
        }
      });
  });
}
