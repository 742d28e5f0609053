// The indexer source against a fake Wazuh 5 indexer (test/fakes/wazuh5-indexer.ts): version told from the data
// streams, findings read through a point in time with search_after, the overlap window for findings written
// late, de-duplication by key (a finding and its event count once), the checkpoint across restarts, TLS with
// the CA file, Basic auth, and backpressure. Findings: the REAL FIM finding of shared/data/wazuh5/ and
// SYNTHETIC ones (test/helpers/wcs-fixtures.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { toEvent } from '../../src/model/event.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { IndexerError, indexerSchema, IndexerSource } from '../../src/sources/indexer.js';
import { Intake } from '../../src/sources/intake.js';
import { getCursor } from '../../src/store/cursors.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { startFakeWazuh5Indexer, type FakeWazuh5Indexer } from '../fakes/wazuh5-indexer.js';
import { quietLog } from '../helpers/quiet.js';
import { failedLogon4625Finding, realFimFinding } from '../helpers/wcs-fixtures.js';

const TLS = `${PACKAGE_ROOT}/test/fakes/tls`;
const T0 = Date.parse('2026-11-21T10:00:00Z');
const tls = () => ({ key: readFileSync(`${TLS}/server.key`, 'utf8'), cert: readFileSync(`${TLS}/server.pem`, 'utf8') });

function finding(ms: number, ip = '203.0.113.7') {
  const h = failedLogon4625Finding({ ip, time: new Date(ms) }) as { _id: string; _source: Record<string, any> };
  return h;
}

describe('Wazuh 5 indexer source', () => {
  let idx: FakeWazuh5Indexer;
  let store: OpenedDb;
  const made: IndexerSource[] = [];
  let clock = T0;
  const source = (over: Record<string, unknown> = {}, backlog?: { behind(): Promise<boolean> }) => {
    const config = indexerSchema.parse({ url: idx.url, password: 'secret', caFile: `${TLS}/ca.pem`, pageSize: 3, overlap: '60s', lookback: '1d', ...over });
    const intake = new Intake(store.db, quietLog, { maxAlertBytes: 1 << 20, onRecorded: () => {} });
    const s = new IndexerSource(config, { db: store.db, intake, log: quietLog, backlog, clock: () => clock });
    made.push(s);
    return s;
  };
  const recorded = async () => (await store.db.selectFrom('alerts').select(['event_id', 'format']).where('source', '=', 'indexer').orderBy('seq').execute());

  beforeEach(async () => {
    clock = T0;
    idx = await startFakeWazuh5Indexer({ password: 'secret', tls: tls() });
    store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-w5-')), 'vigil.db'));
  });
  afterEach(async () => {
    for (const s of made.splice(0)) await s.stop();
    await store.close();
    await idx.close();
  });

  it('tells Wazuh 5 from its data streams and pages wazuh-findings-v5-* through one point in time, closed after the poll', async () => {
    const real = realFimFinding() as { _id: string; _source: any };
    idx.addFinding('system-activity', real._id, real._source, true);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const f = finding(T0 - 600_000 + i * 1000);
      idx.addFinding('security', f._id, f._source, true);
      ids.push(f._source.event.doc_id);
    }
    idx.addDoc('wazuh-states-fim-files', 'state-1', { '@timestamp': new Date(T0 - 1000).toISOString(), wazuh: {} }, true);
    const s = source({ lookback: '200d' }); // reaches back to the real finding of 2026-07-10
    assert.equal(await s.poll(), 8);
    assert.equal(s.version, '5');
    const rows = await recorded();
    assert.deepEqual(rows.map((r) => r.format), Array(8).fill('wcs'));
    assert.deepEqual(rows.slice(1).map((r) => r.event_id), ids, 'keyed by the event each finding was found in, in @timestamp order');
    const searches = idx.requests.filter((r) => r.path === '/_search');
    assert.ok(searches.length >= 3, 'pages of 3');
    for (const r of searches) {
      assert.ok(r.body.pit.id, 'every page names the point in time');
      assert.deepEqual(r.body.sort, [{ '@timestamp': { order: 'asc' } }, { _id: { order: 'asc' } }]);
    }
    assert.ok(searches.slice(1).some((r) => Array.isArray(r.body.search_after)));
    assert.ok(idx.requests.some((r) => r.method === 'POST' && /^\/wazuh-findings-v5-\*\/_search\/point_in_time\?keep_alive=60s$/.test(decodeURIComponent(r.path))));
    assert.equal(idx.openPits(), 0, 'every point in time is deleted');
    assert.ok(!idx.requests.some((r) => /wazuh-states/.test(r.path)));
  });

  it('a finding written late (its @timestamp before the newest one read) is picked up within the overlap, and nothing is recorded twice', async () => {
    const s = source({ lookback: '1h' });
    const a = finding(T0 - 10_000);
    idx.addFinding('security', a._id, a._source, true);
    assert.equal(await s.poll(), 1);
    // The detector batch flushes a finding whose event happened 30 s before the newest finding read.
    const late = finding(T0 - 40_000, '198.51.100.9');
    idx.addFinding('security', late._id, late._source, true);
    const b = finding(T0 - 5_000);
    idx.addFinding('security', b._id, b._source, true);
    assert.equal(await s.poll(), 2);
    assert.equal(await s.poll(), 0, 'the overlap re-reads them; their keys are known');
    assert.equal((await recorded()).length, 3);
    const cursor = JSON.parse((await getCursor(store.db, s.cursorName))!);
    assert.equal(cursor.ts, T0 - 5_000);
    // After a restart the checkpoint and the store's key keep it once.
    const again = source({ lookback: '1h' });
    assert.equal(await again.poll(), 0);
    assert.equal((await recorded()).length, 3);
  });

  it('a finding and the event it was found in (events: true) are one Vigil event', async () => {
    const f = finding(T0 - 10_000);
    idx.addFinding('security', f._id, f._source, true);
    const { doc_id, index } = f._source.event;
    const event = { ...f._source, wazuh: { ...f._source.wazuh, rule: undefined }, event: { ...f._source.event, doc_id: undefined, index: undefined } };
    idx.addDoc(index, doc_id, event, true);
    const s = source({ lookback: '1h', events: true });
    assert.equal(await s.poll(), 1);
    assert.equal((await recorded()).length, 1);
    assert.equal(toEvent(f).key, `${index}/${doc_id}`);
  });

  it('only the keyword levels a 4.x minLevel reaches are asked for', async () => {
    const s = source({ lookback: '1h', minLevel: 12, version: '5' });
    await s.poll();
    const search = idx.requests.find((r) => r.path === '/_search')!;
    assert.deepEqual(search.body.query.bool.filter[1], { terms: { 'wazuh.rule.level': ['high', 'critical'] } });
  });

  it('reads nothing while the pipeline is behind, and closes its point in time', async () => {
    const f = finding(T0 - 10_000);
    idx.addFinding('security', f._id, f._source, true);
    let behind = true;
    const s = source({ lookback: '1h' }, { behind: async () => behind });
    assert.equal(await s.poll(), 0);
    assert.equal(idx.openPits(), 0);
    behind = false;
    assert.equal(await s.poll(), 1);
  });

  it('a wrong password or an indexer that is not ready is an error naming the answer; the next poll goes on', async () => {
    const bad = source({ password: 'wrong', version: '5' });
    await assert.rejects(bad.poll(), (e: unknown) => e instanceof IndexerError && /401: security_exception: Unauthorized/.test((e as Error).message));
    const f = finding(T0 - 10_000);
    idx.addFinding('security', f._id, f._source, true);
    idx.failNext(/^\/_search$/);
    const s = source({ lookback: '1h' });
    await assert.rejects(s.poll(), /503/);
    assert.equal(idx.openPits(), 0, 'the point in time is deleted after a failed page');
    assert.equal(await s.poll(), 1);
  });

  it('refuses an indexer whose certificate is not signed by the configured CA', async () => {
    const s = source({ caFile: '', version: '5' });
    await assert.rejects(s.poll(), /self[- ]signed|unable to verify|certificate/i);
  });

  it('with neither Wazuh 4 nor 5 data yet, auto-detection says which key to set', async () => {
    await assert.rejects(source().poll(), /set sources\.indexer\.version to 4 or 5/);
  });
});
