// What the analyst reads is true and says each fact once: the mail (a real SMTP server, parsed by mailparser)
// and the API about the same incident agree — the count, the users, the summary over the enrichment, the
// resolve with who and why, a valid Message-ID, a link to the incident — and lookups run without any channel.
// Each `it` names the item of issue 12 it proves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { successfulLogon4624 } from '../helpers/triage.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { post, scrape, startVigil, until, type Running } from '../helpers/vigil.js';

const T0 = new Date(Date.now() - 10 * 60_000);
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const ATTACKER = '45.9.50.7';

/** Five failures fire the rule; the sixth (another user, another spelling of the first) is absorbed by it. */
function sixFailures(ip: string) {
  return [
    ...[0, 1, 2, 3].map((s) => failedLogon4625({ ip, user: 'administrator', time: at(s) })),
    failedLogon4625({ ip, user: 'Administrator', time: at(4) }),
    failedLogon4625({ ip, user: 'svc_backup', time: at(5) }),
  ];
}

describe('what the analyst reads: one incident, one truth', () => {
  let smtp: TestSmtp;
  let vt: FakeVirusTotal;
  let v: Running;
  let alice: Session;
  let first: ParsedMail;
  let incidentId: string;

  before(async () => {
    smtp = await startSmtp();
    vt = await startFakeVirusTotal(['vt-key']);
    vt.reports.set(ATTACKER, { malicious: 12, suspicious: 2, reputation: -40 });
    v = await startVigil({
      // No publicUrl: links derive from the listen address (item 7).
      server: { listen: '192.0.2.10:9443' },
      channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'Vigil <vigil@soc.example.org>', to: ['soc@example.org'] } },
      enrich: { deadline: '10s', virustotal: { enabled: true, apiKey: 'vt-key', baseUrl: vt.url } },
    });
    alice = await userSession(v, 'alice', 'analyst');
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(sixFailures(ATTACKER)))).status, 202);
    [first] = await smtp.waitFor(1, 20_000);
    incidentId = String(first!.headers.get('x-vigil-incident'));
  });
  after(async () => {
    await v?.stop();
    await smtp?.close();
    await vt?.close();
  });

  it('item 2: one count — subject, facts, summary, evidence and API all say 6, and the sixth user is named', async () => {
    const text = first.text ?? '';
    assert.match(first.subject ?? '', /\(6 events\)$/);
    assert.match(text, /^Events: 6 events in 1 detection$/m);
    assert.match(text, /What happened: Windows Brute Force From One Source Address: 6 events in 1 detection/);
    assert.match(text, /^Evidence \(6 events\):$/m);
    assert.equal(text.match(/^- \d{4}-\d\d-\d\d .* user=/gm)?.length, 6, 'six evidence lines');
    assert.match(text, /^Targeted users: (administrator|Administrator), svc_backup$/m, 'the sixth user, and one spelling per user');
    const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, alice)).json;
    assert.equal(d.incident.eventCount, 6);
    assert.equal(d.evidence.length, 6);
    assert.match(d.incident.summary.whatHappened, /6 events in 1 detection/);
  });

  it('item 4: the summary says what the lookups found (never "no verdicts yet" beside a malicious card)', async () => {
    const text = first.text ?? '';
    assert.match(text, /^VirusTotal|- 45\.9\.50\.7 {2}VirusTotal: MALICIOUS: 12 of \d+ engines flagged it malicious, 2 suspicious/m);
    assert.match(text, /^Enrichment: 45\.9\.50\.7: malicious \(virustotal\)\.$/m);
    assert.doesNotMatch(text, /No enrichment verdicts yet/);
    const d = (await call(v, 'GET', `/api/v1/incidents/${incidentId}`, alice)).json;
    assert.equal(d.incident.summary.enrichment, '45.9.50.7: malicious (virustotal).', 'the dashboard reads the same summary');
    const geo = d.enrichment.find((e: { provider: string }) => e.provider === 'geoip');
    assert.ok(geo, 'GeoIP looked the address up');
    assert.equal(geo.verdict, null, 'item 16: GeoIP gives no verdict, so no "unknown" badge');
  });

  it('item 16: words, not codes or broken plurals', () => {
    const text = first.text ?? '';
    assert.match(text, /bad password/);
    assert.doesNotMatch(text, /0xc000006a|0xc000006d/);
    assert.doesNotMatch(text, /\b1 events\b|\b1 detections\b/);
  });

  it('item 12: a link to the incident, and each fact said once (users, evidence, no stray status line)', () => {
    const text = first.text ?? '';
    assert.match(text, new RegExp(`^Open the incident: http://192\\.0\\.2\\.10:9443/#/incidents/${incidentId}$`, 'm'), 'item 7: derived from server.listen');
    assert.match(String(first.html), new RegExp(`href="http://192\\.0\\.2\\.10:9443/#/incidents/${incidentId}"`));
    const facts = text.split('\nNext steps:')[0]! + text.split(/\nMITRE ATT&CK/)[1];
    assert.equal(facts.match(/svc_backup/g)?.length, 2, 'once among the users, once in its evidence line (and in a next step)');
    assert.doesNotMatch(text, /^status open/m);
    assert.doesNotMatch(text, /Incident so far|whole incident|^Affected:/m);
    assert.equal(text.match(/^Evidence/gm)?.length, 1, 'the evidence once');
  });

  it('item 13: the Message-ID is a valid RFC 5322 msg-id on the from-address domain', () => {
    assert.match(first.messageId ?? '', /^<[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*@soc\.example\.org>$/);
    assert.equal(first.messageId, `<${incidentId}.email.1@soc.example.org>`);
  });

  it('item 11: the resolve mail says who resolved it, when, the verdict and the comment — and still 6 events', async () => {
    const r = await call(v, 'POST', `/api/v1/incidents/${incidentId}/verdict`, alice, { verdict: 'false_positive', comment: 'red-team exercise, ticket RT-12' });
    assert.equal(r.status, 200);
    const mails = await smtp.waitFor(2, 15_000);
    const resolved = mails.find((m) => /RESOLVED/.test(m.subject ?? ''))!;
    assert.ok(resolved, 'a resolve mail');
    assert.match(resolved.subject ?? '', /\(6 events\)$/);
    assert.match(resolved.text ?? '', /^Resolved: by alice \(false positive\) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+00:00; verdict false positive: "red-team exercise, ticket RT-12"$/m);
    assert.match(resolved.text ?? '', /^Events: 6 events in 1 detection$/m);
    assert.equal(resolved.inReplyTo, first.messageId, 'threads under the first mail');
  });

  it('item 14: only the first notification of a detection is timed', async () => {
    await until(async () => /vigil_event_to_notification_seconds_count\{channel="email"\} \d/.test(await scrape(v)), 10_000, 'the latency histogram');
    const text = await scrape(v);
    assert.match(text, /vigil_event_to_notification_seconds_count\{channel="email"\} 1\n/, 'the resolve mail is not timed');
  });

  it('item 10: the overview counts a user once whatever its case', async () => {
    const o = (await call(v, 'GET', '/api/v1/overview?hours=24', alice)).json;
    const admins = o.topUsers.filter((u: { value: string }) => u.value.toLowerCase() === 'administrator');
    assert.equal(admins.length, 1);
    assert.equal(admins[0].count, 5);
  });
});

describe('item 1: lookups belong to the incident, not to its notification', () => {
  it('with no channel configured (GeoIP on by default), the incident is looked up', async () => {
    const v = await startVigil({});
    try {
      assert.equal(v.config.channels.email.enabled, false);
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(sixFailures('45.9.50.8')))).status, 202);
      const alice = await userSession(v, 'alice', 'analyst');
      let id = '';
      await until(async () => {
        id = (await call(v, 'GET', '/api/v1/incidents', alice)).json.items?.[0]?.id ?? '';
        return id !== '';
      });
      await until(async () => (await call(v, 'GET', `/api/v1/incidents/${id}`, alice)).json.enrichment.some((e: { provider: string; state: string }) => e.provider === 'geoip' && e.state === 'done'), 10_000, 'a GeoIP answer');
      const rows = await v.vigil.store.db.selectFrom('outbox').selectAll().execute();
      assert.equal(rows.length, 0, 'and nothing was sent anywhere');
    } finally {
      await v.stop();
    }
  });
});

describe('item 9: incidents link on what is specific, not on a common account name', () => {
  it('"administrator" links nothing unless critical; a rare account and an address do', async () => {
    const v = await startVigil({ triage: { assets: { criticalUsers: ['Root'] } } });
    try {
      const alice = await userSession(v, 'alice', 'analyst');
      const burstOf = (ip: string, user: string, s0: number) => [0, 1, 2, 3, 4].map((s) => failedLogon4625({ ip, user, time: at(s0 + s) }));
      const alerts = [...burstOf('45.9.60.1', 'administrator', 0), ...burstOf('45.9.60.2', 'administrator', 10), ...burstOf('45.9.60.3', 'svc_payroll', 20), ...burstOf('45.9.60.4', 'svc_payroll', 30), ...burstOf('45.9.60.5', 'root', 40), ...burstOf('45.9.60.6', 'root', 50)];
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
      const byIp = new Map<string, string>();
      await until(async () => {
        for (const i of (await call(v, 'GET', '/api/v1/incidents', alice)).json.items) byIp.set(i.entity.IpAddress, i.id);
        return byIp.size === 6;
      });
      const links = async (ip: string) => (await call(v, 'GET', `/api/v1/incidents/${byIp.get(ip)}`, alice)).json.incident.links.map((l: { reason: string }) => l.reason);
      assert.deepEqual(await links('45.9.60.2'), [], 'two internet brute forces on "administrator" are not one attack');
      assert.deepEqual(await links('45.9.60.4'), ['same user svc_payroll']);
      assert.deepEqual(await links('45.9.60.6'), ['same user root'], 'a common account the operator lists as critical does link');
    } finally {
      await v.stop();
    }
  });
});

describe('item 3: a successful logon after a brute force names the account that got in, not every targeted one', () => {
  it('the escalation mail, the new incident mail and the API name svc_sql (the 4624 user), from where, when', async () => {
    const smtp = await startSmtp();
    const v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'vigil@soc.example.org', to: ['soc@example.org'] } } });
    try {
      const ip = '45.9.70.1';
      const guesses = [0, 1, 2].flatMap((s) => [failedLogon4625({ ip, user: 'administrator', time: at(2 * s) }), failedLogon4625({ ip, user: 'svc_sql', time: at(2 * s + 1) })]);
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(guesses))).status, 202);
      await smtp.waitFor(1, 20_000);
      const logonAt = at(30);
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([successfulLogon4624({ ip, user: 'svc_sql', time: logonAt })]))).status, 202);
      const mails = await smtp.waitFor(3, 20_000);
      const when = logonAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT\\+00:00');
      const escalated = mails.find((m) => /^\[Vigil\] ESCALATED to CRITICAL: Windows Brute Force/.test(m.subject ?? ''))!;
      const success = mails.find((m) => /^\[Vigil\] CRITICAL: Windows Successful Logon After Brute Force/.test(m.subject ?? ''))!;
      assert.ok(escalated && success, mails.map((m) => m.subject).join('\n'));
      for (const m of [escalated, success]) {
        const text = m.text ?? '';
        assert.match(text, new RegExp(`^Account that logged on: svc_sql from 45\\.9\\.70\\.1 on WIN-DC01 at ${when}$`, 'm'), m.subject);
        assert.match(text, /Treat svc_sql as compromised \(it logged on\): disable the account/);
        assert.match(text, /administrator was targeted but did not log on/);
        assert.doesNotMatch(text, /Treat [^\n]*administrator[^\n]* as compromised/, 'the account that only failed is not called compromised');
        assert.match(text, /What happened: .*Escalated: svc_sql from 45\.9\.70\.1 on WIN-DC01 logged on after the failures\./);
        assert.match(String(m.html), /Account that logged on/);
      }
      const alice = await userSession(v, 'alice', 'analyst');
      const items = (await call(v, 'GET', `/api/v1/incidents?indicator=${ip}`, alice)).json.items;
      assert.equal(items.length, 2);
      for (const i of items) {
        const d = (await call(v, 'GET', `/api/v1/incidents/${i.id}`, alice)).json;
        assert.deepEqual(
          d.incident.loggedOn.map((l: { user: string; sourceIp: string; host: string; time: number }) => [l.user, l.sourceIp, l.host, l.time]),
          [['svc_sql', ip, 'WIN-DC01', logonAt.getTime()]],
          i.title,
        );
        assert.ok(d.incident.summary.nextSteps.some((s: string) => /^Treat svc_sql as compromised/.test(s)));
      }
    } finally {
      await v.stop();
      await smtp.close();
    }
  });
});
