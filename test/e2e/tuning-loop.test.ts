// The tuning loop end to end on a real Vigil (store, pipeline, HTTP API): a backup account that fails its logons
// every night opens brute-force incidents that analysts judge false positives, beside one real brute force. The
// rule is flagged; the proposed filter names that account and its host; the backtest shows those incidents vanish
// and the real one stay, without touching live state; only an accepted filter is applied — live, kept, audited —
// and the next night opens nothing. Shadow mode records what a rule would have opened.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ndjson } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { ATTACKER, BACKUP_HOST, BRUTE_FORCE, burst, DAY, FAILED_LOGON, incidents, NIGHTLY, seedBackupNoise } from '../helpers/tuning.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

describe('tuning loop: from false-positive verdicts to a tested, accepted filter', () => {
  let v: Running;
  let anna: Session;
  let viewer: Session;
  let proposal: any;

  before(async () => {
    v = await startVigil(NIGHTLY);
    anna = await userSession(v, 'anna', 'analyst');
    viewer = await userSession(v, 'victor', 'viewer');
    await seedBackupNoise(v, anna);
  });
  after(async () => {
    await v?.stop();
  });

  it('per-rule quality: incidents by verdict, FP ratio, MTTA, and the noisy rule is flagged', async () => {
    const r = await call(v, 'GET', '/api/v1/rules/quality?period=30d', viewer);
    assert.equal(r.status, 200);
    const bf = r.json.rules.find((q: { ruleId: string }) => q.ruleId === BRUTE_FORCE);
    assert.equal(bf.incidents, 4);
    assert.equal(bf.falsePositive, 3);
    assert.equal(bf.truePositive, 1);
    assert.equal(bf.benign, 0);
    assert.equal(bf.none, 0);
    assert.equal(bf.fpRatio, 0.75);
    assert.equal(bf.acknowledged, 4);
    assert.ok(typeof bf.mttaMs === 'number' && bf.mttaMs >= 0, 'a mean time to acknowledge');
    assert.equal(bf.flagged, true, 'FP ratio 0.75 passes the default threshold 0.5 among 4 verdicts');
    const other = r.json.rules.find((q: { ruleId: string }) => q.ruleId === FAILED_LOGON);
    assert.deepEqual([other.incidents, other.fpRatio, other.flagged], [0, null, false]);
    // A stricter threshold is configuration, not code: a period before the incidents counts none of them.
    const old = await call(v, 'GET', `/api/v1/rules/quality?since=0&until=${Date.now() - 10 * DAY}`, viewer);
    assert.equal(old.json.rules.find((q: { ruleId: string }) => q.ruleId === BRUTE_FORCE).incidents, 0);
  });

  it('the proposed filter names the backup account and host, and nothing of the true positive', async () => {
    const r = await call(v, 'GET', `/api/v1/rules/${BRUTE_FORCE}/filter-proposal`, anna);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    proposal = r.json;
    assert.equal(proposal.falsePositives, 3);
    assert.equal(proposal.truePositives, 1);
    assert.equal(proposal.filters.length, 1);
    assert.equal(proposal.filters[0].ruleId, FAILED_LOGON, 'a filter narrows the detection rule the correlation counts');
    const fields = Object.fromEntries(proposal.filters[0].fields.map((f: { field: string; values: string[] }) => [f.field, f.values]));
    assert.deepEqual(fields.TargetUserName, ['svc_backup']);
    assert.deepEqual(fields.IpAddress, [BACKUP_HOST]);
    assert.equal(fields.WorkstationName, undefined, 'the workstation name is shared with the true positive');
    const [doc] = parseAllDocuments(proposal.yaml) as any[];
    const filter = doc.toJS();
    assert.deepEqual(filter.filter.rules, [FAILED_LOGON]);
    assert.equal(filter.filter.condition, 'not selection');
    assert.equal(filter.filter.selection.TargetUserName, 'svc_backup');
    assert.doesNotMatch(proposal.yaml, new RegExp(`${ATTACKER.replace(/\./g, '\\.')}|administrator`));
    // Proposing applied nothing.
    const filters = await call(v, 'GET', '/api/v1/rules/filters', viewer);
    assert.deepEqual(filters.json, []);
    assert.equal((await call(v, 'GET', `/api/v1/rules/${BRUTE_FORCE}/filter-proposal`, viewer)).status, 403, 'a viewer reads quality, but does not tune');
  });

  it('the backtest shows the backup incidents vanish and the true brute force stay, and touches nothing live', async () => {
    const state = async () => (await incidents(v, anna)).map((i: any) => [i.id, i.status, i.eventCount, i.verdict ?? null]).sort();
    const before = await state();
    const auditBefore = await v.vigil.store.db.selectFrom('audit_log').select('id').execute();
    const r = await call(v, 'POST', '/api/v1/rules/backtest', anna, { filters: proposal.yaml, period: '30d' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const bf = r.json.rules.find((d: { ruleId: string }) => d.ruleId === BRUTE_FORCE);
    assert.equal(bf.current, 4);
    assert.equal(bf.proposed, 1);
    assert.equal(bf.vanishedCount, 3);
    assert.ok(bf.vanished.every((s: { entity: Record<string, string> }) => s.entity.IpAddress === BACKUP_HOST), 'only the backup host vanishes');
    assert.equal(bf.appearedCount, 0);
    assert.deepEqual(r.json.totals, { current: 4, proposed: 1, vanished: 3, appeared: 0 });
    assert.equal(r.json.alerts, 24);
    assert.equal(bf.changed, 0, 'the true brute force stays as it is');
    assert.ok(r.json.alertsPerSecond > 0);
    // Live state as it was: the same incidents, no filter in force, nothing audited.
    assert.deepEqual(await state(), before);
    assert.deepEqual((await call(v, 'GET', '/api/v1/rules/filters', anna)).json, []);
    assert.equal((await v.vigil.store.db.selectFrom('audit_log').select('id').execute()).length, auditBefore.length);
    // A filter text that names an unknown rule tests nothing: refused with the reason.
    const bad = await call(v, 'POST', '/api/v1/rules/backtest', anna, { filters: proposal.yaml.replace(FAILED_LOGON, 'no-such-rule') });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /unknown rule\(s\): no-such-rule/);
  });

  it('an accepted filter takes effect live, is kept for the next start, and is audited', async () => {
    assert.equal((await call(v, 'POST', '/api/v1/rules/filters', viewer, { filters: proposal.yaml })).status, 403);
    const r = await call(v, 'POST', '/api/v1/rules/filters', anna, { filters: proposal.yaml });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json[0].applied, [FAILED_LOGON]);
    const audit = await v.vigil.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'rule.filter.accept').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor, 'user:anna');
    assert.equal(audit[0]!.target, `rule:${FAILED_LOGON}`);
    assert.equal(audit[0]!.result, 'ok');
    assert.match(JSON.parse(audit[0]!.details_json).text, /svc_backup/);
    const file = `${v.dir}/accepted-filters.yml`;
    assert.ok(existsSync(file));
    assert.match(readFileSync(file, 'utf8'), /# accepted by user:anna at .*\n[\s\S]*TargetUserName: svc_backup/);
    const listed = (await call(v, 'GET', '/api/v1/rules/filters', anna)).json;
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0].rules, [FAILED_LOGON]);
    // Tonight: the backup job fails again, and so does a new attacker. Only the attacker opens an incident.
    const tonight = Date.now() - 10 * 60_000;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([...burst(BACKUP_HOST, 'svc_backup', tonight), ...burst('198.51.100.9', 'admin', tonight + 60_000)]))).status, 202);
    await until(async () => (await incidents(v, anna)).some((i) => i.entity.IpAddress === '198.51.100.9'), 20_000, 'the new attacker');
    const backup = (await incidents(v, anna)).filter((i) => i.entity.IpAddress === BACKUP_HOST);
    assert.equal(backup.length, 3, 'no fourth backup incident');
    assert.ok(backup.every((i) => i.status === 'resolved'));
  });

  it('the next start loads the accepted filter with the rules', async () => {
    const dir = v.dir;
    await v.stop();
    v = await startVigil(NIGHTLY, 'sqlite', dir);
    anna = await userSession(v, 'anna2', 'analyst');
    const listed = (await call(v, 'GET', '/api/v1/rules/filters', anna)).json;
    assert.equal(listed.length, 1);
    assert.match(listed[0].source, /accepted-filters\.yml$/);
    const later = Date.now() - 5 * 60_000;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([...burst(BACKUP_HOST, 'svc_backup', later), ...burst('198.51.100.10', 'admin', later + 60_000)]))).status, 202);
    await until(async () => (await incidents(v, anna)).some((i) => i.entity.IpAddress === '198.51.100.10'), 20_000, 'the attacker after the restart');
    assert.equal((await incidents(v, anna)).filter((i) => i.entity.IpAddress === BACKUP_HOST).length, 3);
  });

  it('the same filter again is refused whole, and the refusal audited', async () => {
    const r = await call(v, 'POST', '/api/v1/rules/filters', anna, { filters: proposal.yaml });
    assert.equal(r.status, 400);
    assert.match(r.json.message, /already in force/);
    const refused = await v.vigil.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'rule.filter.accept').where('result', '=', 'refused').execute();
    assert.equal(refused.length, 1);
  });
});

describe('shadow mode records what the rule would have opened', () => {
  let v: Running;
  let anna: Session;

  before(async () => {
    v = await startVigil();
    anna = await userSession(v, 'anna', 'analyst');
  });
  after(async () => {
    await v?.stop();
  });

  it('per entity, beside the live incidents of the rule', async () => {
    assert.equal((await call(v, 'PUT', `/api/v1/rules/${BRUTE_FORCE}/mode`, anna, { mode: 'shadow' })).status, 200);
    const t = Date.now() - 30 * 60_000;
    // Two addresses; the first again ten minutes later (a second detection, within the quiet period).
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([...burst('203.0.113.5', 'admin', t), ...burst('203.0.113.6', 'admin', t + 60_000), ...burst('203.0.113.5', 'admin', t + 600_000)]))).status, 202);
    let q: any;
    await until(async () => {
      q = (await call(v, 'GET', '/api/v1/rules/quality', anna)).json.rules.find((r: { ruleId: string }) => r.ruleId === BRUTE_FORCE);
      return q.shadow.detections >= 3;
    }, 20_000, 'three shadow detections');
    assert.equal(q.mode, 'shadow');
    assert.equal(q.incidents, 0, 'nothing opened live');
    assert.deepEqual(q.shadow, { opened: 2, detections: 3, events: 15, entities: 2 }, 'two entities; the third burst folds into the first (within the quiet period)');
    assert.equal((await call(v, 'GET', '/api/v1/incidents?status=open,acknowledged,resolved', anna)).json.total, 0);
  });
});
