import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { indexerSchema } from '../../src/config/schema.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { IndexerSource } from '../../src/sources/indexer.js';
import { Intake } from '../../src/sources/intake.js';
import { getCursor } from '../../src/store/cursors.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../fakes/opensearch.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { quietLog } from '../helpers/quiet.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const TLS = `${PACKAGE_ROOT}/test/fakes/tls`;

/** A synthetic alert (fixtures.ts) as Filebeat indexes it: Wazuh's timestamp, plus @timestamp. */
function doc(ms: number, n: number, level = 5): Record<string, unknown> {
  const a = failedLogon4625({ ip: '203.0.113.7', time: new Date(ms), id: `${Math.floor(ms / 1000)}.${n}` }) as Record<string, any>;
  a.timestamp = new Date(ms).toISOString().replace('Z', '+0000');
  a['@timestamp'] = new Date(ms).toISOString();
  a.rule = { ...a.rule, level };
  return a;
}
const daily = (ms: number) => `wazuh-alerts-4.x-${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '.')}`;

describe('Wazuh indexer poller', () => {
  let os: FakeOpenSearch;
  let store: OpenedDb;
  let dir: string;
  const made: IndexerSource[] = [];
  const poller = (over: Record<string, unknown> = {}, backlog?: { behind(): Promise<boolean> }) => {
    const config = indexerSchema.parse({ url: os.url, password: 'admin', pageSize: 100, overlap: '60s', lookback: '1d', ...over });
    const intake = new Intake(store.db, quietLog, { maxAlertBytes: 1 << 20, onRecorded: () => {} });
    const p = new IndexerSource(config, { db: store.db, intake, log: quietLog, backlog, clock: () => T0 + 3_600_000 });
    made.push(p);
    return p;
  };
  const recorded = async () => (await store.db.selectFrom('alerts').select('event_id').where('source', '=', 'indexer').execute()).map((r) => r.event_id);

  beforeEach(async () => {
    os = await startFakeOpenSearch();
    dir = mkdtempSync(join(tmpdir(), 'vigil-idx-'));
    store = await openDatabase(join(dir, 'vigil.db'));
  });
  afterEach(async () => {
    for (const p of made.splice(0)) await p.stop();
    await store.close();
    await os.close();
  });

  it('pages through wazuh-alerts-4.x-* with search_after, sorted on timestamp and _id, and ignores other indices', async () => {
    // 250 alerts across midnight (two daily indices), several sharing a timestamp, plus archives that must not be read.
    for (let i = 0; i < 250; i++) {
      const ms = T0 - 3_600_000 * 10 + Math.floor(i / 3) * 1000 - (i < 120 ? 86_400_000 / 2 : 0);
      os.add(daily(ms), `doc-${String(i).padStart(4, '0')}`, doc(ms, i), true);
    }
    os.add('wazuh-archives-4.x-2026.11.21', 'arch-1', doc(T0, 9999), true);
    const p = poller();
    assert.equal(await p.poll(), 250);
    const ids = await recorded();
    assert.equal(new Set(ids).size, 250);
    assert.ok(!ids.some((id) => id.endsWith('.9999')));
    assert.deepEqual(os.searches[0].sort, [{ timestamp: { order: 'asc' } }, { _id: { order: 'asc' } }]);
    assert.ok(os.searches.length >= 3 && os.searches.slice(1).every((s) => Array.isArray(s.search_after)), 'later pages use search_after');
  });

  it('picks up a document that became searchable late within the overlap window, without re-recording the others', async () => {
    os.add(daily(T0), 'a', doc(T0, 1), true);
    os.add(daily(T0), 'c', doc(T0 + 20_000, 3), true);
    const p = poller();
    assert.equal(await p.poll(), 2);
    os.add(daily(T0), 'b', doc(T0 + 10_000, 2)); // older than the newest seen, indexed late
    assert.equal(await p.poll(), 0, 'not searchable before the refresh');
    os.refresh();
    assert.equal(await p.poll(), 1);
    assert.equal((await recorded()).length, 3);
  });

  it('resumes from its checkpoint after a restart: nothing lost, nothing recorded twice', async () => {
    for (let i = 0; i < 30; i++) os.add(daily(T0), `d${i}`, doc(T0 + i * 1000, i), true);
    const first = poller();
    await first.poll();
    const cp = JSON.parse((await getCursor(store.db, first.cursorName))!);
    assert.equal(cp.ts, T0 + 29_000);
    for (let i = 30; i < 40; i++) os.add(daily(T0), `d${i}`, doc(T0 + i * 1000, i), true);
    const second = poller();
    assert.equal(await second.poll(), 10);
    const ids = await recorded();
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40);
  });

  it('filters on rule level when minLevel is set', async () => {
    os.add(daily(T0), 'low', doc(T0, 1, 3), true);
    os.add(daily(T0), 'high', doc(T0, 2, 10), true);
    await poller({ minLevel: 5 }).poll();
    assert.deepEqual((await recorded()).map((id) => id.split('.')[1]), ['2']);
  });

  it('pauses while the pipeline is behind', async () => {
    os.add(daily(T0), 'x', doc(T0, 1), true);
    assert.equal(await poller({}, { behind: async () => true }).poll(), 0);
    assert.equal((await recorded()).length, 0);
  });

  it('a wrong password is an error naming the answer; nothing is recorded', async () => {
    os.add(daily(T0), 'x', doc(T0, 1), true);
    await assert.rejects(poller({ password: 'nope' }).poll(), /answered 401: security_exception: Unauthorized/);
    assert.equal((await recorded()).length, 0);
  });
});

describe('Wazuh indexer poller over TLS', () => {
  it('verifies the indexer certificate against the CA file, and refuses it without', async () => {
    const os = await startFakeOpenSearch({ tls: { key: readFileSync(`${TLS}/server.key`, 'utf8'), cert: readFileSync(`${TLS}/server.pem`, 'utf8') } });
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-idx-')), 'vigil.db'));
    const intake = new Intake(store.db, quietLog, { maxAlertBytes: 1 << 20, onRecorded: () => {} });
    os.add(daily(T0), 'x', doc(T0, 1), true);
    const make = (caFile: string) =>
      new IndexerSource(indexerSchema.parse({ url: os.url, password: 'admin', caFile, lookback: '1d' }), { db: store.db, intake, log: quietLog, clock: () => T0 + 1000 });
    const without = make('');
    await assert.rejects(without.poll(), /certificate/i);
    const withCa = make(`${TLS}/ca.pem`);
    assert.equal(await withCa.poll(), 1);
    await without.stop();
    await withCa.stop();
    await store.close();
    await os.close();
  });
});
