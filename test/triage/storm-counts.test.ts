// A storm goes on after its detection fired: the incident an analyst reads counts every event of it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, ndjson } from '../helpers/fixtures.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

describe('incident counts through a storm', () => {
  let v: Running;
  before(async () => {
    v = await startVigil();
  });
  after(async () => {
    await v?.stop();
  });

  const incidents = () =>
    v.vigil.store.db.selectFrom('incidents').select(['title', 'event_count', 'last_seen', 'detection_count']).orderBy('title').execute();

  it('1,000 failed logons from one IP: one incident that counts 1,000 events, across batches', async () => {
    const start = new Date(Date.now() - 30 * 60_000);
    const storm = burst('203.0.113.50', 1000, start, 1000);
    // Two posts: the second lands in later pipeline batches than the detection.
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(storm.slice(0, 600)))).status, 202);
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(storm.slice(600)))).status, 202);
    await until(() => v.vigil.runner.position >= 1000, 20_000, 'the storm processed');
    const rows = await incidents();
    assert.equal(rows.length, 1);
    assert.equal(Number(rows[0]!.event_count), 1000);
    assert.equal(Number(rows[0]!.detection_count), 1);
    assert.equal(Number(rows[0]!.last_seen), start.getTime() + 999 * 1000);
  });

  it('three IPs storming at once: three incidents, each with its own count', async () => {
    const start = new Date(Date.now() - 20 * 60_000);
    const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    const alerts = ips.flatMap((ip, k) => burst(ip, 100 * (k + 1), start, 1500));
    alerts.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
    await until(() => v.vigil.runner.position >= 1600, 20_000, 'the storms processed');
    const rows = (await incidents()).filter((r) => ips.some((ip) => r.title.includes(ip)));
    assert.deepEqual(
      rows.map((r) => [ips.find((ip) => r.title.includes(ip)), Number(r.event_count)]).sort(),
      [
        ['198.51.100.1', 100],
        ['198.51.100.2', 200],
        ['198.51.100.3', 300],
      ],
    );
  });

  it('two bursts from one IP hours apart in one batch: each incident counts its own burst', async () => {
    const start = new Date(Date.now() - 5 * 3_600_000);
    const later = new Date(start.getTime() + 3 * 3_600_000); // past the quiet period: a new incident
    const alerts = [...burst('198.51.100.77', 6, start, 1000), ...burst('198.51.100.77', 6, later, 1000)];
    const before = v.vigil.runner.position;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
    await until(() => v.vigil.runner.position >= before + 12, 20_000, 'both bursts processed');
    const rows = (await incidents()).filter((r) => r.title.includes('198.51.100.77'));
    assert.deepEqual(rows.map((r) => Number(r.event_count)), [6, 6]);
  });
});
