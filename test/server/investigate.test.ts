// The investigation API an analyst reaches from an incident: the raw alert of every evidence row, the comment
// thread (in the timeline too), and the pivot from an indicator to incidents and stored alerts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { post, postgresAvailable, startVigil, until, type Backend, type Running } from '../helpers/vigil.js';

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`investigation API on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const skip = !available && 'PostgreSQL is not reachable';
    let v: Running;
    let alice: Session;
    let viewer: Session;
    let incidentId: string;
    const T0 = new Date(Date.now() - 300_000);

    before(async () => {
      if (!available) return;
      v = await startVigil({}, backend);
      alice = await userSession(v, 'alice', 'analyst');
      viewer = await userSession(v, 'vic', 'viewer');
      // Six failures: five fire the rule, the sixth (another spelling, another user) is absorbed by it.
      const alerts = [
        ...burst('203.0.113.7', 4, T0, 1000, 'administrator'),
        failedLogon4625({ ip: '203.0.113.7', user: 'Administrator', time: new Date(T0.getTime() + 4000) }),
        failedLogon4625({ ip: '203.0.113.7', user: 'svc_backup', time: new Date(T0.getTime() + 5000), id: 'evtx/WIN-DC01/Security/42' }),
        failedLogon4625({ ip: '203.0.113.77', user: 'other', time: new Date(T0.getTime() + 5000) }),
      ];
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
      await until(async () => (await call(v, 'GET', '/api/v1/incidents', viewer)).json.total >= 1, 10_000, 'incident');
      incidentId = (await call(v, 'GET', '/api/v1/incidents', viewer)).json.items[0].id;
    });
    after(async () => v?.stop());

    it('every counted event is an evidence row, with its user, and the counts agree', { skip }, async () => {
      const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, viewer)).json;
      assert.equal(d.incident.eventCount, 6);
      assert.equal(d.evidenceTotal, 6);
      assert.equal(d.evidence.length, 6);
      assert.equal(d.detections.reduce((n: number, x: { count: number }) => n + x.count, 0), 6);
      assert.ok(d.evidence.some((e: { user: string }) => e.user === 'svc_backup'), 'the sixth event and its user are shown');
      assert.deepEqual(d.incident.users.map((u: string) => u.toLowerCase()).sort(), ['administrator', 'svc_backup'], 'one spelling per user');
      assert.equal(d.evidence[0].status, 'bad password');
      assert.equal(d.incident.ruleTitle, 'Windows Brute Force From One Source Address');
    });

    it('the raw alert of an evidence row is one request away, as formatted JSON (ids with "/" too)', { skip }, async () => {
      const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, viewer)).json;
      const row = d.evidence.find((e: { id: string }) => e.id === 'evtx/WIN-DC01/Security/42');
      assert.ok(row, 'the row with a slash in its id');
      const raw = await call(v, 'GET', row.rawUrl, viewer);
      assert.equal(raw.status, 200);
      assert.equal(raw.json.id, 'evtx/WIN-DC01/Security/42');
      assert.equal(raw.json.alert.data.win.eventdata.targetUserName, 'svc_backup');
      assert.match(raw.json.pretty, /^\{\n {2}"timestamp": /);
      assert.equal(JSON.parse(raw.json.pretty).id, 'evtx/WIN-DC01/Security/42');
      assert.equal((await call(v, 'GET', '/api/v1/events/raw?id=nope', viewer)).status, 404);
    });

    it('a comment thread: analysts write, viewers read, the timeline and the audit trail show it', { skip }, async () => {
      const made = await call(v, 'POST', `/api/v1/incidents/${incidentId}/comments`, alice, { text: '  Called the owner: not them. <b>escalating</b>  ' });
      assert.equal(made.status, 201);
      assert.equal(made.json.text, 'Called the owner: not them. <b>escalating</b>');
      assert.equal(made.json.author, 'user:alice');
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/comments`, viewer, { text: 'x' })).status, 403);
      assert.equal((await call(v, 'POST', `/api/v1/incidents/${incidentId}/comments`, alice, { text: '   ' })).status, 400);
      assert.equal((await call(v, 'POST', `/api/v1/incidents/nope/comments`, alice, { text: 'x' })).status, 404);
      const list = (await call(v, 'GET', `/api/v1/incidents/${incidentId}/comments`, viewer)).json;
      assert.equal(list.items.length, 1);
      const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, viewer)).json;
      assert.equal(d.comments.length, 1);
      const entry = d.timeline.find((t: { kind: string }) => t.kind === 'comment');
      assert.deepEqual({ actor: entry.actor, text: entry.text }, { actor: 'alice', text: 'Called the owner: not them. <b>escalating</b>' });
      assert.ok(d.audit.some((a: { action: string; actor: string }) => a.action === 'incident.comment' && a.actor === 'user:alice'));
    });

    it('pivot: a user (any case) leads to its incident and every stored alert naming it', { skip }, async () => {
      const p = (await call(v, 'GET', '/api/v1/pivot?kind=user&value=ADMINISTRATOR', viewer)).json;
      assert.equal(p.incidents.total, 1);
      assert.equal(p.incidents.items[0].id, incidentId);
      assert.equal(p.events.items.length, 5, 'the five alerts naming administrator, in either spelling');
      assert.ok(p.events.items.every((e: { incidentIds: string[] }) => e.incidentIds.includes(incidentId)));
      assert.equal(p.events.complete, true);
      assert.ok(p.retention.since > 0);
    });

    it('pivot: an address matches whole values only (203.0.113.7 does not find 203.0.113.77)', { skip }, async () => {
      const p = (await call(v, 'GET', '/api/v1/pivot?kind=ip&value=203.0.113.7', viewer)).json;
      assert.equal(p.events.items.length, 6);
      assert.ok(p.events.items.every((e: { sourceIp: string }) => e.sourceIp === '203.0.113.7'));
      const other = (await call(v, 'GET', '/api/v1/pivot?value=203.0.113.77', viewer)).json;
      assert.equal(other.events.items.length, 1);
      assert.equal(other.incidents.total, 0, 'one failure opens no incident');
      const host = (await call(v, 'GET', '/api/v1/pivot?kind=host&value=WIN-DC01', viewer)).json;
      assert.equal(host.incidents.total, 1);
      assert.equal((await call(v, 'GET', '/api/v1/pivot?value=', viewer)).status, 400);
    });
  });
}
