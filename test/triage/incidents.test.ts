// The incident engine through a running Vigil (HTTP ingest → Sigma → triage → outbox → SMTP): storm control,
// folding, lifecycle with auto-resolve and reopen, linking and escalation, severity with its reasons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderEmail } from '../../src/act/render/email.js';
import { getIncident, listIncidents } from '../../src/triage/queries.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled, successfulLogon4624 } from '../helpers/triage.js';
import { post, startVigil, type Running } from '../helpers/vigil.js';

const T0 = new Date('2026-11-21T06:00:00Z');
const MIN = 60_000;
const email = (smtp: TestSmtp) => ({ enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] });

async function send(v: Running, alerts: unknown[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += 2000) assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts.slice(i, i + 2000)))).status, 202);
  await handled(v, 30_000);
}

/** Waits for the outbox to have nothing left to send, then a moment more for any stray message. */
async function settled(v: Running, smtp: TestSmtp, expected: number): Promise<void> {
  await smtp.waitFor(expected, 15_000);
  await v.vigil.outbox.runDue();
  await new Promise((r) => setTimeout(r, 300));
}

describe('incident engine', () => {
  let smtp: TestSmtp;
  let v: Running;
  before(async () => {
    smtp = await startSmtp();
    v = await startVigil({
      channels: { email: email(smtp) },
      triage: { assets: { criticalHosts: ['WIN-DC01'], groups: { admins: { hosts: [], users: ['administrator'] } }, criticalGroups: ['admins'] } },
    });
  });
  after(async () => {
    await v?.stop();
    await smtp?.close();
  });

  it('storm control: 3,000 failed logons from three addresses in ten minutes → exactly three incidents and three mails', async () => {
    const ips = ['192.0.2.11', '192.0.2.12', '192.0.2.13'];
    // interleaved, as a real storm arrives: one alert every 200 ms in all, 600 ms per address
    const alerts = ips.flatMap((ip, k) => burst(ip, 1000, new Date(T0.getTime() + k * 200), 600, 'administrator'));
    alerts.sort((a: any, b: any) => a.timestamp.localeCompare(b.timestamp));
    await send(v, alerts);
    await settled(v, smtp, 3);
    const mails = smtp.messages.filter((m) => ips.some((ip) => (m.subject ?? '').includes(ip)));
    assert.equal(mails.length, 3, mails.map((m) => m.subject).join('\n'));
    const incidents = (await listIncidents(v.vigil.store.db, { limit: 200 })).items.filter((i) => ips.includes(i.entity.IpAddress ?? ''));
    assert.deepEqual(incidents.map((i) => i.entity.IpAddress).sort(), ips);
    // The three share the targeted user, and this config makes "administrator" critical (group admins), so
    // they are linked to each other (without that, a common account name links nothing: test/e2e/analyst-truth).
    const detail = await getIncident(v.vigil.store.db, incidents[0]!.id);
    assert.equal(detail.links.length, 2);
    assert.ok(detail.links.every((l) => l.reason === 'same user administrator'));
  });

  it('many detections of one fingerprint inside the quiet period fold into one incident, mailed once', async () => {
    const before = smtp.messages.length;
    const ip = '192.0.2.20';
    // four bursts 6 minutes apart: the correlation fires once per burst (its 5-minute window empties between)
    const alerts = [0, 1, 2, 3].flatMap((k) => burst(ip, 5, new Date(T0.getTime() + k * 6 * MIN), 1000, `user${k}`));
    await send(v, alerts);
    await settled(v, smtp, before + 1);
    assert.equal(smtp.messages.length, before + 1);
    const [inc] = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
    assert.equal(inc!.detectionCount, 4);
    assert.equal(inc!.eventCount, 20);
    assert.equal(inc!.firstSeen, T0.getTime());
    assert.equal(inc!.lastSeen, T0.getTime() + 18 * MIN + 4000);
    const detail = await getIncident(v.vigil.store.db, inc!.id);
    assert.deepEqual(
      detail.indicators.filter((i) => i.kind === 'user').map((i) => i.value),
      ['user0', 'user1', 'user2', 'user3'],
      'new targeted users are added',
    );
    assert.equal(detail.evidenceIds.length, 20);
    // Stored in UTC; shown in each reader's zone with its offset (the outbox payload, rendered for Berlin).
    // The mail is built from the incident when it goes: all four bursts, one count.
    const text = smtp.messages.at(-1)!.text ?? '';
    assert.match(text, /^Events: 20 events in 4 detections$/m);
    assert.match(text, /^First seen: 2026-11-21 06:00:00 GMT\+00:00$/m);
    assert.match(text, /^Last seen: 2026-11-21 06:18:04 GMT\+00:00$/m);
    const row = await v.vigil.store.db.selectFrom('outbox').select('payload_json').where('incident_id', '=', inc!.id).executeTakeFirstOrThrow();
    const berlin = renderEmail(JSON.parse(row.payload_json), 'Europe/Berlin');
    assert.match(berlin.text, /^First seen: 2026-11-21 07:00:00 GMT\+01:00$/m);
    assert.match(berlin.text, /^Last seen: 2026-11-21 07:18:04 GMT\+01:00$/m);
  });

  it('severity: every factor is a reason, asset criticality from the config counts, and the mail shows them with MITRE and the summary', async () => {
    const before = smtp.messages.length;
    await send(v, burst('192.0.2.30', 5, T0, 1000, 'administrator'));
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    const [inc] = (await listIncidents(v.vigil.store.db, { indicator: '192.0.2.30' })).items;
    assert.deepEqual(
      inc!.severity.reasons.map((r) => [r.factor, r.points, r.detail]),
      [
        ['sigma', 60, 'Sigma rule level high'],
        ['wazuh', 0, 'Wazuh rule level 5'],
        ['asset', 15, 'WIN-DC01: critical host'],
        ['asset', 15, 'administrator: member of critical group admins'],
      ],
    );
    assert.equal(inc!.severity.score, 90);
    assert.equal(inc!.level, 'critical');
    const text = mail!.text ?? '';
    assert.match(mail!.subject ?? '', /^\[Vigil\] CRITICAL: Windows Brute Force/);
    assert.match(text, /Severity critical \(score 90\/100\):\n  \+60  Sigma rule level high\n  \+0  Wazuh rule level 5\n  \+15  WIN-DC01: critical host\n  \+15  administrator: member of critical group admins/);
    assert.match(text, /MITRE ATT&CK: T1110 Brute Force \(Credential Access\); T1110\.001 Brute Force: Password Guessing \(Credential Access\); T1531 Account Access Removal \(Impact\)/);
    assert.match(text, /Summary \(template\):\nWhat happened: Windows Brute Force From One Source Address: 5 events in 1 detection from 192\.0\.2\.30 against WIN-DC01/);
    assert.match(text, /Next steps:\n  1\. Block 192\.0\.2\.30 at the firewall/);
    assert.match(text, /Check for a successful logon from 192\.0\.2\.30/);
    assert.match(String(mail!.html), /<b>What happened:<\/b> Windows Brute Force/);
  });

  it('a successful logon from the address that brute-forced escalates that incident, and the two are linked', async () => {
    const before = smtp.messages.length;
    const ip = '198.51.100.77';
    await send(v, burst(ip, 6, T0, 2000, 'svc_sql'));
    await smtp.waitFor(before + 1);
    await send(v, [successfulLogon4624({ ip, user: 'svc_sql', time: new Date(T0.getTime() + 60_000) })]);
    await settled(v, smtp, before + 3);
    const mine = smtp.messages.slice(before).map((m) => m.subject ?? '');
    assert.equal(mine.length, 3, mine.join('\n'));
    assert.match(mine[0]!, /^\[Vigil\] HIGH: Windows Brute Force From One Source Address from 198\.51\.100\.77/, 'high + 15 for the critical host WIN-DC01 = 75');
    assert.ok(mine.some((s) => /^\[Vigil\] ESCALATED to CRITICAL: Windows Brute Force From One Source Address/.test(s)), mine.join('\n'));
    assert.ok(mine.some((s) => /^\[Vigil\] CRITICAL: Windows Successful Logon After Brute Force/.test(s)), mine.join('\n'));
    const items = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
    assert.equal(items.length, 2);
    const brute = items.find((i) => i.title.startsWith('Windows Brute Force'))!;
    assert.equal(brute.escalated, true);
    assert.ok(brute.severity.reasons.some((r) => r.factor === 'escalation' && r.points === 25));
    assert.equal(brute.revision, 2);
    const detail = await getIncident(v.vigil.store.db, brute.id);
    assert.deepEqual(detail.links.map((l) => l.reason), [`same source address ${ip}`]);
    assert.match(detail.summary!.nextSteps[0]!, /Treat svc_sql as compromised/);
  });
});

describe('incident lifecycle', () => {
  it('auto-resolves after the quiet period (mailed), reopens when the attack resumes (mailed), and opens anew after the reopen window', async () => {
    const smtp = await startSmtp();
    const v = await startVigil({ channels: { email: email(smtp) }, triage: { quietPeriod: '30m', reopenWindow: '6h' } });
    try {
      const ip = '203.0.113.140';
      await send(v, burst(ip, 5, T0, 1000));
      await smtp.waitFor(1);
      const [inc] = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
      // Not yet quiet for 30 minutes: nothing happens.
      assert.deepEqual(await v.vigil.lifecycle.tick(Date.now() + 29 * MIN), []);
      const resolved = await v.vigil.lifecycle.tick(Date.now() + 31 * MIN);
      assert.deepEqual(resolved.map((r) => [r.incident.id, r.change, r.incident.resolution, r.incident.revision]), [[inc!.id, 'resolved', 'auto', 2]]);
      await smtp.waitFor(2);
      assert.match(smtp.messages[1]!.subject ?? '', /^\[Vigil\] RESOLVED · HIGH: Windows Brute Force From One Source Address from 203\.0\.113\.140/);

      // The attack resumes two hours later (event time): the same incident reopens.
      await send(v, burst(ip, 5, new Date(T0.getTime() + 120 * MIN), 1000));
      await smtp.waitFor(3);
      assert.match(smtp.messages[2]!.subject ?? '', /^\[Vigil\] REOPENED · HIGH/);
      const again = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
      assert.equal(again.length, 1);
      assert.equal(again[0]!.status, 'open');
      assert.equal(again[0]!.revision, 3);
      assert.equal(again[0]!.detectionCount, 2);

      // Resolved again, and the address comes back a day later: past the reopen window, a new incident.
      await v.vigil.lifecycle.tick(Date.now() + 31 * MIN);
      await smtp.waitFor(4);
      await send(v, burst(ip, 5, new Date(T0.getTime() + 26 * 60 * MIN), 1000));
      await smtp.waitFor(5);
      assert.match(smtp.messages[4]!.subject ?? '', /^\[Vigil\] HIGH: Windows Brute Force/);
      assert.equal((await listIncidents(v.vigil.store.db, { indicator: ip })).total, 2);
      await v.vigil.outbox.runDue();
      assert.equal(smtp.messages.length, 5);
    } finally {
      await v.stop();
      await smtp.close();
    }
  });
});
