// The pipeline's stored cursor: a batch that makes nothing writes nothing (its cursor waits, at most a second,
// until the next batch that writes or the runner's next pass); a batch that makes a detection writes its cursor
// with it. After a crash with the cursor behind, the alerts past it are handled again: none is lost.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { toEvent } from '../../src/model/event.js';
import { AlertRunner, PIPELINE_CURSOR } from '../../src/pipeline/alert-runner.js';
import { getCursor } from '../../src/store/cursors.js';
import { openDatabase } from '../../src/store/db.js';
import { burst } from '../helpers/fixtures.js';
import { handedRunner, recordingPipeline } from '../helpers/runner.js';
import { startVigil, until } from '../helpers/vigil.js';

const quiet = pino({ level: 'silent' });
const event = (a: Record<string, unknown>) => toEvent(a, JSON.stringify(a));

/** A Wazuh alert no built-in rule matches (a PAM session opening). */
const noise = (n: number) => ({
  timestamp: new Date().toISOString().replace('Z', '+0000'),
  rule: { level: 3, id: '5501', description: 'PAM: Login session opened.', groups: ['pam', 'syslog', 'authentication_success'] },
  agent: { id: '001', name: 'web01' },
  manager: { name: 'wazuh-manager' },
  id: `cursor.${n}`,
  full_log: `web01 sudo: pam_unix(sudo:session): session opened for user root by deploy(uid=${1000 + n})`,
  decoder: { name: 'pam' },
  location: '/var/log/auth.log',
});

describe('pipeline cursor', () => {
  it('a batch without detections commits nothing; a batch with one commits its cursor with it', async () => {
    const v = await startVigil();
    try {
      const { pipeline } = v.vigil;
      const quietOnes = Array.from({ length: 5 }, (_, i) => event(noise(i)));
      assert.deepEqual(await pipeline.handle(quietOnes, { name: 'test', value: '5', deferrable: true }), []);
      assert.equal(await getCursor(v.vigil.store.db, 'test'), undefined, 'nothing written for a batch that made nothing');
      // Not deferrable: written even though the batch made nothing.
      await pipeline.handle(quietOnes.slice(0, 1), { name: 'test', value: '6' });
      assert.equal(await getCursor(v.vigil.store.db, 'test'), '6');
      const attack = burst('203.0.113.9', 12, new Date(Date.now() - 60_000), 1000).map(event);
      const made = await pipeline.handle(attack, { name: 'test', value: '18', deferrable: true });
      assert.ok(made.length > 0, 'the brute force is detected');
      assert.equal(await getCursor(v.vigil.store.db, 'test'), '18', 'written with the detection');
    } finally {
      await v.stop();
    }
  });

  it('the runner defers the cursor of quiet batches, writes it within a second or two, and at stop', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-cursor-')), 'vigil.db'));
    try {
      const { pipeline, cursors } = recordingPipeline(store.db);
      const { runner, intake } = handedRunner(store.db, pipeline);
      await runner.start();
      const record = (from: number, n: number) => intake.record('test', Array.from({ length: n }, (_, i) => ({ data: JSON.stringify(noise(from + i)), where: 'test' })));
      await record(0, 3);
      await runner.drain();
      // The first batch after start is due at once; the next ones, within the second, are deferrable.
      assert.equal(cursors[0]?.deferrable, false);
      assert.equal(await getCursor(store.db, PIPELINE_CURSOR), '3');
      await record(3, 3);
      await runner.drain();
      assert.equal(cursors.at(-1)?.deferrable, true);
      assert.equal(await getCursor(store.db, PIPELINE_CURSOR), '3', 'deferred');
      // A pass with nothing new, once the cursor trails by a second: the runner writes it itself.
      await until(async () => (await getCursor(store.db, PIPELINE_CURSOR)) === String(runner.position), 5000, 'the trailing cursor written');
      await record(6, 2);
      await runner.drain();
      assert.equal(cursors.at(-1)?.deferrable, true);
      await runner.stop();
      assert.equal(await getCursor(store.db, PIPELINE_CURSOR), String(runner.position), 'written at stop');
      assert.equal(runner.position, 8);
    } finally {
      await store.close();
    }
  });

  it('after a crash with the cursor behind, the alerts past it are handled again, none lost', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-cursor-')), 'vigil.db'));
    try {
      const first = recordingPipeline(store.db);
      const { runner, intake } = handedRunner(store.db, first.pipeline);
      await runner.start();
      await intake.record('test', Array.from({ length: 4 }, (_, i) => ({ data: JSON.stringify(noise(i)), where: 'test' })));
      await runner.drain();
      await intake.record('test', Array.from({ length: 4 }, (_, i) => ({ data: JSON.stringify(noise(4 + i)), where: 'test' })));
      await runner.drain();
      const stored = Number((await getCursor(store.db, PIPELINE_CURSOR)) ?? 0);
      assert.ok(stored < runner.position, `the cursor trails (${stored} < ${runner.position})`);
      // The process dies here (the first runner is not stopped until the end: a stop writes the cursor). The
      // next one starts from the stored cursor and reads the store.
      const second = recordingPipeline(store.db);
      const again = new AlertRunner(store.db, second.pipeline, quiet, 0);
      await again.start();
      await again.drain();
      await again.stop();
      const handledBefore = first.seen.slice(0, stored).map((e) => e.id);
      assert.deepEqual([...handledBefore, ...second.seen.map((e) => e.id)], first.seen.map((e) => e.id), 'every alert past the cursor handled again, in order');
      assert.equal(again.position, 8);
      await runner.stop();
    } finally {
      await store.close();
    }
  });
});
