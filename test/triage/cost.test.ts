// The cost of triaging one detection does not grow with what the store holds: links on a value thousands of
// incidents share are bounded, an incident never links to itself, and folding into an incident that holds
// thousands of addresses reads a bounded number of rows. Rows read are counted by a Kysely plugin, so the test
// measures work, not time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Detection, Event } from '../../src/model/index.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { triage, type TriageOptions } from '../../src/triage/incidents.js';
import { recordDetection } from '../../src/triage/detections.js';
import { toEvent } from '../../src/model/event.js';
import { failedLogon4625 } from '../helpers/fixtures.js';

class RowCounter implements KyselyPlugin {
  rows = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.rows += args.result.rows.length;
    return args.result;
  }
}

const RULE = { id: 'rule-cost', title: 'Failed logon', level: 'medium' as const, tags: ['attack.t1110'] };
const OPTIONS: TriageOptions = { quietPeriod: 3_600_000, reopenWindow: 86_400_000 };
const T0 = Date.parse('2026-11-21T06:00:00Z');

/** A correlation-like detection grouped by source address, with one SYNTHETIC 4625 as its evidence. */
function detection(n: number, ip: string, user: string, time: number): Detection {
  const e: Event = toEvent(failedLogon4625({ ip, user, time: new Date(time), id: `cost.${n}` }));
  return { id: `d${n}`, rule: RULE, time, firstTime: time, group: { IpAddress: ip }, count: 1, eventIds: [e.id], events: [e] };
}

async function record(db: OpenedDb['db'], d: Detection, now: number) {
  await recordDetection(db, d, now);
  return triage(db, d, OPTIONS, { db }, now);
}

describe('triage cost per detection', () => {
  let store: OpenedDb;
  before(async () => {
    store = await openDatabase(':memory:');
  });
  after(async () => {
    await store?.close();
  });

  it('a user name 300 incidents share links a new incident to at most 20 of them, the most recent', async () => {
    for (let i = 0; i < 300; i++) await record(store.db, detection(i, `198.51.${100 + Math.floor(i / 250)}.${i % 250}`, 'svc-backup', T0 + i * 1000), T0 + i * 1000);
    const counter = new RowCounter();
    const db = store.db.withPlugin(counter);
    const outcome = await triage(db, detection(1000, '203.0.113.99', 'svc-backup', T0 + 400_000), OPTIONS, { db }, T0 + 400_000);
    assert.ok('incident' in outcome);
    const links = await store.db.selectFrom('incident_links').selectAll().where('incident_id', '=', outcome.incident.id).execute();
    assert.ok(links.length > 0 && links.length <= 20, `${links.length} links`);
    assert.ok(links.every((l) => l.reason === 'same user svc-backup'));
    // 21 holders of the user name, 20 incidents, nothing else of size: never every holder.
    assert.ok(counter.rows <= 60, `${counter.rows} rows read for one detection`);
  });

  it('folding into an incident that holds 3,000 addresses reads as few rows as folding into one that holds three', async () => {
    const rowsOfFold = async (ip: string, addresses: number, base: number) => {
      // One fingerprint (the same group), each detection bringing another evidence address.
      const d = (n: number, evidenceIp: string) => {
        const x = detection(base + n, ip, `user${n}`, T0 + n * 10);
        x.events = [toEvent(failedLogon4625({ ip: evidenceIp, user: `user${n}`, time: new Date(T0 + n * 10), id: `fold.${base + n}` }))];
        return x;
      };
      for (let n = 0; n < addresses; n++) await record(store.db, d(n, `10.${(n >> 8) & 255}.${n & 255}.${base % 250}`), T0 + n * 10);
      const counter = new RowCounter();
      const db = store.db.withPlugin(counter);
      const next = d(addresses, '10.250.250.250');
      await db.insertInto('detections').values({ id: next.id, rule_id: RULE.id, rule_title: RULE.title, level: RULE.level, time: next.time, first_time: next.time, group_json: '{}', count: 1, event_ids_json: '[]', rule_json: JSON.stringify(RULE), incident_id: null, created_at: T0, suppression_id: null }).execute();
      const outcome = await triage(db, next, OPTIONS, { db }, T0 + addresses * 10);
      assert.ok('incident' in outcome && outcome.change === 'updated');
      return counter.rows;
    };
    const small = await rowsOfFold('192.0.2.1', 3, 100_000);
    const large = await rowsOfFold('192.0.2.2', 3000, 200_000);
    assert.ok(large <= small + 5, `fold read ${small} rows with 3 addresses, ${large} with 3,000`);
  });
  it('no incident is linked to itself, also after folds', async () => {
    const self = await store.db.selectFrom('incident_links').selectAll().whereRef('incident_id', '=', 'related_id').execute();
    assert.deepEqual(self, []);
  });

});
