// The analyst's domain functions, through a running Vigil: real ingest, real pipeline, real SMTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditFor } from '../../src/store/audit.js';
import { acknowledge, assign, reopen, resolve, setVerdict } from '../../src/triage/analyst.js';
import { getIncident, listIncidents } from '../../src/triage/queries.js';
import { createSuppression, deleteSuppression, listSuppressions } from '../../src/triage/suppressions.js';
import { TriageError } from '../../src/triage/types.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled } from '../helpers/triage.js';
import { post, postgresAvailable, startVigil, type Backend, type Running } from '../helpers/vigil.js';

const T0 = new Date('2026-11-21T08:00:00Z');
const BRUTE = '0b5ae1b6-8e0f-4d0b-9d63-5a3b7b0f1c02';

const code = (c: TriageError['code']) => (err: unknown) => err instanceof TriageError && err.code === c;

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`analyst actions on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    let smtp: TestSmtp;
    let v: Running;
    const send = async (alerts: unknown[]) => {
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
      await handled(v);
    };
    const incidentFor = async (ip: string) => (await listIncidents(v.vigil.store.db, { indicator: ip })).items;

    before(async () => {
      if (!available) return;
      smtp = await startSmtp();
      v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } }, backend);
    });
    after(async () => {
      await v?.stop();
      await smtp?.close();
    });

    it('acknowledge, assign, verdict with suppression, resolve and reopen: each audited, resolve and reopen mailed', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const ctx = v.vigil.triage;
      await send(burst('203.0.113.50', 6, T0, 10_000, 'svc_backup'));
      await smtp.waitFor(1);
      const [inc] = await incidentFor('203.0.113.50');
      assert.ok(inc);
      assert.equal(inc.status, 'open');

      const acked = await acknowledge(ctx, inc.id, { actor: 'user:ana' });
      assert.equal(acked.status, 'acknowledged');
      assert.equal(acked.acknowledgedBy, 'user:ana');
      await assert.rejects(acknowledge(ctx, inc.id, { actor: 'user:ana' }), code('conflict'));
      await assert.rejects(acknowledge(ctx, 'nope', { actor: 'user:ana' }), code('not_found'));
      await assert.rejects(acknowledge(ctx, inc.id, { actor: '' }), code('invalid'));

      assert.equal((await assign(ctx, inc.id, 'bo', { actor: 'user:ana' })).assignee, 'bo');
      assert.equal((await listIncidents(ctx.db, { assignee: 'bo' })).total, 1);

      await assert.rejects(setVerdict(ctx, inc.id, { actor: 'user:bo', verdict: 'benign', comment: '' }), code('invalid'));
      await assert.rejects(setVerdict(ctx, inc.id, { actor: 'user:bo', verdict: 'maybe' as any, comment: 'x' }), code('invalid'));
      const { incident: fp, suppressions } = await setVerdict(ctx, inc.id, {
        actor: 'user:bo',
        verdict: 'false_positive',
        comment: 'backup job with an expired password',
        suppress: { expiresInMs: 7 * 86_400_000 },
      });
      assert.equal(fp.verdict, 'false_positive');
      assert.equal(fp.status, 'resolved');
      assert.equal(fp.resolution, 'false_positive');
      assert.deepEqual(
        suppressions.map((s) => [s.ruleId, s.indicator.kind, s.indicator.value]),
        [[BRUTE, 'ip', '203.0.113.50']],
      );
      // The resolve reached people, as an update of the same incident.
      const mails = await smtp.waitFor(2);
      assert.match(mails[1]!.subject ?? '', /^\[Vigil\] RESOLVED · HIGH: Windows Brute Force/);
      assert.match(mails[1]!.text ?? '', /^Resolved: by bo \(false positive\) at .*; verdict false positive: "backup job with an expired password"$/m);

      // The same address again, an hour later: recorded, suppressed, nobody told.
      await send(burst('203.0.113.50', 6, new Date(T0.getTime() + 3_600_000), 10_000, 'svc_backup'));
      const silenced = await ctx.db.selectFrom('detections').selectAll().where('suppression_id', 'is not', null).execute();
      assert.equal(silenced.length, 1);
      assert.equal(silenced[0]!.incident_id, null);
      assert.equal((await incidentFor('203.0.113.50')).length, 1, 'no new incident');
      const [live] = await listSuppressions(ctx);
      assert.equal(live!.hits, 1);

      const reopened = await reopen(ctx, inc.id, { actor: 'user:ana', comment: 'backup job was fixed on Tuesday' });
      assert.equal(reopened.status, 'open');
      await assert.rejects(reopen(ctx, inc.id, { actor: 'user:ana' }), code('conflict'));
      const third = await smtp.waitFor(3);
      assert.match(third[2]!.subject ?? "", /^\[Vigil\] REOPENED · HIGH/);
      const closed = await resolve(ctx, inc.id, { actor: 'user:ana', comment: 'done' });
      assert.equal(closed.resolution, 'analyst');
      assert.equal(closed.revision, 4, 'opened, resolved, reopened, resolved: one revision each');
      await smtp.waitFor(4);

      const history = (await auditFor(ctx.db, `incident:${inc.id}`)).map((a) => `${a.actor} ${a.action}`).reverse();
      assert.deepEqual(history, [
        'user:ana incident.acknowledge',
        'user:ana incident.assign',
        'user:bo incident.verdict',
        'user:bo incident.resolve',
        'user:ana incident.reopen',
        'user:ana incident.resolve',
      ]);
      const detail = await getIncident(ctx.db, inc.id);
      assert.equal(detail.detections.length, 1);
      assert.equal(detail.evidenceIds.length, 6, 'every counted event, the one absorbed after firing too');
      assert.equal(detail.history.length, 6);
      assert.ok(detail.summary?.nextSteps.length);
      assert.ok(detail.severity.reasons.some((r) => r.factor === 'sigma'));

      await deleteSuppression(ctx, live!.id, 'user:ana');
      await assert.rejects(deleteSuppression(ctx, live!.id, 'user:ana'), code('not_found'));
      assert.deepEqual(await listSuppressions(ctx), []);
      assert.equal((await auditFor(ctx.db, `suppression:${live!.id}`)).length, 2);
    });

    it('createSuppression checks its input; an expired suppression no longer applies', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const ctx = v.vigil.triage;
      await assert.rejects(createSuppression(ctx, { indicator: { kind: 'ip', value: '192.0.2.9' }, reason: ' ', actor: 'a' }), code('invalid'));
      await assert.rejects(createSuppression(ctx, { indicator: { kind: 'mac' as any, value: 'x' }, reason: 'r', actor: 'a' }), code('invalid'));
      await assert.rejects(createSuppression(ctx, { indicator: { kind: 'ip', value: '192.0.2.9' }, reason: 'r', actor: 'a', expiresAt: Date.now() - 1 }), code('invalid'));
      const s = await createSuppression(ctx, { indicator: { kind: 'ip', value: '192.0.2.9' }, reason: 'scanner', actor: 'user:ana', expiresAt: Date.now() + 60_000 });
      assert.equal(s.ruleId, undefined, 'no rule: every rule');
      assert.equal((await listSuppressions({ ...ctx, clock: () => Date.now() + 120_000 })).length, 0, 'expired ones are not listed');
      assert.equal((await listSuppressions({ ...ctx, clock: () => Date.now() + 120_000 }, { includeExpired: true })).length, 1);
      await deleteSuppression(ctx, s.id, 'user:ana');
    });

    it('listIncidents filters and pages', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const db = v.vigil.store.db;
      const start = new Date(T0.getTime() + 6 * 3_600_000);
      await send(['198.51.100.1', '198.51.100.2', '198.51.100.3'].flatMap((ip) => burst(ip, 5, start, 1000)));
      const open = await listIncidents(db, { status: ['open'], limit: 2 });
      assert.equal(open.total, 3);
      assert.equal(open.items.length, 2);
      const page2 = await listIncidents(db, { status: ['open'], limit: 2, offset: 2 });
      assert.equal(page2.items.length, 1);
      assert.equal(new Set([...open.items, ...page2.items].map((i) => i.id)).size, 3);
      assert.equal((await listIncidents(db, { status: ['resolved'] })).total, 1);
      assert.equal((await listIncidents(db, { verdict: 'false_positive' })).total, 1);
      assert.equal((await listIncidents(db, { verdict: 'none' })).total, 3);
      assert.equal((await listIncidents(db, { minScore: 61 })).total, 0);
      assert.equal((await listIncidents(db, { level: ['high'], sort: 'severity' })).total, 4);
      assert.equal((await listIncidents(db, { since: start.getTime() })).total, 3);
      assert.equal((await listIncidents(db, { ruleId: 'other' })).total, 0);
    });
  });
}
