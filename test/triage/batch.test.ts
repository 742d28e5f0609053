// A batch's detections folded in memory (src/triage/batch.ts) leave the store exactly as the same detections
// triaged one at a time do: the same incidents with the same counts, times, severity and revision, the same
// indicators, the same links (also those to an incident opened or given a user earlier in the same batch), each
// detection in the same incident, and a duplicate detection recorded once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Detection, Event, RuleRef } from '../../src/model/index.js';
import { toEvent } from '../../src/model/event.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { recordDetection } from '../../src/triage/detections.js';
import { triage, triageBatch, type TriageOptions } from '../../src/triage/incidents.js';
import { failedLogon4625 } from '../helpers/fixtures.js';

const OPTIONS: TriageOptions = { quietPeriod: 3_600_000, reopenWindow: 86_400_000 };
const T0 = Date.parse('2026-11-21T06:00:00Z');
const BRUTE: RuleRef = { id: 'rule-batch-brute', title: 'Failed logons', level: 'medium', tags: ['attack.t1110'] };
const SPRAY: RuleRef = { id: 'rule-batch-spray', title: 'Password spray', level: 'high', tags: ['attack.t1110.003'] };

let n = 0;
/** A detection of `rule` grouped by `group`, its SYNTHETIC 4625s from `ip` against `users`. */
function detection(rule: RuleRef, group: Record<string, string>, ip: string, users: string[], time: number): Detection {
  const events: Event[] = users.map((user, k) => toEvent(failedLogon4625({ ip, user, time: new Date(time + k), id: `batch.${n}.${k}` })));
  n++;
  return { id: `det-${n}`, rule, time: time + users.length - 1, firstTime: time, group, count: users.length, eventIds: events.map((e) => e.id), events };
}

function scenario(): Detection[] {
  const x = '198.51.100.7';
  const y = '203.0.113.9';
  const z = '192.0.2.44';
  const ds: Detection[] = [
    detection(BRUTE, { IpAddress: x }, x, ['svc-one', 'svc-one'], T0),
    // Grouped by another address, but its evidence comes from x: linked to the incident just opened.
    detection(SPRAY, { IpAddress: y }, x, ['ann', 'bob'], T0 + 1000),
  ];
  // Folds into the first incident: counts, last seen and users grow.
  for (let i = 0; i < 8; i++) ds.push(detection(BRUTE, { IpAddress: x }, x, [`user-${i}`], T0 + 2000 + i * 1000));
  // A third incident sharing a rare user the first took up in this batch: linked by it.
  ds.push(detection(BRUTE, { IpAddress: z }, z, ['user-3'], T0 + 20_000));
  // A fold into the second incident after all that.
  ds.push(detection(SPRAY, { IpAddress: y }, y, ['carol'], T0 + 30_000));
  // The same detection again (a replayed window): recorded once.
  ds.push(ds[3]!);
  return ds;
}

/** What an analyst sees of the store, by fingerprint (incident ids are derived from the first detection's id). */
async function snapshot(db: OpenedDb['db']) {
  const incidents = await db.selectFrom('incidents').selectAll().orderBy('fingerprint').execute();
  const fp = new Map(incidents.map((i) => [i.id, i.fingerprint]));
  const indicators = await db.selectFrom('incident_indicators').select(['incident_id', 'kind', 'value', 'role']).execute();
  const links = await db.selectFrom('incident_links').select(['incident_id', 'related_id', 'reason']).execute();
  const detections = await db.selectFrom('detections').select(['id', 'incident_id', 'count']).orderBy('id').execute();
  return {
    incidents: incidents.map((i) => ({
      fingerprint: i.fingerprint,
      status: i.status,
      level: i.level,
      detections: Number(i.detection_count),
      events: Number(i.event_count),
      firstSeen: Number(i.first_seen),
      lastSeen: Number(i.last_seen),
      revision: Number(i.revision),
      score: Number(i.severity_score),
      severity: i.severity_json,
      mitre: i.mitre_json,
    })),
    indicators: indicators.map((i) => `${fp.get(i.incident_id)} ${i.kind} ${i.value} ${i.role}`).sort(),
    links: links.map((l) => `${fp.get(l.incident_id)} → ${fp.get(l.related_id)}: ${l.reason}`).sort(),
    detections: detections.map((d) => `${d.id} ${fp.get(d.incident_id ?? '')} ${d.count}`),
  };
}

describe('triage batch', () => {
  it('folding a batch in memory leaves the store as triaging its detections one at a time does', async () => {
    const now = T0 + 60_000;
    const ds = scenario();

    const alone = await openDatabase(':memory:');
    const batched = await openDatabase(':memory:');
    try {
      for (const d of ds) {
        await alone.db.transaction().execute(async (trx) => {
          if (await recordDetection(trx, d, now)) await triage(trx, d, OPTIONS, { db: trx }, now);
        });
      }
      let fresh = 0;
      await batched.db.transaction().execute(async (trx) => {
        const batch = triageBatch(trx, ds, OPTIONS);
        for (const d of ds) {
          if (!(await batch.recordDetection(d, now))) continue;
          fresh++;
          await triage(trx, d, OPTIONS, { db: trx, batch }, now);
        }
        await batch.sync();
      });
      assert.equal(fresh, ds.length - 1, 'the repeated detection is recorded once');

      const a = await snapshot(alone.db);
      const b = await snapshot(batched.db);
      assert.equal(a.incidents.length, 3);
      assert.equal(a.links.length, 4, a.links.join('\n'));
      assert.ok(a.links.some((l) => l.endsWith('same user user-3')), 'the third incident is linked by the user the first took up');
      assert.ok(a.links.some((l) => l.endsWith('same source address 198.51.100.7')));
      assert.deepEqual(b, a);
    } finally {
      await alone.close();
      await batched.close();
    }
  });
});
