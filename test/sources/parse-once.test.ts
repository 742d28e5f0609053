// Parse once: the event intake parsed is the very object detection sees; nothing recorded is read back and
// parsed again on the hot path. The store stays the truth: alerts recorded before a restart, or more than the
// hand-off holds, are read back, and none is skipped or handled twice.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { AlertRunner } from '../../src/pipeline/alert-runner.js';
import { Handoff } from '../../src/pipeline/handoff.js';
import { AlertsFileSource } from '../../src/sources/alerts-file.js';
import { Intake } from '../../src/sources/intake.js';
import { openDatabase } from '../../src/store/db.js';
import { failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { handled } from '../helpers/triage.js';
import { handedRunner, recordingPipeline } from '../helpers/runner.js';
import { post, startVigil } from '../helpers/vigil.js';

const quiet = pino({ level: 'silent' });
const T0 = Date.now() - 3_600_000;
const alerts = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => failedLogon4625({ ip: '203.0.113.50', user: `u${i % 7}`, time: new Date(T0 + (from + i) * 1000), id: `po.${from + i}` }));

describe('parse once', () => {
  it('through a running Vigil, every posted alert reaches detection as intake parsed it: none is read back', async () => {
    const v = await startVigil();
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts(200, i * 200)))).status, 202);
      await handled(v);
      assert.equal(v.vigil.runner.handed, 600);
      assert.equal(v.vigil.runner.readBack, 0);
      // and detection ran on them: the burst from one address is a brute force
      const n = await v.vigil.store.db.selectFrom('detections').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      assert.ok(Number(n?.n) > 0);
    } finally {
      await v.stop();
    }
  });

  it('the events handed over are the parsed objects themselves, in sequence order, each once', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-po-')), 'vigil.db'));
    try {
      const { pipeline, seen } = recordingPipeline();
      const { runner, intake } = handedRunner(store.db, pipeline);
      await runner.start();
      const raws = alerts(50).map((a) => ({ data: JSON.stringify(a), where: 'test' }));
      const records = raws.map((r) => intake.read(r, 'test'));
      await Promise.all([intake.commit('test', records.slice(0, 20) as any), intake.commit('test', records.slice(20) as any)]);
      await runner.drain();
      await runner.stop();
      assert.equal(seen.length, 50);
      for (let i = 0; i < 50; i++) assert.equal(seen[i], (records[i] as any).event, `event ${i} is the object intake parsed`);
      assert.deepEqual([runner.handed, runner.readBack], [50, 0]);
    } finally {
      await store.close();
    }
  });

  it('alerts recorded before the runner started, and more than the hand-off holds, are read from the store: none lost, none twice', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-po-')), 'vigil.db'));
    try {
      const raws = (list: unknown[]) => list.map((a) => ({ data: JSON.stringify(a), where: 'test' }));
      // The process before the restart recorded 30 alerts the pipeline never handled.
      await new Intake(store.db, quiet, { maxAlertBytes: 1 << 20, onRecorded: () => {} }).record('test', raws(alerts(30, 0)));
      const handoff = new Handoff(100);
      const intake = new Intake(store.db, quiet, { maxAlertBytes: 1 << 20, onRecorded: () => {}, handoff });
      const { pipeline, seen } = recordingPipeline();
      const runner = new AlertRunner(store.db, pipeline, quiet, 0, undefined, handoff);
      await runner.start();
      await runner.drain();
      await intake.record('test', raws(alerts(250, 30))); // more than the hand-off holds: dropped from memory, still in the store
      await runner.drain();
      await intake.record('test', raws(alerts(40, 280))); // held again
      await runner.drain();
      await runner.stop();
      const ids = seen.map((e) => e.id);
      assert.equal(ids.length, 320);
      assert.equal(new Set(ids).size, 320, 'no alert handled twice');
      assert.deepEqual(ids, alerts(320).map((a: any) => a.id), 'in recorded order');
      assert.equal(runner.handed, 40);
      assert.equal(runner.readBack, 280);
      assert.equal(handoff.dropped, 250);
    } finally {
      await store.close();
    }
  });

  it('the alerts.json tail reads no further than the hand-off holds: a file far larger than it is handed over whole, none read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-po-'));
    const store = await openDatabase(join(dir, 'vigil.db'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, alerts(450).map((a) => JSON.stringify(a) + '\n').join(''));
    const { pipeline, seen } = recordingPipeline();
    const { runner, intake, handoff } = handedRunner(store.db, pipeline, new Handoff(100));
    const tail = new AlertsFileSource({ path: file, startAt: 'beginning', pollInterval: 20 }, { db: store.db, intake, log: quiet, maxAlertBytes: 1 << 20 });
    try {
      await runner.start();
      await tail.start();
      for (let i = 0; i < 500 && seen.length < 450; i++) await new Promise((r) => setTimeout(r, 20));
      await tail.stop();
      await runner.drain();
      await runner.stop();
      assert.deepEqual(seen.map((e) => e.id), alerts(450).map((a: any) => a.id), 'every line once, in file order');
      assert.deepEqual([runner.handed, runner.readBack, handoff.dropped], [450, 0, 0]);
    } finally {
      await store.close();
    }
  });
});
