import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { getCursor } from '../../src/store/cursors.js';
import { burst, failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const count = async (v: Running) => Number((await v.vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())!.n);

describe('two ingest paths at once', () => {
  const running: Running[] = [];
  after(async () => {
    for (const r of running) await r.stop();
  });

  it('the same alerts through alerts.json and the webhook are recorded once and detected once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-paths-'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, '');
    const v = await startVigil({ sources: { alertsFile: { enabled: true, path: file, startAt: 'beginning', pollInterval: '20ms' } } }, 'sqlite', dir);
    running.push(v);
    const alerts = burst('198.51.100.23', 6, new Date('2026-11-21T10:00:00Z'), 10_000);
    const webhook = post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts));
    appendFileSync(file, ndjson(alerts));
    assert.equal((await webhook).status, 202);
    await until(async () => JSON.parse((await getCursor(v.vigil.store.db, `file:${file}`)) ?? '{"offset":0}').offset > 0, 10_000, 'the file to be read');
    await v.vigil.runner.drain();
    assert.equal(await count(v), 6);
    const detections = await v.vigil.store.db.selectFrom('detections').selectAll().execute();
    assert.equal(detections.length, 1);
  });
});

describe('backpressure', () => {
  const running: Running[] = [];
  after(async () => {
    for (const r of running) await r.stop();
  });

  it('the webhook answers 503 with Retry-After while the pipeline is behind, and the file source pauses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bp-'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, '');
    const v = await startVigil(
      { ingest: { token: 'test-token', maxBacklog: 3, retryAfter: '7s' }, sources: { alertsFile: { enabled: true, path: file, startAt: 'beginning', pollInterval: '20ms' } } },
      'sqlite',
      dir,
    );
    running.push(v);
    await v.vigil.runner.stop(); // the pipeline stalls: nothing recorded gets processed
    const t = new Date('2026-11-21T11:00:00Z');
    const one = (i: number) => ndjson([failedLogon4625({ ip: '192.0.2.9', time: t, id: `1763722800.${i}` })]);
    for (let i = 0; i < 4; i++) assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, one(i))).status, 202);
    await new Promise((r) => setTimeout(r, 150)); // let the backlog's cached head expire
    const busy = await fetch(`${v.url}/api/v1/ingest/wazuh`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/x-ndjson' },
      body: one(99),
    });
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '7');
    assert.match((await busy.json()).message, /nothing of this request was recorded/);
    assert.equal(await count(v), 4);

    appendFileSync(file, one(50) + one(51));
    await until(async () => (await v.vigil.metrics.backpressure.get()).values.some((x) => x.labels.source === 'alerts-file' && x.value > 0), 5000, 'the file source to pause');
    assert.equal(await count(v), 4, 'the file source did not read while behind');

    await v.vigil.runner.start(); // caught up again
    await until(async () => (await count(v)) === 6, 10_000, 'the file source to resume');
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, one(99))).status, 202);
  });
});
