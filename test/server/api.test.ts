// The API as automation sees it, on SQLite and on PostgreSQL: the queue with filters and paging, one incident's
// full picture, rule modes (shadow counts without opening incidents), the OpenAPI document and the metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { post, postgresAvailable, startVigil, until, type Backend, type Running, scrape } from '../helpers/vigil.js';

const BRUTE_FORCE = '0b5ae1b6-8e0f-4d0b-9d63-5a3b7b0f1c02';

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`API v1 on ${backend}`, async () => {
    if (backend === 'postgres' && !(await postgresAvailable())) return void it('PostgreSQL is not reachable', { skip: true }, () => {});
    let v: Running;
    let analyst: Session;
    const ingest = (alerts: unknown[]) => post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts));
    const incidents = async (query = '') => (await call(v, 'GET', `/api/v1/incidents${query}`, analyst)).json;

    before(async () => {
      v = await startVigil({}, backend);
      analyst = await userSession(v, 'anna', 'analyst');
      const t0 = Date.now() - 600_000;
      for (let n = 0; n < 3; n++) assert.equal((await ingest(burst(`198.51.100.${10 + n}`, 5 + n, new Date(t0 + n * 60_000), 2000, `user${n}`))).status, 202);
      await until(async () => (await incidents()).total === 3, 10_000, 'three incidents');
    });
    after(() => v?.stop());

    it('lists the queue newest first, filters by status, level and text, and pages', async () => {
      const all = await incidents();
      assert.equal(all.total, 3);
      assert.deepEqual(
        all.items.map((i: any) => i.entity.IpAddress),
        ['198.51.100.12', '198.51.100.11', '198.51.100.10'],
      );
      const page = await incidents('?limit=2&offset=2');
      assert.equal(page.total, 3);
      assert.deepEqual(page.items.map((i: any) => i.entity.IpAddress), ['198.51.100.10']);
      assert.equal((await incidents('?indicator=198.51.100.11')).total, 1);
      assert.equal((await incidents('?level=low')).total, 0);
      assert.equal((await incidents('?level=high')).total, 3);
      await call(v, 'POST', `/api/v1/incidents/${all.items[0].id}/resolve`, analyst, {});
      assert.equal((await incidents('?status=open,acknowledged')).total, 2);
      assert.equal((await incidents('?status=resolved')).total, 1);
      const bySeverity = await incidents('?sort=severity&minScore=1');
      assert.equal(bySeverity.total, 3);
      assert.ok(bySeverity.items.every((i: any) => i.severity.score >= 1 && i.severity.reasons.length > 0), 'each incident carries its score and the reasons');
    });

    it('rejects bad filters with 400 naming the field', async () => {
      const res = await call(v, 'GET', '/api/v1/incidents?status=closed', analyst);
      assert.equal(res.status, 400);
      assert.match(res.json.message, /status/);
      const big = await call(v, 'GET', '/api/v1/incidents?limit=5000', analyst);
      assert.equal(big.status, 400);
    });

    it('shows one incident with its detections, evidence events, actions and timeline', async () => {
      const id = (await incidents('?indicator=198.51.100.11')).items[0].id;
      const d = (await call(v, 'GET', `/api/v1/incidents/${id}`, analyst)).json;
      assert.equal(d.incident.id, id);
      assert.equal(d.detections.length, 1);
      assert.equal(d.detections[0].count, 6, 'five fired the rule, the sixth was absorbed by it');
      assert.equal(d.incident.eventCount, 6);
      assert.equal(d.evidence.length, 6, 'every counted failed logon is an evidence row');
      assert.equal(d.evidenceTotal, 6);
      assert.ok(d.evidence.every((e: any) => e.sourceIp === '198.51.100.11' && e.user === 'user1' && e.eventId === '4625' && e.agent === 'WIN-DC01'));
      assert.ok(d.timeline.some((t: any) => t.kind === 'detection'));
      assert.deepEqual(d.actions, [], 'no channel is configured in this test');
      assert.equal((await call(v, 'GET', '/api/v1/incidents/nope', analyst)).status, 404);
    });

    it('assigns, records a verdict (a false positive resolves and suppresses), and lists and removes the suppression', async () => {
      const id = (await incidents('?indicator=198.51.100.11')).items[0].id;
      const assigned = await call(v, 'POST', `/api/v1/incidents/${id}/assign`, analyst, { assignee: 'anna' });
      assert.equal(assigned.status, 200);
      assert.equal(assigned.json.assignee, 'anna');
      assert.equal((await incidents('?assignee=anna')).total, 1);
      const noComment = await call(v, 'POST', `/api/v1/incidents/${id}/verdict`, analyst, { verdict: 'false_positive', comment: '' });
      assert.equal(noComment.status, 400);
      const fp = await call(v, 'POST', `/api/v1/incidents/${id}/verdict`, analyst, { verdict: 'false_positive', comment: 'our scanner', suppress: {} });
      assert.equal(fp.status, 200, JSON.stringify(fp.json));
      assert.equal(fp.json.incident.status, 'resolved');
      assert.equal(fp.json.incident.verdict, 'false_positive');
      assert.equal(fp.json.suppressions.length, 1);
      assert.deepEqual(fp.json.suppressions[0].indicator, { kind: 'ip', value: '198.51.100.11' });
      const list = (await call(v, 'GET', '/api/v1/suppressions', analyst)).json;
      assert.equal(list.length, 1);
      const d = (await call(v, 'GET', `/api/v1/incidents/${id}`, analyst)).json;
      for (const action of ['incident.assign', 'incident.verdict', 'incident.resolve'])
        assert.ok(d.audit.some((a: any) => a.action === action && a.actor === 'user:anna' && a.result === 'ok'), action);
      assert.equal((await call(v, 'DELETE', `/api/v1/suppressions/${list[0].id}`, analyst)).status, 204);
      assert.equal((await call(v, 'GET', '/api/v1/suppressions', analyst)).json.length, 0);
    });

    it('a shadowed rule counts what it would have fired and opens nothing; a disabled rule is silent', async () => {
      const path = `/api/v1/rules/${BRUTE_FORCE}/mode`;
      const set = await call(v, 'PUT', path, analyst, { mode: 'shadow' });
      assert.equal(set.status, 200);
      assert.equal(set.json.mode, 'shadow');
      assert.equal((await ingest(burst('192.0.2.50', 5, new Date(Date.now() - 60_000), 1000))).status, 202);
      const shadowHits = async () => (await call(v, 'GET', '/api/v1/rules', analyst)).json.find((r: any) => r.id === BRUTE_FORCE).shadowHits;
      await until(async () => (await shadowHits()) === 1, 10_000, 'a shadow hit');
      assert.equal((await incidents('?indicator=192.0.2.50')).total, 0, 'no incident from a shadowed rule');

      await call(v, 'PUT', path, analyst, { mode: 'disabled' });
      assert.equal((await ingest(burst('192.0.2.51', 5, new Date(Date.now() - 60_000), 1000))).status, 202);
      await until(() => v.vigil.runner.lag === 0);
      await v.vigil.runner.drain();
      assert.equal((await incidents('?indicator=192.0.2.51')).total, 0);
      assert.equal(await shadowHits(), 1);

      await call(v, 'PUT', path, analyst, { mode: 'enabled' });
      assert.equal((await ingest(burst('192.0.2.52', 5, new Date(Date.now() - 60_000), 1000))).status, 202);
      await until(async () => (await incidents('?indicator=192.0.2.52')).total === 1, 10_000, 'an incident once enabled again');
      const bad = await call(v, 'PUT', path, analyst, { mode: 'loud' });
      assert.equal(bad.status, 400);
    });

    it('the overview counts detections, top sources and users, and MTTA once something is acknowledged', async () => {
      const id = (await incidents('?indicator=198.51.100.10')).items[0].id;
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${id}/acknowledge`, analyst, {})).status, 200);
      const o = (await call(v, 'GET', '/api/v1/overview?hours=24', analyst)).json;
      assert.ok(o.detectionsOverTime.reduce((n: number, b: any) => n + b.count, 0) >= 4);
      assert.ok(o.topSources.some((s: any) => s.value === '198.51.100.12'));
      assert.ok(o.topUsers.some((u: any) => u.value === 'user2' && u.count >= 5), 'users come from the evidence events');
      assert.ok(o.topRules.some((r: any) => r.value === 'Windows Brute Force From One Source Address'));
      assert.equal(typeof o.mttdMs, 'number');
      assert.equal(typeof o.mttaMs, 'number');
    });

    it('serves the OpenAPI document and the browsable docs', async () => {
      const doc = (await call(v, 'GET', '/api/v1/openapi.json')).json;
      assert.equal(doc.openapi, '3.0.3');
      for (const p of ['/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/acknowledge', '/api/v1/rules/{id}/mode', '/api/v1/ingest/wazuh', '/api/v1/tokens'])
        assert.ok(doc.paths[p], p);
      const docs = await fetch(`${v.url}/docs/`);
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /swagger/i);
    });

    it('exposes the pipeline, queue, failure and latency metrics', async () => {
      const text = await scrape(v);
      for (const name of [
        'vigil_alerts_ingested_total',
        'vigil_detections_total',
        'vigil_pipeline_lag_alerts',
        'vigil_outbox_actions',
        'vigil_correlation_evictions_total',
        'vigil_provider_quota_used',
        'vigil_delivery_failures',
        'vigil_event_to_notification_seconds',
      ])
        assert.match(text, new RegExp(`# TYPE ${name} `), name);
      assert.match(text, /vigil_alerts_ingested_total\{source="webhook"\} 3[0-9]/);
      // Counted per rule, as many as the store holds.
      const detections = await v.vigil.store.db.selectFrom('detections').select(['rule_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('rule_id').execute();
      assert.ok(detections.length > 0);
      for (const d of detections) assert.match(text, new RegExp(`vigil_detections_total\\{rule="${d.rule_id}"\\} ${d.n}\\n`), d.rule_id);
    });
  });
}
