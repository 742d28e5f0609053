// A detection's rule kept once per rule and version (migration 1800, src/triage/detections.ts) on both stores: the
// detections of one rule name one detection_rules row and read back the rule they were made by, another version
// of the rule is another row, and a store migrated down gets each detection's rule JSON back in its own row (and
// reads it from there once upgraded again).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import type { Detection, RuleRef } from '../../src/model/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { migrate } from '../../src/store/db.js';
import { detectionsSince, recordDetection } from '../../src/triage/detections.js';
import { storeOn } from '../helpers/pg-schema.js';
import { postgresAvailable } from '../helpers/vigil.js';

const T0 = Date.parse('2026-11-21T06:00:00Z');
const RULE: RuleRef = { id: 'rule-kept-once', title: 'Failed logons', level: 'medium', tags: ['attack.t1110'], description: 'Many failed logons from one address.' };

const detection = (n: number, rule: RuleRef): Detection => ({ id: `det-kept-${n}`, rule, time: T0 + n, firstTime: T0 + n, group: { IpAddress: '198.51.100.7' }, count: 1, eventIds: [`alert-${n}`], events: [] });

async function count(db: Kysely<any>, table: string): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`detection rules on ${backend}`, async () => {
    const skip = backend === 'postgres' && !(await postgresAvailable()) && 'PostgreSQL is not reachable';
    const { open, drop } = storeOn(backend, 'rules');

    it('a rule is kept once per version and each detection reads the one it was made by; down and up again keep every rule', { skip }, async () => {
      const schema = `vigil_rules_${process.pid}`;
      const store = await open(schema);
      try {
        const changed: RuleRef = { ...RULE, title: 'Failed logons (tuned)', level: 'high' };
        for (let n = 0; n < 3; n++) await store.db.transaction().execute((trx) => recordDetection(trx, detection(n, RULE), T0));
        await store.db.transaction().execute((trx) => recordDetection(trx, detection(3, changed), T0));
        assert.equal(await count(store.db, 'detection_rules'), 2, 'one row per version of the rule, not per detection');
        const own = await sql<{ rule_json: string }>`select rule_json from detections`.execute(store.db);
        assert.ok(own.rows.every((r) => r.rule_json === ''), 'no detection repeats the rule');
        const read = async () => new Map((await detectionsSince(store.db, 0, 10)).map((d) => [d.id, d.rule]));
        const before = await read();
        assert.deepEqual(before.get('det-kept-0'), RULE);
        assert.deepEqual(before.get('det-kept-2'), RULE);
        assert.deepEqual(before.get('det-kept-3'), changed, 'the detection of the new version reads that version');

        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true, ...(backend === 'postgres' ? { migrationTableSchema: schema } : {}) });
        assert.equal((await migrator.migrateTo('1790_cursor_fences')).error, undefined);
        const down = await sql<{ id: string; rule_json: string }>`select id, rule_json from detections order by id`.execute(store.db);
        assert.deepEqual(
          down.rows.map((r) => [r.id, JSON.parse(r.rule_json)]),
          [...before].sort(([a], [b]) => a.localeCompare(b)),
          'migrated down, each detection holds its rule again',
        );
        await migrate(store.db, backend === 'postgres' ? schema : undefined);
        assert.deepEqual(await read(), before, 'upgraded again, the rows written before read their own JSON');
        await store.db.transaction().execute((trx) => recordDetection(trx, detection(4, RULE), T0));
        assert.deepEqual((await read()).get('det-kept-4'), RULE);
      } finally {
        await store.close();
        await drop(schema);
      }
    });
  });
}
