// Risk-based alerting through a running Vigil (HTTP ingest → Sigma → triage → risk → outbox → a real SMTP
// server): detections below the notification threshold build risk on their host until a risk incident opens
// that links them; the risk incident adds no risk of its own; the risk events expire with the window. On SQLite
// and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getIncident, listIncidents } from '../../src/triage/queries.js';
import { RISK_RULE_ID } from '../../src/triage/risk.js';
import { ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled } from '../helpers/triage.js';
import { post, postgresAvailable, startVigil, type Backend, type Running } from '../helpers/vigil.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Three rules over Wazuh alerts by rule id, one per ATT&CK tactic, each below `severity: high`. */
const RULES: [string, string, string, string[], string][] = [
  ['Account Discovery On A Host', '91001', 'low', ['attack.discovery', 'attack.t1087'], 'a1000000-0000-4000-8000-000000000001'],
  ['Credential Dumping Tool Seen', '91002', 'medium', ['attack.credential_access', 'attack.t1003'], 'a1000000-0000-4000-8000-000000000002'],
  ['Remote Service Logon To Another Host', '91003', 'low', ['attack.lateral_movement', 'attack.t1021'], 'a1000000-0000-4000-8000-000000000003'],
  ['Brute Force Tool Seen', '91004', 'high', ['attack.credential_access', 'attack.t1110'], 'a1000000-0000-4000-8000-000000000004'],
];

function ruleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-risk-rules-'));
  for (const [title, wazuhId, level, tags, id] of RULES) {
    writeFileSync(
      join(dir, `${wazuhId}.yml`),
      `title: ${title}\nid: ${id}\nstatus: test\ntags:\n${tags.map((t) => `  - ${t}\n`).join('')}logsource:\n  product: wazuh\ndetection:\n  selection:\n    rule.id: '${wazuhId}'\n  condition: selection\nlevel: ${level}\n`,
    );
  }
  return dir;
}

let seq = 0;
/** A SYNTHETIC Wazuh alert of one of the rule ids above, from agent `host`. */
function alert(ruleId: string, host: string, time: number): Record<string, unknown> {
  seq++;
  return {
    timestamp: new Date(time).toISOString().replace('Z', '+0000'),
    rule: { level: 6, description: `synthetic ${ruleId}`, id: ruleId, groups: ['synthetic'], firedtimes: seq },
    agent: { id: '007', name: host, ip: '10.0.0.7' },
    manager: { name: 'wazuh-manager' },
    id: `${Math.floor(time / 1000)}.${900000 + seq}`,
    decoder: { name: 'synthetic' },
    full_log: `synthetic alert ${seq} of rule ${ruleId} on ${host}`,
    location: 'synthetic',
  };
}

async function send(v: Running, alerts: unknown[]): Promise<void> {
  assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
  await handled(v, 30_000);
}

async function riskRows(v: Running, host: string) {
  return v.vigil.store.db.selectFrom('risk_events').selectAll().where('entity_kind', '=', 'host').where('entity_value', '=', host).execute();
}

const postgres = await postgresAvailable();

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`risk-based alerting on ${backend}`, { skip: backend === 'postgres' && !postgres && 'PostgreSQL is not reachable' }, () => {
    let smtp: TestSmtp;
    let v: Running;
    // Times relative to now: the risk window is judged by the detections' own times, retention by the clock.
    const start = Date.now() - 3 * HOUR;
    before(async () => {
      smtp = await startSmtp();
      v = await startVigil({
        rules: { builtin: false, paths: [ruleDir()] },
        channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
        // Only high and critical incidents are mailed: each detection below stays unmailed on its own.
        playbooks: [{ name: 'high-only', match: { severity: 'high' }, actions: [{ notify: 'email' }] }],
        risk: { enabled: true, window: '24h', threshold: 100, tactics: 3 },
      }, backend);
    });
    after(async () => {
      await v?.stop();
      await smtp?.close();
    });

    it('discovery, then credential access, then lateral movement on one host, each below the mail threshold → one risk incident naming all three, mailed once', async () => {
      const host = 'WS-RISK-07';
      await send(v, [alert('91001', host, start)]);
      await send(v, [alert('91002', host, start + 20 * MIN)]);
      let all = (await listIncidents(v.vigil.store.db, { limit: 50 })).items;
      assert.equal(all.filter((i) => i.ruleId === RISK_RULE_ID).length, 0, 'two tactics and 48 points: no risk incident yet');
      await send(v, [alert('91003', host, start + 40 * MIN)]);

      all = (await listIncidents(v.vigil.store.db, { limit: 50 })).items;
      const contributors = all.filter((i) => i.ruleId !== RISK_RULE_ID && i.entity.host === host);
      assert.equal(contributors.length, 3);
      assert.ok(contributors.every((i) => i.level === 'low' || i.level === 'medium'), contributors.map((i) => i.level).join());
      const risks = all.filter((i) => i.ruleId === RISK_RULE_ID);
      assert.equal(risks.length, 1);
      const risk = risks[0]!;
      assert.deepEqual(risk.entity, { host });
      assert.equal(risk.level, 'high');

      const detail = await getIncident(v.vigil.store.db, risk.id);
      assert.deepEqual(detail!.links.map((l) => l.incidentId).sort(), contributors.map((i) => i.id).sort());
      const reasons = detail!.links.map((l) => l.reason).sort();
      // low discovery 10 × 1; medium credential access 25 × 1.5; low lateral movement 10 × 1.5
      assert.deepEqual(reasons, [
        `risk +10 to host ${host} (Discovery)`,
        `risk +15 to host ${host} (Lateral Movement)`,
        `risk +38 to host ${host} (Credential Access)`,
      ]);
      const description = detail!.rule.description ?? '';
      for (const [title] of RULES.slice(0, 3)) assert.ok(description.includes(title), `${title} in: ${description}`);
      assert.match(description, /63 risk points across 3 ATT&CK tactics \(Discovery, Credential Access, Lateral Movement\)/);

      // Exactly one mail: the risk incident's; none of the three below the threshold.
      await smtp.waitFor(1, 15_000);
      await v.vigil.outbox.runDue();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(smtp.messages.length, 1, smtp.messages.map((m) => m.subject).join('\n'));
      assert.equal(smtp.messages[0]!.subject, '[Vigil] HIGH: Risk built up on one host (3 events)');
      assert.equal(risk.title, `Risk built up on one host — ${host}`);
      const body = smtp.messages[0]!.text ?? '';
      for (const [title] of RULES.slice(0, 3)) assert.ok(body.includes(title), `the mail names ${title}`);
    });

    it('a risk incident adds no risk of its own: a later detection folds into it, and the host holds only the detections\' risk', async () => {
      const host = 'WS-RISK-07';
      await send(v, [alert('91001', host, start + 60 * MIN)]);
      const rows = await riskRows(v, host);
      const [risk] = (await listIncidents(v.vigil.store.db, { ruleId: RISK_RULE_ID })).items;
      assert.ok(risk);
      assert.ok(rows.every((r) => r.rule_id !== RISK_RULE_ID && r.incident_id !== risk.id), 'no risk row of the risk incident');
      assert.equal(rows.length, 4);
      assert.equal(rows.reduce((s, r) => s + Number(r.points), 0), 10 + 38 + 15 + 10);
      assert.equal(risk.detectionCount, 2, 'the crossing again folded into the open risk incident');
      assert.equal((await listIncidents(v.vigil.store.db, { ruleId: RISK_RULE_ID })).items.length, 1);
      await v.vigil.outbox.runDue();
      assert.equal(smtp.messages.length, 1, 'a fold is not mailed');
    });

    it('points alone cross the threshold: two high credential-access detections on one host (2 × 50 × 1.5 = 150)', async () => {
      const host = 'WS-RISK-08';
      await send(v, [alert('91004', host, start)]);
      assert.equal((await listIncidents(v.vigil.store.db, { ruleId: RISK_RULE_ID, indicator: host })).items.length, 0, '75 points: below 100');
      // The same rule on the same host 2 hours later: the incident folds, the risk adds up.
      await send(v, [alert('91004', host, start + 2 * HOUR)]);
      const [risk] = (await listIncidents(v.vigil.store.db, { ruleId: RISK_RULE_ID, indicator: host })).items;
      assert.ok(risk, 'a risk incident for the host');
      const detail = await getIncident(v.vigil.store.db, risk.id);
      assert.match(detail!.rule.description ?? '', /150 risk points \(threshold 100\) across 1 ATT&CK tactic \(Credential Access\)/);
    });

    it('risk events expire with the window: retention deletes them once the window has passed', async () => {
      const before = (await v.vigil.store.db.selectFrom('risk_events').selectAll().execute()).length;
      assert.ok(before >= 6);
      await v.vigil.retention.drain(Date.now());
      assert.equal((await v.vigil.store.db.selectFrom('risk_events').selectAll().execute()).length, before, 'inside the window: kept');
      await v.vigil.retention.drain(Date.now() + 24 * HOUR);
      assert.equal((await v.vigil.store.db.selectFrom('risk_events').selectAll().execute()).length, 0, 'past the window: gone');
    });
  });
}
