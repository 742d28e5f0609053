// Two nodes (two pools on one PostgreSQL schema) triaging detections of the same attacks at the same moment:
// one incident per attack, with every detection and event counted and each notifying revision used once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acknowledge } from '../../src/triage/analyst.js';
import type { ChangeResult } from '../../src/triage/types.js';
import { recordDetection } from '../../src/triage/detections.js';
import { triage, type TriageOptions } from '../../src/triage/incidents.js';

import { sampleDetection } from '../helpers/notification.js';
import { twoNodes } from '../helpers/pg-schema.js';
import { postgresAvailable } from '../helpers/vigil.js';

const OPTIONS: TriageOptions = { quietPeriod: 3_600_000 };

describe('incidents on one PostgreSQL store shared by two nodes', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const store = twoNodes('incidents', skip);

  it('4 detections of each of 12 attacks triaged at once on two nodes: 12 incidents, each counting all 4', { skip }, async () => {
    const announced: ChangeResult[] = [];
    const announce = async (_trx: unknown, r: ChangeResult) => void announced.push(r);
    const rounds = 12;
    const perAttack = 4;
    for (let i = 0; i < rounds; i++) {
      const ip = `203.0.113.${i + 10}`;
      await Promise.all(
        Array.from({ length: perAttack }, (_, k) => {
          const node = k % 2 === 0 ? store.a : store.b;
          const d = { ...sampleDetection(ip, 'administrator', 5), id: `det-${ip}-${k}` };
          return node.db.transaction().execute(async (trx) => {
            await recordDetection(trx, d, Date.now());
            return triage(trx, d, OPTIONS, { db: trx, announce });
          });
        }),
      );
    }
    const incidents = await store.a.db.selectFrom('incidents').select(['fingerprint', 'detection_count', 'event_count', 'revision']).execute();
    assert.equal(incidents.length, rounds, 'one incident per attack');
    assert.equal(new Set(incidents.map((r) => r.fingerprint)).size, rounds);
    for (const r of incidents) {
      assert.equal(Number(r.detection_count), perAttack, 'no detection lost to a concurrent fold');
      assert.equal(Number(r.event_count), perAttack * 5);
    }
    const opened = announced.filter((r) => r.change === 'opened');
    assert.equal(opened.length, rounds, 'each attack opened once');
    const detections = await store.a.db.selectFrom('detections').select(['incident_id']).execute();
    assert.equal(detections.length, rounds * perAttack);
    assert.ok(detections.every((d) => d.incident_id !== null));
  });

  it("an analyst's acknowledge on one node and five folds on the other at once: every detection counted, the acknowledge kept", { skip }, async () => {
    const ip = '198.51.100.77';
    const first = { ...sampleDetection(ip, 'root', 5), id: `det-${ip}-first` };
    const opened = await store.a.db.transaction().execute(async (trx) => {
      await recordDetection(trx, first, Date.now());
      return triage(trx, first, OPTIONS, { db: trx });
    });
    assert.ok(!('suppressed' in opened));
    const id = opened.incident.id;
    await Promise.all([
      acknowledge({ db: store.a.db }, id, { actor: 'user:alice' }),
      ...Array.from({ length: 5 }, (_, k) => {
        const d = { ...sampleDetection(ip, 'root', 5), id: `det-${ip}-${k}` };
        return store.b.db.transaction().execute(async (trx) => {
          await recordDetection(trx, d, Date.now());
          return triage(trx, d, OPTIONS, { db: trx });
        });
      }),
    ]);
    const row = (await store.a.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst())!;
    assert.equal(Number(row.detection_count), 6);
    assert.equal(row.status, 'acknowledged', 'the analyst\'s change was not overwritten by a fold read before it');
    assert.equal(row.acknowledged_by, 'user:alice');
  });
});
