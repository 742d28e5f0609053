// The incident repository's hot statements, compiled once and bound again: each call writes and reads what the
// query builder's statement did, on either store (a column left undefined is not written, an expression is
// evaluated, two calls with other values each get their own), and an indicator's holders come back per indicator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db.js';
import { holdersOfMany, insertIncident, insertIndicators, latestRowByFingerprint, patchIncident, rowToRecord } from '../../src/triage/record.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

const T0 = Date.parse('2026-11-21T06:00:00Z');
/** An open incident row with only what these statements read varied. */
const row = (id: string, fingerprint: string, lastSeen: number) => ({
  id, fingerprint, title: `Brute force — ${id}`, status: 'open', level: 'high', rule_id: 'r1', entity_json: '{}', rule_json: '{}',
  first_seen: T0, last_seen: lastSeen, created_at: T0, updated_at: T0, last_detection_at: T0,
  detection_count: 1, event_count: 5, revision: 1, severity_score: 60, severity_json: '[]', wazuh_level: 5,
  enrichment_json: '[]', escalated: 0, mitre_json: '[]',
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`incident statements on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const schema = `vigil_rec_${process.pid}`;
    it('patches, the newest incident of a fingerprint and holders read what was written', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const store = backend === 'sqlite' ? await openDatabase(':memory:') : await openDatabase(PG_URL, { schema });
      try {
        const db = store.db;
        await insertIncident(db, row('a', 'fp1', T0 + 1000));
        await insertIncident(db, row('b', 'fp1', T0 + 2000));
        await insertIncident(db, row('c', 'fp2', T0 + 3000));
        assert.equal((await latestRowByFingerprint(db, 'fp1'))?.id, 'b');
        assert.equal((await latestRowByFingerprint(db, 'fp2'))?.id, 'c');
        assert.equal(await latestRowByFingerprint(db, 'fp3'), undefined);
        await db.transaction().execute(async (trx) => assert.equal((await latestRowByFingerprint(trx, 'fp1', true))?.id, 'b'));

        // The same columns twice with other values, a column left undefined, an expression.
        await patchIncident(db, 'a', { detection_count: 7, assignee: 'ann' });
        await patchIncident(db, 'b', { detection_count: 9, assignee: undefined });
        await patchIncident(db, 'c', { event_count: sql<number>`event_count + 10` as unknown as number });
        const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(async (id) => rowToRecord((await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow())!)));
        assert.deepEqual([a!.detectionCount, a!.assignee, a!.eventCount], [7, 'ann', 5]);
        assert.deepEqual([b!.detectionCount, b!.assignee, b!.eventCount], [9, undefined, 5]);
        assert.equal(c!.eventCount, 15);

        await insertIndicators(db, [
          { incident_id: 'a', kind: 'ip', value: '203.0.113.5', role: 'entity', first_seen: T0 + 1 },
          { incident_id: 'b', kind: 'ip', value: '203.0.113.5', role: 'evidence', first_seen: T0 + 2 },
          { incident_id: 'c', kind: 'user', value: 'svc', role: 'evidence', first_seen: T0 + 3 },
        ]);
        // More than a statement's worth of indicators (the last part padded), most held by nobody.
        const asked = [{ kind: 'ip' as const, value: '203.0.113.5' }, ...Array.from({ length: 40 }, (_, i) => ({ kind: 'ip' as const, value: `198.51.100.${i}` })), { kind: 'user' as const, value: 'svc' }];
        const holders = await holdersOfMany(db, asked, 21);
        assert.deepEqual(holders.get('ip\u0000203.0.113.5'), [{ id: 'b', firstSeen: T0 + 2 }, { id: 'a', firstSeen: T0 + 1 }]);
        assert.deepEqual(holders.get('user\u0000svc'), [{ id: 'c', firstSeen: T0 + 3 }]);
        assert.deepEqual(holders.get('ip\u0000198.51.100.7'), []);
        assert.equal(holders.size, 42);
        assert.deepEqual((await holdersOfMany(db, [{ kind: 'ip', value: '203.0.113.5' }], 1)).get('ip\u0000203.0.113.5'), [{ id: 'b', firstSeen: T0 + 2 }]);
      } finally {
        if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(store.db);
        await store.close();
      }
    });
  });
}
