// Enrichment end to end: HTTP ingest → incident → lookups against fakes of VirusTotal and AbuseIPDB → the
// email an analyst reads. The incident never waits for a provider: its mail goes at the deadline with what is
// known, naming what is pending or failed, and a later malicious verdict sends an escalation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { releaseWaiting } from '../../src/act/outbox.js';
import { enrichmentsForIncident } from '../../src/enrich/lookups.js';
import { startFakeAbuseIpDb, type FakeAbuseIpDb } from '../fakes/abuseipdb.js';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { startFakeWazuhApi, type FakeWazuhApi } from '../fakes/wazuh-api.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, userSession } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { post, startVigil, until, type Running, scrape } from '../helpers/vigil.js';

// Recent event times: the overview's window is counted back from the clock (hours=24), so a fixed date
// would fall out of it as the calendar moves on.
const T0 = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000);

interface Rig {
  smtp: TestSmtp;
  vt: FakeVirusTotal;
  ab: FakeAbuseIpDb;
  v: Running;
  wazuh?: FakeWazuhApi;
}

async function rig(deadline: string, abuseKey = 'abuse-key', wazuh?: FakeWazuhApi): Promise<Rig> {
  const smtp = await startSmtp();
  const vt = await startFakeVirusTotal(['vt-key']);
  const ab = await startFakeAbuseIpDb(['abuse-key']);
  const v = await startVigil({
    channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'Vigil <vigil@example.org>', to: ['soc@example.org'] } },
    ...(wazuh ? { wazuh: { api: { url: wazuh.url, user: 'wazuh-wui', password: 'wazuh-wui-pass' } } } : {}),
    enrich: {
      deadline,
      virustotal: { enabled: true, apiKey: 'vt-key', baseUrl: vt.url },
      abuseipdb: { enabled: true, apiKey: abuseKey, baseUrl: ab.url },
    },
  });
  return { smtp, vt, ab, v, wazuh };
}

async function stop(r?: Rig) {
  await r?.v.stop();
  await r?.smtp.close();
  await r?.vt.close();
  await r?.ab.close();
  await r?.wazuh?.close();
}

const ingest = (r: Rig, alerts: unknown[]) => post(`${r.v.url}/api/v1/ingest/wazuh`, ndjson(alerts));

describe('enrichment: every incident is notified within the deadline while the quota is exhausted', () => {
  let r: Rig;
  before(async () => {
    r = await rig('1s');
    r.vt.exhausted = true;
    r.ab.exhaustedFor = 3600;
  });
  after(() => stop(r));

  it('three brute forces → three emails at the deadline, each naming the lookups that wait for quota', async () => {
    const ips = ['45.9.30.1', '45.9.30.2', '45.9.30.3'];
    for (const ip of ips) assert.equal((await ingest(r, burst(ip, 5, T0, 10_000))).status, 202);
    const mails = await r.smtp.waitFor(3, 15_000);
    for (const ip of ips) {
      const mail = mails.find((m) => (m.subject ?? '').includes(ip));
      assert.ok(mail, `a mail for ${ip}`);
      assert.match(mail.text ?? '', new RegExp(`${ip.replace(/\./g, '\\.')}  VirusTotal: PENDING: waiting for quota`));
      assert.match(mail.text ?? '', /AbuseIPDB: PENDING: waiting for quota \(provider refused\) until/);
      assert.match(mail.text ?? '', /GeoIP: /, 'the local lookup goes with it, answered or not');
      assert.match(String(mail.html), /Enrichment \([01] answered, [23] pending\)/);
    }
    const db = r.v.vigil.store.db;
    const rows = await db.selectFrom('outbox').innerJoin('incidents', 'incidents.id', 'outbox.incident_id').select(['outbox.delivered_at', 'incidents.created_at']).execute();
    assert.equal(rows.length, 3);
    // Sent at the deadline (1 s, plus an outbox poll), while VirusTotal would not be asked again for a minute and
    // AbuseIPDB for an hour: the bound is loose for a loaded machine, and still far below either wait.
    for (const row of rows) assert.ok(Number(row.delivered_at) - Number(row.created_at) < 15_000, `delivered ${Number(row.delivered_at) - Number(row.created_at)} ms after the incident opened`);
    const stillPending = await db.selectFrom('enrich_lookups').selectAll().where('provider', 'in', ['virustotal', 'abuseipdb']).execute();
    assert.ok(stillPending.length === 6 && stillPending.every((l) => l.state === 'pending'), 'the mails went while every external lookup still waited');
    assert.ok(r.vt.calls.length <= 1, 'after the first refusal VirusTotal is left alone');
    assert.ok(r.ab.calls.length <= 1, 'after the first refusal AbuseIPDB is left alone');
    const metrics = await scrape(r.v);
    assert.match(metrics, /vigil_enrich_failures_total\{provider="virustotal",reason="quota"\} 1/);
    assert.match(metrics, /vigil_enrich_calls_total\{provider="abuseipdb",outcome="refused"\} 1/);
    // Every VirusTotal lookup waits for quota: counted as a quota wait when the broker found it due after the
    // refusal, or postponed by the refusal itself when all three incidents were planned before it.
    await until(async () => {
      const vt = await db.selectFrom('enrich_lookups').select('error').where('provider', '=', 'virustotal').execute();
      return vt.every((l) => /waiting for quota/.test(l.error ?? '')) || /vigil_enrich_quota_waits_total\{provider="virustotal"\} [1-9]/.test(await scrape(r.v));
    }, 10_000, 'the VirusTotal lookups waiting for quota');
    await until(async () => (await scrape(r.v)).includes('vigil_enrich_calls_total{provider="geoip",outcome="answered"} 3'), 10_000, 'three GeoIP answers');
  });
});

describe('enrichment: a slow malicious verdict escalates an incident people already heard of', () => {
  let r: Rig;
  before(async () => {
    // A long deadline, brought forward by the test once the failure is recorded: the mail's content then does
    // not depend on how fast this machine is.
    r = await rig('60s', 'revoked-key');
    r.vt.reports.set('45.9.40.1', { malicious: 20, reputation: -55 });
    r.vt.hold.add('45.9.40.1');
  });
  after(() => stop(r));

  it('first mail: VirusTotal pending, AbuseIPDB failed (not clean); then an ESCALATED mail when the verdict arrives', async () => {
    assert.equal((await ingest(r, burst('45.9.40.1', 5, T0, 10_000))).status, 202);
    const db = r.v.vigil.store.db;
    const state = async (provider: string) => (await db.selectFrom('enrich_lookups').select('state').where('provider', '=', provider).executeTakeFirst())?.state;
    await until(async () => (await state('abuseipdb')) === 'failed' && (await state('geoip')) === 'done', 10_000, 'AbuseIPDB refused, GeoIP answered');
    const { id } = await db.selectFrom('incidents').select('id').executeTakeFirstOrThrow();
    assert.equal(await releaseWaiting(db, [id]), 1, 'the notification was still waiting for VirusTotal');
    r.v.vigil.outbox.wake();
    const [first] = await r.smtp.waitFor(1, 15_000);
    assert.match(first!.subject ?? '', /^\[Vigil\] HIGH: Windows Brute Force/);
    assert.match(first!.text ?? '', /VirusTotal: PENDING/);
    assert.match(first!.text ?? '', /AbuseIPDB: FAILED: AbuseIPDB: the API key was refused \(Authentication failed\..*\(not a clean result\)/);
    assert.doesNotMatch(first!.text ?? '', /AbuseIPDB: (HARMLESS|no record)/);

    r.vt.release('45.9.40.1');
    const mails = await r.smtp.waitFor(2, 15_000);
    const second = mails[1]!;
    assert.match(second.subject ?? '', /^\[Vigil\] ESCALATED to CRITICAL: Windows Brute Force/);
    assert.match(second.text ?? '', /Escalated because: VirusTotal on 45\.9\.40\.1: 20 of 90 engines flagged it malicious/);
    assert.match(second.text ?? '', /Severity: critical \(raised from high\)/);
    assert.match(second.text ?? '', /VirusTotal: MALICIOUS: 20 of 90 engines flagged it malicious · reputation -55/);
    // Triage rescored it with the verdicts: the reason and the rewritten summary say so.
    assert.match(second.text ?? '', /\+20  malicious per 45\.9\.40\.1 \(virustotal\)/);
    assert.match(second.text ?? '', /Enrichment: 45\.9\.40\.1: malicious \(virustotal\)/);
    assert.match(String(second.html), /<a href="https:\/\/www\.virustotal\.com\/gui\/ip-address\/45\.9\.40\.1">open<\/a>/);

    const incident = await db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    assert.equal(incident.level, 'critical');
    const lookups = await enrichmentsForIncident(db, incident.id);
    assert.deepEqual(
      lookups.map((l) => [l.provider, l.state, l.verdict ?? null]),
      [
        ['virustotal', 'done', 'malicious'],
        ['abuseipdb', 'failed', null],
        ['geoip', 'done', 'unknown'],
      ],
    );
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.smtp.messages.length, 2, 'one escalation, not one per lookup');

    // The API shows the same: the answers, and the failure as a failure.
    const viewer = await userSession(r.v, 'vera', 'viewer');
    const detail = (await call(r.v, 'GET', `/api/v1/incidents/${incident.id}`, viewer)).json;
    assert.equal(detail.incident.level, 'critical');
    const vt = detail.enrichment.find((l: any) => l.provider === 'virustotal');
    assert.deepEqual([vt.kind, vt.value, vt.state, vt.verdict], ['ip', '45.9.40.1', 'done', 'malicious']);
    assert.match(vt.summary, /^20 of 90 engines flagged it malicious/);
    assert.equal(vt.link, 'https://www.virustotal.com/gui/ip-address/45.9.40.1');
    const ab = detail.enrichment.find((l: any) => l.provider === 'abuseipdb');
    assert.equal(ab.state, 'failed');
    assert.equal(ab.verdict, null, 'a failure carries no verdict');
    assert.match(ab.error, /API key was refused/);
    const overview = (await call(r.v, 'GET', '/api/v1/overview?hours=24', viewer)).json;
    assert.deepEqual(overview.topCountries, [{ value: 'RU', count: 1 }], 'countries come from GeoIP answers');
  });
});

describe('enrichment: answers before the deadline release the notification early', () => {
  let r: Rig;
  before(async () => {
    const wazuh = await startFakeWazuhApi();
    wazuh.agents.push({ id: '003', name: 'WIN-DC01', ip: '10.0.0.12', status: 'active', os: { name: 'Microsoft Windows Server 2022', version: '10.0.20348' }, group: ['default', 'domain-controllers'] });
    r = await rig('60s', 'abuse-key', wazuh);
    r.vt.reports.set('45.9.50.1', { malicious: 9 });
    r.ab.scores.set('45.9.50.1', { score: 100, reports: 40 });
  });
  after(() => stop(r));

  it('one mail, long before the 60 s deadline, already at the raised severity with every answer', async () => {
    assert.equal((await ingest(r, burst('45.9.50.1', 5, T0, 10_000))).status, 202);
    const [mail] = await r.smtp.waitFor(1, 15_000);
    assert.match(mail!.subject ?? '', /^\[Vigil\] CRITICAL: Windows Brute Force/);
    assert.match(mail!.text ?? '', /Enrichment \(4 answered\)/);
    assert.match(mail!.text ?? '', /WIN-DC01  Wazuh agent: agent 003 WIN-DC01 · 10\.0\.0\.12 · Microsoft Windows Server 2022 10\.0\.20348 · groups default, domain-controllers · active/);
    assert.ok(r.wazuh!.requests.includes('GET /agents'), 'the inventory was asked through the Wazuh API client');
    assert.match(mail!.text ?? '', /AbuseIPDB: MALICIOUS: abuse confidence 100% · 40 reports/);
    await until(async () => (await r.v.vigil.store.db.selectFrom('enrich_escalations').selectAll().execute()).length === 1, 5000, 'escalation recorded');
    assert.equal(r.smtp.messages.length, 1, 'no separate escalation: nobody had been told yet');
    // A second brute force from the same address: answered from the cache, no call.
    const calls = r.vt.calls.length;
    assert.equal((await ingest(r, burst('45.9.50.1', 5, new Date(T0.getTime() + 7_200_000), 10_000))).status, 202);
    await until(async () => (await r.v.vigil.store.db.selectFrom('incidents').selectAll().execute()).length === 2, 5000, 'second incident');
    await until(async () => (await scrape(r.v)).includes('vigil_enrich_cache_hits_total{provider="virustotal"} 1'), 5000, 'a cache hit');
    assert.equal(r.vt.calls.length, calls);
  });
});
