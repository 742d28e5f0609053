// An incident keeps a bounded number of evidence indicators of each kind (src/triage/record.ts
// MAX_EVIDENCE_INDICATORS), on both stores: a rule that folds a new source address into one incident with every
// alert stops adding rows at the bound, the incident is marked as having seen more, its event count stays exact,
// and what people read of it (the headline, the facts, the summary) says "N+ more" instead of a short count. A
// store migrated from before the bound marks the incidents that already held more.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { buildNotification } from '../../src/act/notification.js';
import { facts, headline } from '../../src/act/render/facts.js';
import type { Detection, Event, RuleRef } from '../../src/model/index.js';
import { toEvent } from '../../src/model/event.js';
import { migrate } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { triage, triageBatch, type TriageOptions } from '../../src/triage/incidents.js';
import { incidentView } from '../../src/triage/queries.js';
import { MAX_EVIDENCE_INDICATORS } from '../../src/triage/record.js';
import { templateSummary } from '../../src/triage/summary/template.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { storeOn } from '../helpers/pg-schema.js';
import { postgresAvailable } from '../helpers/vigil.js';

const OPTIONS: TriageOptions = { quietPeriod: 3_600_000, reopenWindow: 86_400_000 };
const T0 = Date.parse('2026-11-21T06:00:00Z');
const RULE: RuleRef = { id: 'rule-bounded-evidence', title: 'Failed logon from a public address', level: 'low', tags: ['attack.t1110'] };
const SOURCES = MAX_EVIDENCE_INDICATORS + 50;

/** Detection n: one SYNTHETIC 4625 against `administrator` from an address of its own. */
function detection(n: number): Detection {
  const ip = `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  const event: Event = toEvent(failedLogon4625({ ip, user: 'administrator', time: new Date(T0 + n * 1000), id: `bound.${n}` }));
  return { id: `det-bound-${n}`, rule: RULE, time: T0 + n * 1000, firstTime: T0 + n * 1000, group: { TargetUserName: 'administrator' }, count: 1, eventIds: [event.id], events: [event] };
}

async function count(db: Kysely<any>, where: string): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from incident_indicators where ${sql.raw(where)}`.execute(db)).rows[0]!.n);
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`evidence indicators bounded on ${backend}`, async () => {
    const skip = backend === 'postgres' && !(await postgresAvailable()) && 'PostgreSQL is not reachable';
    const { open, drop } = storeOn(backend, 'bound');

    it(`an incident keeps ${MAX_EVIDENCE_INDICATORS} evidence addresses, says it saw more, and counts every event; a store from before is marked`, { skip }, async () => {
      const schema = `vigil_bound_${process.pid}`;
      const store = await open(schema);
      try {
        const ds = Array.from({ length: SOURCES }, (_, n) => detection(n));
        const now = T0 + SOURCES * 1000;
        // Folded in the pipeline's batches of a few hundred, and the last ones one at a time (each a batch of one).
        for (let at = 0; at < SOURCES - 20; at += 300) {
          const part = ds.slice(at, Math.min(at + 300, SOURCES - 20));
          await store.db.transaction().execute(async (trx) => {
            const batch = triageBatch(trx, part, OPTIONS);
            for (const d of part) if (await batch.recordDetection(d, now)) await triage(trx, d, OPTIONS, { db: trx, batch }, now);
            await batch.sync();
          });
        }
        for (const d of ds.slice(SOURCES - 20)) await store.db.transaction().execute((trx) => triage(trx, d, OPTIONS, { db: trx }, now));

        const incidents = await store.db.selectFrom('incidents').select(['id', 'event_count', 'indicators_capped']).execute();
        assert.equal(incidents.length, 1, 'every detection folded into one incident');
        const id = incidents[0]!.id;
        assert.equal(Number(incidents[0]!.event_count), SOURCES, 'the event count is exact');
        assert.equal(await count(store.db, `kind = 'ip' and role = 'evidence'`), MAX_EVIDENCE_INDICATORS);
        assert.equal(await count(store.db, `kind = 'ip' and value = '198.18.0.0'`), 1, 'the first address seen is kept');
        assert.equal(await count(store.db, `kind = 'ip' and value = '198.18.4.25'`), 0, 'one past the bound is not');
        assert.equal(await count(store.db, `kind = 'user'`), 1);

        const view = await incidentView(store.db, id);
        assert.deepEqual(view.indicatorsCapped, ['ip'], 'only the kind that went past the bound is marked');
        const n = buildNotification(view, ds[SOURCES - 1]!);
        // the completing detection's own address first, then the ones the incident kept
        assert.equal(n.sourceIps.length, MAX_EVIDENCE_INDICATORS + 1);
        assert.match(headline(n), /: Failed logon from a public address from 198\.18\.4\.25 and 1,000\+ more \(1,050 events\)$/);
        const row = new Map(facts(n));
        assert.match(row.get('Source IPs')!, /^198\.18\.4\.25, 198\.18\.0\.0, .* and 991\+ more$/);
        assert.equal(row.get('Targeted user'), 'administrator', 'a kind within the bound reads as before');
        const summary = templateSummary({ incident: view, indicators: view.indicators, evidence: [] }, now);
        assert.match(summary.whatHappened, /: 1,050 events in 1,050 detections from (198\.18\.\d+\.\d+, ){2}198\.18\.\d+\.\d+ and 997\+ more against WIN-DC01/);
        // Every list of addresses in the summary, its next steps too, says there were more, never a short count.
        const sentences = [summary.whatHappened, ...summary.affected, ...summary.nextSteps];
        assert.ok(summary.nextSteps.some((t) => /198\.18\.\d+\.\d+ and 997\+ more/.test(t)), summary.nextSteps.join('\n'));
        assert.deepEqual(sentences.filter((t) => /and [\d,]+ more/.test(t)), [], 'no list of a capped kind gives a count');

        // A store from before the bound: its incidents that hold more are marked when it is upgraded.
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true, ...(backend === 'postgres' ? { migrationTableSchema: schema } : {}) });
        assert.equal((await migrator.migrateTo('1800_detection_rules')).error, undefined);
        await store.db
          .insertInto('incident_indicators')
          .values([1, 2, 3].map((k) => ({ incident_id: id, kind: 'ip', value: `203.0.113.${k}`, role: 'evidence', first_seen: now })))
          .execute();
        await migrate(store.db, backend === 'postgres' ? schema : undefined);
        assert.deepEqual((await incidentView(store.db, id)).indicatorsCapped, ['ip']);
      } finally {
        await store.close();
        await drop(schema);
      }
    });
  });
}
