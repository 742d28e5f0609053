import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createMetrics } from '../../src/metrics.js';
import { AlertsFileSource } from '../../src/sources/alerts-file.js';
import { Intake } from '../../src/sources/intake.js';
import { getCursor } from '../../src/store/cursors.js';
import { openDatabase, type OpenedDb } from '../../src/store/db.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { quietLog } from '../helpers/quiet.js';

let seq = 0;
/** One synthetic alert line (fixtures.ts) with a fresh id. */
const line = () => JSON.stringify(failedLogon4625({ ip: '203.0.113.7', time: new Date('2026-11-21T10:00:00Z'), id: `1763719200.${++seq}` })) + '\n';
const lines = (n: number) => Array.from({ length: n }, line).join('');

describe('alerts.json tail', () => {
  let dir: string;
  let file: string;
  let store: OpenedDb;
  let metrics: ReturnType<typeof createMetrics>;
  let sources: AlertsFileSource[];

  const source = (startAt: 'end' | 'beginning' = 'beginning') => {
    const intake = new Intake(store.db, quietLog, { maxAlertBytes: 64 * 1024, onRecorded: () => {}, metrics });
    const s = new AlertsFileSource({ path: file, startAt, pollInterval: 10 }, { db: store.db, intake, log: quietLog, metrics, maxAlertBytes: 64 * 1024 });
    sources.push(s);
    return s;
  };
  /** Runs passes until nothing moves, as the loop would. */
  const drain = async (s: AlertsFileSource) => {
    while (await s.pass());
  };
  const recorded = async () => (await store.db.selectFrom('alerts').select('event_id').orderBy('seq').execute()).map((r) => r.event_id);
  const quarantined = async () => store.db.selectFrom('ingest_quarantine').select(['reason', 'detail']).orderBy('id').execute();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tail-'));
    file = join(dir, 'alerts.json');
    store = await openDatabase(join(dir, 'vigil.db'));
    metrics = createMetrics();
    sources = [];
  });
  afterEach(async () => {
    for (const s of sources) await s.stop();
    await store.close();
  });

  it('reads complete lines, holds a partial last line until its newline arrives', async () => {
    const whole = line();
    writeFileSync(file, lines(3) + whole.slice(0, 100));
    const s = source();
    await drain(s);
    assert.equal((await recorded()).length, 3);
    appendFileSync(file, whole.slice(100));
    await drain(s);
    const ids = await recorded();
    assert.equal(ids.length, 4);
    assert.equal(ids[3], JSON.parse(whole).id);
    assert.equal((await quarantined()).length, 0, 'the split line was never read as two bad halves');
  });

  it('resumes after a restart with no gap and no duplicate', async () => {
    writeFileSync(file, lines(5));
    const first = source();
    await drain(first);
    await first.stop();
    appendFileSync(file, lines(3));
    const second = source();
    await drain(second);
    const ids = await recorded();
    assert.equal(ids.length, 8);
    assert.equal(new Set(ids).size, 8);
    const cp = JSON.parse((await getCursor(store.db, second.cursorName))!);
    assert.equal(cp.offset, (await import('node:fs')).statSync(file).size);
  });

  it('follows a rotation: drains the renamed file, then reads the new one from its start', async () => {
    writeFileSync(file, lines(2));
    const s = source();
    await drain(s);
    appendFileSync(file, lines(2)); // written just before the rename, not yet read
    renameSync(file, join(dir, 'alerts.json.1'));
    writeFileSync(file, lines(3));
    await drain(s);
    assert.equal((await recorded()).length, 7);
  });

  it('finishes a file rotated into logs/alerts/YYYY/Mon/ while Vigil was stopped', async () => {
    writeFileSync(file, lines(2));
    const s = source();
    await drain(s);
    await s.stop();
    appendFileSync(file, lines(2));
    mkdirSync(join(dir, '2026', 'Nov'), { recursive: true });
    renameSync(file, join(dir, '2026', 'Nov', 'ossec-alerts-21.json'));
    writeFileSync(file, lines(1));
    await drain(source());
    assert.equal((await recorded()).length, 5);
  });

  it('starts again from the beginning after a truncation', async () => {
    writeFileSync(file, lines(4));
    const s = source();
    await drain(s);
    truncateSync(file, 0);
    appendFileSync(file, lines(2));
    await drain(s);
    assert.equal((await recorded()).length, 6);
  });

  it('startAt end skips what is already there (even a half-written line) but keeps everything after', async () => {
    writeFileSync(file, lines(3) + '{"half":');
    const s = source('end');
    await drain(s);
    appendFileSync(file, ' "written"}\n' + lines(2));
    await drain(s);
    assert.equal((await recorded()).length, 2);
    assert.equal((await quarantined()).length, 0);
  });

  it('startAt end, but the file appears only later: everything in it is read', async () => {
    const s = source('end');
    assert.equal(await s.pass(), false);
    writeFileSync(file, lines(2));
    await drain(s);
    assert.equal((await recorded()).length, 2);
  });

  it('quarantines bad lines with a reason and a counter, and keeps reading', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(line() + '{"not json\n'),
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), // {"a":"<ff fe>"}
        Buffer.from(deep + '\n'),
        Buffer.from('{"__proto__": {"polluted": true}, "id": "1.1"}\n'),
        Buffer.from('"just a string"\n'),
        Buffer.from('{"huge": "' + 'x'.repeat(70 * 1024) + '"}\n'),
        Buffer.from(line()),
      ]),
    );
    const s = source();
    await drain(s);
    assert.equal((await recorded()).length, 2);
    const q = await quarantined();
    assert.deepEqual(
      q.map((r) => r.reason),
      ['invalid', 'invalid-utf8', 'invalid', 'invalid', 'not-an-alert', 'too-large'],
    );
    assert.match(q[0]!.detail, /alerts\.json offset \d+: invalid JSON/);
    assert.match(q[2]!.detail, /nested deeper/);
    assert.match(q[3]!.detail, /__proto__/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const counted = (await metrics.quarantined.get()).values.reduce((n, v) => n + v.value, 0);
    assert.equal(counted, 6);
  });

  it('skips a line longer than the read chunk without stalling', async () => {
    writeFileSync(file, '{"x":"' + 'y'.repeat(5 * 1024 * 1024) + '"}\n' + lines(1));
    const s = source();
    await drain(s);
    assert.equal((await recorded()).length, 1);
    assert.deepEqual((await quarantined()).map((r) => r.reason), ['too-large']);
  });
});
